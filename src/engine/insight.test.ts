import { describe, expect, it } from 'vitest';
import { digitEntropy, digitsOf, entropyOf, idOf, topCandidates } from './insight';

const LEVELS = [8, 8, 8, 8];

describe('entropy', () => {
  it('is ln(n) for a uniform distribution and 0 for a certain one', () => {
    expect(entropyOf(new Float32Array(4096))).toBeCloseTo(Math.log(4096), 5);
    const sure = new Float32Array(8).fill(-Infinity);
    sure[3] = 0;
    expect(entropyOf(sure)).toBe(0);
  });

  it('does not depend on a constant shift (logits and log-probs agree)', () => {
    const x = Float32Array.of(1, 2, 3, 0.5);
    const shifted = x.map((v) => v - 7);
    expect(entropyOf(shifted)).toBeCloseTo(entropyOf(x), 6);
    const p = [...x].map(Math.exp);
    const z = p.reduce((a, b) => a + b);
    expect(entropyOf(x)).toBeCloseTo(-p.reduce((h, v) => h + (v / z) * Math.log(v / z), 0), 6);
  });

  it('sums the digits of a token: a uniform student token has the entropy of 4,096 codes', () => {
    const logits = new Float32Array(2 * 4 * 8);
    logits.fill(-30, 32); // second token: every digit certain of level 0 (bar 1e-13)
    for (let d = 0; d < 4; d++) logits[32 + d * 8] = 0;
    const h = digitEntropy(logits, 2, LEVELS);
    expect(h[0]).toBeCloseTo(Math.log(4096), 5);
    expect(h[1]).toBeLessThan(1e-9);
    expect(() => digitEntropy(logits, 3, LEVELS)).toThrow(/3 x 4 x 8/);
  });
});

describe('digits', () => {
  it('round-trips every id and follows the manifest rule (digit 0 varies fastest)', () => {
    expect(digitsOf(1, LEVELS)).toEqual([1, 0, 0, 0]);
    expect(digitsOf(8, LEVELS)).toEqual([0, 1, 0, 0]);
    expect(digitsOf(4095, LEVELS)).toEqual([7, 7, 7, 7]);
    for (let id = 0; id < 4096; id += 37) expect(idOf(digitsOf(id, LEVELS), LEVELS)).toBe(id);
  });

  it('rejects digits out of range', () => {
    expect(() => idOf([8, 0, 0, 0], LEVELS)).toThrow(/digit 0 must be .* 0 to 7/);
    expect(() => idOf([0, 0, 0], LEVELS)).toThrow(/4 digits/);
  });
});

it('lists the most likely candidates with probabilities that sum to one over all ids', () => {
  const x = Float32Array.of(0, Math.log(3), Math.log(2), 0);
  const top = topCandidates(x, 2);
  expect(top.map((c) => c.id)).toEqual([1, 2]);
  expect(top[0]!.p).toBeCloseTo(3 / 7, 6);
  expect(topCandidates(x, 4).reduce((s, c) => s + c.p, 0)).toBeCloseTo(1, 6);
});
