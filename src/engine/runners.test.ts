/**
 * The TypeScript side of the student's inputs: every run the engine makes feeds each graph exactly
 * the inputs the graph declares, the student's in the manifest's order. models/tests checks the
 * Python side (StudentInputs in graphs.py) against the same graphs and manifest, so a new input
 * that one language forgets fails a test.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { beforeAll, expect, it } from 'vitest';
import { loadRunners, readGolden } from '../../models/export/ortNode';
import { MODEL_ID, type Manifest } from './manifest';
import { RunCounter, WorldModelCore } from './worldModelCore';

const DIR = `models/${MODEL_ID}`;
const runs: { declared: readonly string[]; fed: string[] }[] = [];
let core: WorldModelCore;
let manifest: Manifest;

beforeAll(async () => {
  const counter = new RunCounter(false);
  const runners = await loadRunners(DIR, 1, (s: InferenceSession) => {
    const inner = counter.wrap(s);
    return { run: (feeds, fetches) => (runs.push({ declared: s.inputNames, fed: Object.keys(feeds) }), inner.run(feeds, fetches)) };
  });
  manifest = runners.manifest;
  core = new WorldModelCore(runners, counter);
}, 60_000);

it('feeds every graph exactly its declared inputs, the student in the manifest order', async () => {
  const golden = readGolden(DIR);
  const f = golden.frames!;
  const px = f.shape[1]! * f.shape[2]! * 3;
  const pose = Array.from((golden.poses!.data as Float32Array).slice(0, 5));
  await core.anchor([(f.data as Uint8Array).slice(0, px)], [pose], 0);
  await core.step('student', new Float32Array(5), pose, { temperature: 0, topK: 0, seed: 0 });
  await core.compare(new Float32Array(5), pose); // the teacher's graphs too
  expect(runs.length).toBeGreaterThan(3);
  for (const r of runs) expect([...r.fed].sort()).toEqual([...r.declared].sort());
  const student = manifest.files.student.inputs.map((t) => t.name);
  const studentRun = runs.find((r) => r.declared.includes('uniform'))!;
  expect(studentRun.fed).toEqual(student);
});
