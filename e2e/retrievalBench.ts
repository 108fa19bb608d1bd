/**
 * How long the student's memory retrieval (src/engine/memory.ts, run on the main thread of the
 * inference worker before every student run) takes as the memory fills, in Node (V8, as in Chrome):
 *
 *   npx tsx e2e/retrievalBench.ts            # -> e2e/retrieval-bench.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { FrameMemory } from '../src/engine/memory';
import { MODEL_ID } from '../src/engine/manifest';

const m = JSON.parse(readFileSync(`models/${MODEL_ID}/manifest.json`, 'utf8'));
const out: Record<string, number> = {};
for (const size of [10, 100, 300, 1025]) {
  const mem = new FrameMemory(m.student.memory.capacity);
  // a walk round a circle, looking along it: many frames overlap the target views
  for (let i = 0; i < size; i++) mem.add({ tokens: new Int32Array(256), pose: [Math.sin(i / 30) * 10, 1.7, Math.cos(i / 30) * 10, i / 20, 0], level: i % 5 ? 0.15 : 0, step: i });
  for (let k = 0; k < 5; k++) mem.pick([1, 1.7, 2, k / 10, 0], m.student.memory, m.student.geometry); // warm-up
  const t0 = performance.now();
  const n = 40;
  for (let k = 0; k < n; k++) mem.pick([1, 1.7, 2, k / 10, 0], m.student.memory, m.student.geometry);
  out[`remembered_${size}`] = Math.round(((performance.now() - t0) / n) * 100) / 100;
}
const result = { what: 'ms per memory retrieval (FrameMemory.pick) in Node, by frames remembered', date: new Date().toISOString(), msPerRetrieval: out };
writeFileSync('e2e/retrieval-bench.json', JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result));
