import { describe, expect, it } from 'vitest';
import { Sampler, checkSampling } from './sampling';

describe('Sampler', () => {
  const logits = Float32Array.from([0.1, 2.0, 1.9, -3, 0.5]);

  it('is greedy at temperature 0', () => {
    const s = new Sampler(1);
    for (let i = 0; i < 5; i++) expect(s.pick(logits, 0, 0)).toBe(1);
  });

  it('keeps to the top k and follows the distribution', () => {
    const s = new Sampler(2);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 4000; i++) counts[s.pick(logits, 1, 2)]++;
    expect(counts[0] + counts[3] + counts[4]).toBe(0);
    // softmax over {2.0, 1.9}: 52.5% / 47.5%
    expect(counts[1] / 4000).toBeGreaterThan(0.49);
    expect(counts[1] / 4000).toBeLessThan(0.56);
  });

  it('reproduces a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const s = new Sampler(seed);
      return Array.from({ length: 50 }, () => s.pick(logits, 1.5, 0));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('fills Gumbel noise strictly inside (0, 1)', () => {
    const u = new Sampler(3).fillUniform(new Float32Array(100_000));
    expect(Math.min(...u)).toBeGreaterThan(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });

  it('rejects settings outside their ranges', () => {
    expect(() => checkSampling({ temperature: NaN, topK: 0, seed: 0 }, 8)).toThrow(/temperature/);
    expect(() => checkSampling({ temperature: 1, topK: 9, seed: 0 }, 8)).toThrow(/top-k/);
    expect(() => checkSampling({ temperature: 1, topK: 2, seed: -1 }, 8)).toThrow(/seed/);
    expect(() => checkSampling({ temperature: 1, topK: 2, seed: 5 }, 8)).not.toThrow();
  });
});
