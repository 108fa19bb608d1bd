import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AtlasIndex, type AtlasRule, parseAtlas } from './atlas';
import { type GeometrySpec, type MemoryRule, retrieve } from './memory';

interface Golden {
  rule: MemoryRule;
  geometry: GeometrySpec;
  atlas: {
    rule: AtlasRule;
    poses: number[][];
    cases: { memory: number[][]; target: number[]; levels: number[] | null; candidates: number[]; slots: number[] }[];
    packed: { ids: number[][]; bytes: number[] };
  };
}
const golden = JSON.parse(readFileSync('models/world_model/geometry_golden.json', 'utf8')) as Golden;
const { atlas } = golden;

describe('atlas retrieval (golden vectors from models/world_model)', () => {
  const index = new AtlasIndex(Float64Array.from(atlas.poses.flat()), atlas.rule);

  it('finds the same atlas candidates through its spatial index', () => {
    expect(atlas.cases.length).toBeGreaterThan(15);
    for (const c of atlas.cases) expect(index.candidates(c.target)).toEqual(c.candidates);
  });

  it('picks the same slots from session memory and atlas with the one rule', () => {
    let atlasPicks = 0;
    for (const c of atlas.cases) {
      const extra = c.candidates.map((i) => index.pose(i));
      const slots = retrieve(c.memory, c.target, golden.rule, golden.geometry, c.levels, extra);
      expect(slots).toEqual(c.slots);
      atlasPicks += slots.filter((s) => s >= c.memory.length).length;
    }
    expect(atlasPicks).toBeGreaterThan(5); // the golden cases do exercise the atlas
  });

  it('reads the 12-bit packed token file and its poses', () => {
    const { ids, bytes } = atlas.packed;
    const n = ids[0]!.length;
    const buf = new ArrayBuffer(bytes.length + ids.length * 20);
    new Uint8Array(buf).set(bytes);
    const view = new DataView(buf, bytes.length);
    for (let i = 0; i < ids.length * 5; i++) view.setFloat32(i * 4, i * 0.5, true);
    const a = parseAtlas(buf, ids.length, n);
    expect(Array.from(a.tokens)).toEqual(ids.flat());
    expect(a.poses[7]).toBe(3.5);
    expect(() => parseAtlas(buf.slice(1), ids.length, n)).toThrow(/bytes/);
  });

  it('answers from the cells within its radius over a 9,000-frame atlas', () => {
    const poses = new Float64Array(9000 * 5);
    for (let i = 0; i < 9000; i++) poses.set([((i * 37) % 66) - 33, 1.7, ((i * 53) % 66) - 33, (i % 8) * 0.785, 0], i * 5);
    const big = new AtlasIndex(poses, atlas.rule);
    const cands = big.candidates([0, 1.7, 0, 0, 0]);
    expect(cands.length).toBe(atlas.rule.candidates);
    for (const i of cands) expect(Math.hypot(poses[i * 5]!, poses[i * 5 + 2]!)).toBeLessThanOrEqual(atlas.rule.radius_m);
  });
});
