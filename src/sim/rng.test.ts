import { describe, expect, it } from 'vitest';
import { createRng, mixSeed } from './rng';

describe('rng', () => {
  it('reproduces sequences per seed', () => {
    const a = createRng(42),
      b = createRng(42),
      c = createRng(43);
    const sa = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(sa);
  });

  it('stays in range and is roughly uniform', () => {
    const r = createRng(1);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      buckets[Math.floor(v * 10)]++;
    }
    for (const b of buckets) expect(Math.abs(b - 2000)).toBeLessThan(200);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(3, 5);
      expect([3, 4, 5]).toContain(k);
    }
  });

  it('mixes seeds order-sensitively and rejects non-integers', () => {
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed(1, 2)).toBe(mixSeed(1, 2));
    expect(() => mixSeed(0.5)).toThrow(RangeError);
  });
});

import { createRng as make } from './rng';
it('resumes exactly from a saved state', () => {
  const r = make(42);
  r.next();
  const st = r.save();
  const want = [r.next(), r.next(), r.next()];
  r.next();
  r.load(st);
  expect([r.next(), r.next(), r.next()]).toEqual(want);
  expect(() => r.load([1, 2])).toThrow(/four 32-bit/);
});
