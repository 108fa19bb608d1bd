/**
 * The engine's logic on the shipped model, in onnxruntime-node: the worker runs this same code on
 * onnxruntime-web. Token-level parity with the PyTorch rollouts that export.py wrote (golden: memory
 * retrieval, re-projection inside the graph, sampling), determinism of seeded sampling, what each
 * prediction reports of its memory, run counting and bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunners, readAtlas, readGolden, type GoldenTensor } from '../../models/export/ortNode';
import { MODEL_ID } from './manifest';
import { RunCounter, WorldModelCore } from './worldModelCore';

const DIR = `models/${MODEL_ID}`;
let golden: Record<string, GoldenTensor>;
let counter: RunCounter;
let make: () => WorldModelCore;

beforeAll(async () => {
  golden = readGolden(DIR);
  counter = new RunCounter(false);
  const runners = await loadRunners(DIR, 2, (s) => counter.wrap(s));
  const atlas = readAtlas(DIR, runners.manifest);
  // As the worker runs it: with the model's atlas (the golden rollouts retrieved from it too).
  make = () => {
    const core = new WorldModelCore(runners, counter);
    core.setAtlas(atlas);
    return core;
  };
}, 60_000);

const g = (k: string) => golden[k]!;
function goldenFrames(count: number): Uint8Array[] {
  const f = g('frames');
  const px = f.shape[1]! * f.shape[2]! * 3;
  return Array.from({ length: count }, (_, i) => (f.data as Uint8Array).slice(i * px, (i + 1) * px));
}
const goldenAction = (i: number) => (g('actions').data as Float32Array).slice(i * 5, i * 5 + 5);
const goldenPose = (i: number) => Array.from((g('poses').data as Float32Array).slice(i * 5, i * 5 + 5));
const greedy = { temperature: 0, topK: 0, seed: 0 };

/** Starts from `start` ground-truth frames, then predicts frame start + i at its true pose. */
async function rollout(core: WorldModelCore, steps: number, sampling = greedy, model: 'student' | 'teacher' = 'student', start = 1) {
  const idx = Array.from({ length: start }, (_, i) => i);
  await core.anchor(goldenFrames(start), idx.map(goldenPose), sampling.seed);
  const frames: Uint8Array[] = [];
  const tokens: Int32Array[] = [];
  for (let i = 0; i < steps; i++) {
    const t = start + i;
    frames.push((await core.step(model, goldenAction(t - 1), goldenPose(t), sampling)).frame!);
    tokens.push(core.newestTokens().slice());
  }
  return { frames, tokens };
}

