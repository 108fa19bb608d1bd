import { describe, expect, it } from 'vitest';
import { copyShares } from './CopyMap';

describe('the copy view', () => {
  it('colours each token by the slot its gate prefers, and sums the shares by kind of slot', () => {
    // 2 tokens, 3 slots: a true frame, the model's own, an atlas frame
    const slots = [
      { step: 3, pose: [0, 0, 0, 0, 0], level: 0 },
      { step: 4, pose: [0, 0, 0, 0, 0], level: 0.15 },
      { step: -1, pose: [0, 0, 0, 0, 0], level: 0, atlas: 7 },
    ];
    const copyGate = Float32Array.of(0.1, 0.7, 0.1, 0.1, /* token 2 */ 0.9, 0, 0.02, 0.08);
    const c = copyShares({ copyGate, slots }, 2)!;
    expect(c.kind).toEqual(['truth', 'atlas']);
    expect(c.copy[0]).toBeCloseTo(0.9);
    expect(c.copy[1]).toBeCloseTo(0.1);
    expect(c.share.truth).toBeCloseTo(0.35);
    expect(c.share.own).toBeCloseTo(0.06);
    expect(c.share.atlas).toBeCloseTo(0.09);
    expect(copyShares({ copyGate: null, slots }, 2)).toBeNull();
  });
});
