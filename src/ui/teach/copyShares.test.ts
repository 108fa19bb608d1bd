import { describe, expect, it } from 'vitest';
import { copyShares } from './CopyMap';

describe('the copy view', () => {
  it('colours each token by the kind of memory its gate gives most, as the shares sum it', () => {
    // 2 tokens, 3 slots: a true frame, the model's own, an atlas frame
    const slots = [
      { step: 3, pose: [0, 0, 0, 0, 0], level: 0 },
      { step: 4, pose: [0, 0, 0, 0, 0], level: 0.15 },
      { step: -1, pose: [0, 0, 0, 0, 0], level: 0, atlas: 7 },
    ];
    // token 3: one true slot has the largest single share, but its own frames have more in sum
    const slots4 = [...slots.slice(0, 2), { step: 5, pose: [0, 0, 0, 0, 0], level: 0.15 }];
    const three = copyShares({ copyGate: Float32Array.of(0, 0.4, 0.3, 0.3), slots: slots4 }, 1)!;
    expect(three.kind).toEqual(['own']);
    expect(three.share.own).toBeCloseTo(0.6);
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