describe(`WorldModelCore on ${MODEL_ID}`, () => {
  it('remembers the ground truth with the encoder tokens that PyTorch computed', async () => {
    const core = make();
    await core.anchor(goldenFrames(2), [goldenPose(0), goldenPose(1)], 0);
    await expect(core.anchor(goldenFrames(2), [goldenPose(0)], 0)).rejects.toThrow(/one pose per frame/);
    const want = (g('encoded').data as Int32Array).slice(core.n, 2 * core.n);
    expect(Array.from(core.newestTokens())).toEqual(Array.from(want));
    expect(core.memory.size).toBe(2);
    core.dispose();
  });

  it('rolls the student out greedily token for token as the PyTorch reference, retrieval included', async () => {
    const core = make();
    const steps = g('student_greedy').shape[0]!;
    const { tokens, frames } = await rollout(core, steps);
    const want = g('student_greedy').data as Int32Array;
    for (let i = 0; i < steps; i++) expect(Array.from(tokens[i]!)).toEqual(Array.from(want.subarray(i * core.n, (i + 1) * core.n)));
    const dec = g('decoded0').data as Float32Array;
    let worst = 0;
    for (let i = 0; i < dec.length; i++)
      worst = Math.max(worst, Math.abs(frames[0]![i]! - Math.min(255, Math.max(0, Math.round(dec[i]!)))));
    expect(worst).toBeLessThanOrEqual(1);
    core.dispose();
  });

  it('gives identical frames for the same seed and different ones for another', async () => {
    const sampling = { temperature: 1, topK: 4, seed: 7 };
    const a = await rollout(make(), 3, sampling);
    const b = await rollout(make(), 3, sampling);
    const c = await rollout(make(), 3, { ...sampling, seed: 8 });
    expect(a.frames.map((f) => Array.from(f))).toEqual(b.frames.map((f) => Array.from(f)));
    expect(Array.from(a.tokens[2]!)).not.toEqual(Array.from(c.tokens[2]!));
    const gr = await rollout(make(), 1);
    expect(Array.from(gr.tokens[0]!)).not.toEqual(Array.from(a.tokens[0]!));
  });

  it('costs 1 run a decoded student frame (the decoder is fused into student.onnx) and reports the memory frames it used', async () => {
    const core = make();
    await core.anchor(goldenFrames(2), [goldenPose(0), goldenPose(1)], 0);
    const { stats, frame } = await core.step('student', goldenAction(1), goldenPose(2), greedy);
    expect(stats.runs).toBe(1);
    expect(stats.readbacks).toBe(0); // nothing lives on a GPU in onnxruntime-node
    expect(stats.predictMs).toBeGreaterThan(0);
    expect(stats.decodeMs).toBe(0); // decoded inside the student's run
    expect(frame!.length).toBe(128 * 128 * 3);
    // The newest frame comes first; every slot names a remembered frame with its pose and level.
    expect(stats.slots[0]).toEqual({ step: 1, pose: goldenPose(1), level: 0 });
    expect(stats.memoryFrames).toBe(3);
    expect(stats.step).toBe(2);
    // Without decoding (the WASM pipeline's first stage): 1 run, and the tokens come back.
    const r = await core.step('student', goldenAction(2), goldenPose(3), greedy, undefined, 32, false);
    expect(r.stats.runs).toBe(1);
    expect(r.frame).toBeNull();
    expect(Array.from(r.tokens!)).toEqual(Array.from(core.newestTokens()));
    expect(r.stats.slots[0]!.level).toBe(core.manifest.student.level_pred);
    core.dispose();
  });

  it('shows where the copy path copies: a gate per token over generating and each slot, copying where memory sees the view', async () => {
    const core = make();
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0);
    // Standing where the true frame was taken: its re-projection is exact, so much of the frame can be copied.
    const here = await core.step('student', new Float32Array(5), goldenPose(0), greedy, undefined, 32, true, true);
    const K = 1 + core.manifest.student.slots;
    const gate = here.insight.copyGate!;
    expect(gate).toHaveLength(core.n * K);
    let copied = 0;
    for (let t = 0; t < core.n; t++) {
      const row = gate.subarray(t * K, (t + 1) * K);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      copied += 1 - row[0]!;
    }
    const share = copied / core.n;
    // Not asked for (no view reads it): no gate, and no cost.
    const plain = await core.step('student', new Float32Array(5), goldenPose(0), greedy, undefined, 32, true, false);
    expect(plain.insight.copyGate).toBeNull();
    // The teacher copies too (v3), but teacher_step gives log-probabilities only: no gate to show.
    const teacher = await core.step('teacher', new Float32Array(5), goldenPose(0), greedy, undefined, 32, true, true);
    expect(teacher.insight.copyGate).toBeNull();
    expect(share).toBeGreaterThan(0.5); // 0.84 measured
    core.dispose();
  });

  it('keeps the true frames across a re-anchor (its own frames go) and forgets everything on a reset', async () => {
    const core = make();
    await rollout(core, 2);
    expect(core.memory.size).toBe(3);
    const before = core.memory.entries.map((e) => ({ step: e.step, level: e.level, pose: [...e.pose] }));
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0, false);
    // Kept: every true frame, the new truth the newest; the model's own frames are gone.
    expect(before.some((e) => e.level > 0)).toBe(true);
    expect(core.memory.entries.map((e) => e.step)).toEqual([
      ...before.filter((e) => e.level === 0).map((e) => e.step),
      core.memory.entries[core.memory.size - 1]!.step,
    ]);
    expect(core.memory.entries[core.memory.size - 1]!.level).toBe(0);
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0, true);
    expect(core.memory.size).toBe(1);
    core.dispose();
  });

  it('decodes the teacher token by token as PyTorch does, showing partial frames', async () => {
    const core = make();
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0);
    const partial: number[] = [];
    const { stats } = await core.step('teacher', goldenAction(0), goldenPose(1), greedy, (_f, n) => partial.push(n), 64);
    expect(Array.from(core.newestTokens())).toEqual(Array.from((g('teacher_greedy').data as Int32Array).subarray(0, core.n)));
    expect(partial).toEqual([64, 128, 192]);
    expect(stats.slots.filter((s) => s.atlas === undefined).map((s) => s.level)).toEqual([0]);
    // teacher_prev once + 256 tokens, 3 partial decodes and the final decode
    expect(stats.runs).toBe(1 + core.n + 3 + 1);
    core.dispose();
  }, 60_000);

  it('steps the teacher one token at a time to the same frame, counting its cache, then remembers it', async () => {
    const core = make();
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0);
    const want = Array.from((g('teacher_greedy').data as Int32Array).subarray(0, core.n));
    let r = await core.teacherTokens({ action: goldenAction(0), pose: goldenPose(1) }, 1, greedy);
    expect(r.position).toBe(0);
    expect(r.token).toBe(want[0]);
    expect(r.candidates[0]!.id).toBe(want[0]); // greedy takes the most likely
    expect(r.candidates.reduce((a, c) => a + c.p, 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(r.kvPositions).toBe(1);
    expect(r.done).toBe(false);
    expect(core.memory.size).toBe(1);
    r = await core.teacherTokens(null, 16, greedy);
    expect([r.position, r.kvPositions]).toEqual([16, 17]);
    expect(r.kvBytes).toBe(17 * 2 * 2 * 4 * 32 * 4);
    r = await core.teacherTokens(null, 1000, greedy);
    expect(r.done).toBe(true);
    expect(Array.from(core.newestTokens())).toEqual(want);
    expect(r.insight!.entropy!.every((h) => h >= 0 && h <= Math.log(4096) + 1e-3)).toBe(true);
    expect(core.memory.size).toBe(2);
    await expect(core.teacherTokens(null, 1, greedy)).rejects.toThrow(/no teacher frame in progress/);
    core.dispose();
  }, 60_000);

  it('compares teacher and student on the same step without remembering either', async () => {
    const core = make();
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0);
    const c = await core.compare(goldenAction(0), goldenPose(1));
    expect(core.memory.size).toBe(1);
    expect(Array.from(c.teacher.tokens)).toEqual(Array.from((g('teacher_greedy').data as Int32Array).subarray(0, core.n)));
    const same = c.agree.reduce((a, b) => a + b, 0);
    expect(c.agreement).toBeCloseTo(same / core.n, 9);
    expect(c.agreement).toBeGreaterThan(0);
    const student = await core.step('student', goldenAction(0), goldenPose(1), greedy);
    expect(Array.from(c.student.tokens)).toEqual(Array.from(student.insight.tokens));
    core.dispose();
  }, 60_000);

  it('shows an atlas slot as its frame decoded, and refuses a frame the atlas does not have', async () => {
    const core = make();
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0);
    const stats = (await core.step('student', goldenAction(0), goldenPose(1), greedy)).stats;
    const slot = stats.slots.find((s) => s.atlas !== undefined);
    expect(slot).toBeDefined(); // the golden start retrieves atlas frames beside the anchored one
    const k = slot!.atlas!;
    const pic = await core.atlasFrame(k);
    expect(pic.length).toBe(core.manifest.frame.height * core.manifest.frame.width * 3);
    const other = await core.atlasFrame(k === 0 ? 1 : 0);
    let diff = 0;
    for (let i = 0; i < pic.length; i++) diff += Math.abs(pic[i]! - other[i]!);
    expect(diff / pic.length).toBeGreaterThan(5); // two places of the courtyard, not one picture for every slot
    await expect(core.atlasFrame(-1)).rejects.toThrow(/atlas frame must be a whole number/);
    await expect(core.atlasFrame(1e9)).rejects.toThrow(RangeError);
    core.dispose();
  });

  it('rejects bad input with a clear error and keeps its state', async () => {
    const core = make();
    const pose = goldenPose(1);
    await expect(core.step('student', new Float32Array(5), pose, greedy)).rejects.toThrow(/not anchored/);
    await expect(core.anchor([new Uint8Array(10)], [pose], 0)).rejects.toThrow(/128x128 RGB/);
    await core.anchor(goldenFrames(1), [goldenPose(0)], 0);
    const before = core.newestTokens().slice();
    await expect(core.step('student', Float32Array.of(0, NaN, 0, 0, 0), pose, greedy)).rejects.toThrow(/finite/);
    await expect(core.step('student', new Float32Array(5), [0, NaN, 0, 0, 0], greedy)).rejects.toThrow(/pose must be 5 finite/);
    await expect(core.step('student', new Float32Array(5), [0, 1], greedy)).rejects.toThrow(/pose must be 5 finite/);
    await expect(core.step('student', new Float32Array(5), pose, { temperature: -1, topK: 0, seed: 0 })).rejects.toThrow(/temperature/);
    await expect(core.step('student', new Float32Array(5), pose, { temperature: 1, topK: 99, seed: 0 })).rejects.toThrow(/top-k/);
    expect(Array.from(core.newestTokens())).toEqual(Array.from(before));
    expect(core.memory.size).toBe(1);
    core.dispose();
  });
});
