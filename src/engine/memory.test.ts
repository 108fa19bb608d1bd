import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameMemory, type GeometrySpec, type MemoryRule, coverageRays, retrieve } from './memory';

interface Golden {
  rule: MemoryRule;
  geometry: GeometrySpec;
  retrieval: { memory: number[][]; target: number[]; levels: number[] | null; slots: number[] }[];
  coverage: { target: number[]; source: number[]; rays: number[] }[];
}
const golden = JSON.parse(readFileSync('models/world_model/geometry_golden.json', 'utf8')) as Golden;

describe('memory retrieval (golden vectors from models/world_model)', () => {
  it('covers the same target rays as the Python geometry', () => {
    for (const c of golden.coverage) {
      expect(Array.from(coverageRays(c.target, c.source, golden.rule.coverage_grid, golden.geometry))).toEqual(c.rays);
    }
  });

  it('picks the same frames as the Python rule', () => {
    expect(golden.retrieval.length).toBeGreaterThan(20);
    for (const c of golden.retrieval)
      expect(retrieve(c.memory, c.target, golden.rule, golden.geometry, c.levels ?? undefined)).toEqual(c.slots);
    expect(golden.retrieval.some((c) => c.levels)).toBe(true);
  });

  it('brings back what was seen when turning around: a 360-degree spin retrieves its first frames', () => {
    const spin = Array.from({ length: 72 }, (_, t) => [0, 1.7, 0, 0.09 * t, 0]);
    const slots = retrieve(spin.slice(0, 71), [0, 1.7, 0, 0.09 * 71 - 2 * Math.PI + 0.1, 0], golden.rule, golden.geometry);
    expect(slots[0]).toBe(70);
    expect(slots.slice(1).some((i) => i < 6)).toBe(true);
  });

  it('prefers ground truth to a predicted frame of nearly the same view', () => {
    const spin = Array.from({ length: 72 }, (_, t) => [0, 1.7, 0, 0.09 * t, 0]);
    const target = [0, 1.7, 0, 0.09 * 72 - 2 * Math.PI, 0];
    const dream = spin.map((_, i) => (i === 0 ? 0 : 0.15));
    expect(retrieve(spin, target, golden.rule, golden.geometry, dream).slice(1)).toContain(0);
  });

  it('keeps the newest first, then nothing for an empty memory, and the newest frames under the recent rule', () => {
    expect(retrieve([], [0, 1.7, 0, 0, 0], golden.rule, golden.geometry)).toEqual([]);
    const line = Array.from({ length: 10 }, (_, t) => [0, 1.7, -0.2 * t, 0, 0]);
    expect(retrieve(line, [0, 1.7, -2, 0, 0], { ...golden.rule, rule: 'recent' }, golden.geometry)).toEqual([9, 8, 7, 6]);
  });

  it('forgets the oldest frames beyond its capacity', () => {
    const m = new FrameMemory(3);
    for (let s = 0; s < 5; s++) m.add({ tokens: new Int32Array(1), pose: [s, 1.7, 0, 0, 0], level: 0, step: s });
    expect(m.entries.map((e) => e.step)).toEqual([2, 3, 4]);
    expect(m.newest(2).map((e) => e.step)).toEqual([3, 4]);
  });
});

describe('a re-anchor replaces the dream', () => {
  it('forgets every one of the model’s own frames and keeps every true one', () => {
    const m = new FrameMemory(100);
    const here = [2, 1.7, 3, 0.5, 0];
    m.add({ tokens: new Int32Array(1), pose: here, level: 0, step: 0 }); // a true frame here: kept
    m.add({ tokens: new Int32Array(1), pose: here, level: 0.15, step: 1 }); // imagined, same view: gone
    m.add({ tokens: new Int32Array(1), pose: [4, 1.7, 3, 0.5, 0], level: 0.15, step: 2 }); // imagined, 2 m away: gone
    m.add({ tokens: new Int32Array(1), pose: [-9, 1.7, 3, 2, 0], level: 0, step: 3 }); // true, elsewhere: kept
    m.add({ tokens: new Int32Array(1), pose: [2, 1.7, 3, 0.5 + Math.PI, 0], level: 0.15, step: 4 }); // imagined, behind: gone
    expect(m.forgetImagined()).toBe(3);
    expect(m.entries.map((e) => e.step)).toEqual([0, 3]);
    expect(m.forgetImagined()).toBe(0);
  });
});
