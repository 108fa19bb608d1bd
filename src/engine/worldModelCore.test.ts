/**
 * The engine's logic on the shipped model, in onnxruntime-node: the worker runs this same code on
 * onnxruntime-web. Token-level parity with the PyTorch rollouts that export.py wrote (golden),
 * determinism of seeded sampling, run counting and bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunners, readGolden, type GoldenTensor } from '../../models/export/ortNode';
import { RunCounter, WorldModelCore } from './worldModelCore';

const DIR = 'models/wm-courtyard-v1';
let golden: Record<string, GoldenTensor>;
let counter: RunCounter;
let make: () => WorldModelCore;

beforeAll(async () => {
  golden = readGolden(DIR);
  counter = new RunCounter(false);
  const runners = await loadRunners(DIR, 2, (s) => counter.wrap(s));
  make = () => new WorldModelCore(runners, counter);
}, 60_000);

const g = (k: string) => golden[k]!;
function goldenFrames(count: number): Uint8Array[] {
  const f = g('frames');
  const px = f.shape[1]! * f.shape[2]! * 3;
  return Array.from({ length: count }, (_, i) => (f.data as Uint8Array).slice(i * px, (i + 1) * px));
}
const goldenAction = (i: number) => (g('actions').data as Float32Array).slice(i * 5, i * 5 + 5);
const greedy = { temperature: 0, topK: 0, seed: 0 };

async function rollout(core: WorldModelCore, steps: number, sampling = greedy, model: 'student' | 'teacher' = 'student') {
  const K = core.K;
  await core.anchor(goldenFrames(K), Array.from({ length: K - 1 }, (_, i) => goldenAction(i)), sampling.seed);
  const frames: Uint8Array[] = [];
  const tokens: Int32Array[] = [];
  for (let i = 0; i < steps; i++) {
    frames.push((await core.step(model, goldenAction(K - 1 + i), sampling)).frame!);
    tokens.push((await core.contextTokens()).slice((K - 1) * core.n));
  }
  return { frames, tokens };
}

describe('WorldModelCore on wm-courtyard-v1', () => {
  it('anchors on the ground truth with the encoder tokens that PyTorch computed', async () => {
    const core = make();
    await core.anchor(goldenFrames(core.K), [0, 1, 2].map(goldenAction), 0);
    await expect(core.anchor(goldenFrames(2), [], 0)).rejects.toThrow(/action 0/);
    const want = (g('encoded').data as Int32Array).slice(0, core.K * core.n);
    expect(Array.from(await core.contextTokens())).toEqual(Array.from(want));
    core.dispose();
  });

  it('rolls the student out greedily token for token as the PyTorch reference', async () => {
    const core = make();
    const steps = g('student_greedy').shape[0]!;
    const { tokens, frames } = await rollout(core, steps);
    const want = g('student_greedy').data as Int32Array;
    for (let i = 0; i < steps; i++) expect(Array.from(tokens[i]!)).toEqual(Array.from(want.subarray(i * core.n, (i + 1) * core.n)));
    // The first frame's pixels are the golden decode, rounded.
    const dec = g('decoded0').data as Float32Array;
    let worst = 0;
    for (let i = 0; i < dec.length; i++) worst = Math.max(worst, Math.abs(frames[0]![i]! - Math.min(255, Math.max(0, Math.round(dec[i]!)))));
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
    // Sampling really samples: greedy picks differ from a temperature-1 draw.
    const gr = await rollout(make(), 1);
    expect(Array.from(gr.tokens[0]!)).not.toEqual(Array.from(a.tokens[0]!));
  });

  it('costs 2 runs a student frame (student + decoder) and reports its stages', async () => {
    const core = make();
    await core.anchor(goldenFrames(2), [goldenAction(0)], 0);
    const { stats, frame } = await core.step('student', goldenAction(1), greedy);
    expect(stats.runs).toBe(2);
    expect(stats.readbacks).toBe(0); // nothing lives on a GPU in onnxruntime-node
    expect(stats.predictMs).toBeGreaterThan(0);
    expect(stats.decodeMs).toBeGreaterThan(0);
    expect(frame!.length).toBe(128 * 128 * 3);
    // Without decoding (the WASM pipeline's first stage): 1 run, and the tokens come back.
    const r = await core.step('student', goldenAction(2), greedy, undefined, 32, false);
    expect(r.stats.runs).toBe(1);
    expect(r.frame).toBeNull();
    expect(Array.from(r.tokens!)).toEqual(Array.from((await core.contextTokens()).slice((core.K - 1) * core.n)));
    core.dispose();
  });

  it('decodes the teacher token by token as PyTorch does, showing partial frames', async () => {
    const core = make();
    const K = core.K;
    await core.anchor(goldenFrames(K), Array.from({ length: K - 1 }, (_, i) => goldenAction(i)), 0);
    const partial: number[] = [];
    const { stats } = await core.step('teacher', goldenAction(K - 1), greedy, (_f, n) => partial.push(n), 64);
    const got = (await core.contextTokens()).slice((K - 1) * core.n);
    expect(Array.from(got)).toEqual(Array.from((g('teacher_greedy').data as Int32Array).subarray(0, core.n)));
    expect(partial).toEqual([64, 128, 192]);
    // K prefills + K teacher_prev + 256 tokens, 3 partial decodes and the final decode
    expect(stats.runs).toBe(2 * K + core.n + 3 + 1);
    core.dispose();
  }, 60_000);

  it('rejects bad input with a clear error and keeps its state', async () => {
    const core = make();
    await expect(core.step('student', new Float32Array(5), greedy)).rejects.toThrow(/not anchored/);
    await expect(core.anchor([new Uint8Array(10)], [], 0)).rejects.toThrow(/128x128 RGB/);
    await core.anchor(goldenFrames(1), [], 0);
    const before = await core.contextTokens();
    await expect(core.step('student', Float32Array.of(0, NaN, 0, 0, 0), greedy)).rejects.toThrow(/finite/);
    await expect(core.step('student', new Float32Array(5), { temperature: -1, topK: 0, seed: 0 })).rejects.toThrow(/temperature/);
    await expect(core.step('student', new Float32Array(5), { temperature: 1, topK: 99, seed: 0 })).rejects.toThrow(/top-k/);
    expect(Array.from(await core.contextTokens())).toEqual(Array.from(before));
    core.dispose();
  });
});
