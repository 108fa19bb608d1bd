/**
 * How long the student's memory retrieval (src/engine/memory.ts, and the atlas index of
 * src/engine/atlas.ts, run in the inference worker before every student run) takes as the memory
 * fills, in Node (V8, as in Chrome), with the shipped model's atlas and without it:
 *
 *   npx tsx e2e/retrievalBench.ts            # -> e2e/retrieval-bench.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AtlasIndex, parseAtlas } from '../src/engine/atlas';
import { FrameMemory, type MemoryEntry } from '../src/engine/memory';
import { MODEL_ID } from '../src/engine/manifest';

const dir = `models/${MODEL_ID}`;
const m = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8'));
const atlas = m.atlas
  ? (() => {
      const buf = readFileSync(`${dir}/${m.atlas.path}`);
      const frames = parseAtlas(
        buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
        m.atlas.frames,
        m.atlas.grid[0] * m.atlas.grid[1],
      );
      return { frames, index: new AtlasIndex(frames.poses, m.atlas.retrieval) };
    })()
  : null;

const targets = Array.from({ length: 40 }, (_, k) => [Math.sin(k) * 20, 1.7, Math.cos(k * 0.7) * 20, k / 10, 0]);
const time = (f: (t: number[]) => void) => {
  for (let k = 0; k < 5; k++) f(targets[k]!); // warm-up
  const t0 = performance.now();
  for (const t of targets) f(t);
  return Math.round(((performance.now() - t0) / targets.length) * 1000) / 1000;
};
const extra = (t: number[]): MemoryEntry[] =>
  atlas
    ? atlas.index.candidates(t).map((i) => ({
        tokens: atlas.frames.tokens.subarray(i * 256, (i + 1) * 256),
        pose: atlas.index.pose(i),
        level: 0,
        step: -1,
        atlas: i,
      }))
    : [];

const out: Record<string, number> = {};
for (const size of [10, 100, 300, 1025]) {
  const mem = new FrameMemory(m.student.memory.capacity);
  // a walk round a circle, looking along it: many frames overlap the target views
  for (let i = 0; i < size; i++)
    mem.add({
      tokens: new Int32Array(256),
      pose: [Math.sin(i / 30) * 10, 1.7, Math.cos(i / 30) * 10, i / 20, 0],
      level: i % 5 ? 0.15 : 0,
      step: i,
    });
  out[`remembered_${size}`] = time((t) => mem.pick(t, m.student.memory, m.student.geometry));
  if (atlas) out[`remembered_${size}_with_atlas`] = time((t) => mem.pick(t, m.student.memory, m.student.geometry, extra(t)));
}
const atlasMs = atlas ? { atlas_index_candidates: time((t) => atlas.index.candidates(t)), atlas_candidates_and_cover_1_frame: 0 } : {};
if (atlas) {
  const one = new FrameMemory(2);
  one.add({ tokens: new Int32Array(256), pose: [0, 1.7, 0, 0, 0], level: 0, step: 0 });
  atlasMs.atlas_candidates_and_cover_1_frame = time((t) => one.pick(t, m.student.memory, m.student.geometry, extra(t)));
}
const result = {
  what: 'ms per memory retrieval (FrameMemory.pick) in Node, by frames remembered, with and without the atlas candidates; and the atlas index alone',
  date: new Date().toISOString(),
  atlasFrames: m.atlas?.frames ?? 0,
  msPerRetrieval: out,
  atlas: atlasMs,
};
writeFileSync('e2e/retrieval-bench.json', JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result));
