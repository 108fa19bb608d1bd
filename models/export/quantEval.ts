/**
 * The int8 student against the float one, both as the browser runs them: onnxruntime-web's WASM
 * build, the engine's own memory and retrieval (WorldModelCore), greedy dreams on test windows
 * from 1 and 4 ground-truth frames, every frame scored against the truth (mean per-frame PSNR of
 * the rounded decoded frames, as models/common.py's psnr). Also times both students here (the float
 * student.onnx holds the decoder since models/export/fuse.py, and onnxruntime runs all of it on every
 * run: its ms_per_step then includes a decode).
 *
 *   npx tsx models/export/quantEval.ts --model models/wm-courtyard-v3 --data data/test --windows 16 --horizon 64 \
 *     --out models/wm-courtyard-v3/quant_eval_wasm.json
 *
 * Windows: the first `windows` of the evenly spaced starts whose start + horizon frames lie in one
 * episode (deterministic; not evaluate.py's seeded draw, so compare the two columns with each other).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-common';
import { ModelRunners, asRunnable } from '../../src/engine/runners';
import { RunCounter, WorldModelCore } from '../../src/engine/worldModelCore';
import { readNpy } from '../data/npy';
import { readManifest, wasmRuntime } from './ortNode';
import { cli } from '../cli';
import { PSNR_CAP_DB, psnr as framePsnr } from '../../src/sim/frame';

const HORIZONS = [1, 2, 4, 8, 16, 32, 64, 128];

/** The app's PSNR, capped as every mean of it is (identical frames count PSNR_CAP_DB, as in models/common.py). */
const psnr = (a: Uint8Array, b: Uint8Array): number =>
  Math.min(framePsnr({ width: a.length / 3, height: 1, data: a }, { width: b.length / 3, height: 1, data: b }), PSNR_CAP_DB);

async function main() {
  const a = cli('tsx models/export/quantEval.ts --model DIR [--data data/test] [--windows N >= 1] [--horizon H >= 1] [--out FILE]', {
    model: { type: 'string' },
    data: { type: 'string', default: 'data/test' },
    windows: { type: 'string' },
    horizon: { type: 'string' },
    out: { type: 'string' },
  });
  const dir = a.values.model ?? a.fail('--model DIR is required');
  const data = a.values.data!;
  const windows = a.int('windows', 16, 1);
  const H = a.int('horizon', 64, 1);
  const m = readManifest(dir);
  if (!m.files.student_int8) throw new Error(`${dir}/manifest.json names no student_int8`);
  const { ort: web, open } = await wasmRuntime(dir);
  const encoder = await open(m.files.encoder.path);
  const decoder = await open(m.files.decoder.path);
  const students: Record<string, InferenceSession> = {
    float32: await open(m.files.student.path),
    int8: await open(m.files.student_int8.path),
  };

  const frames = readNpy(join(data, 'frames-00000.npy'));
  const poses = readNpy(join(data, 'poses-00000.npy')).data as Float32Array;
  const actions = readNpy(join(data, 'actions-00000.npy')).data as Float32Array;
  const episode = Array.from(readNpy(join(data, 'episode-00000.npy')).data as ArrayLike<number | bigint>, Number);
  const [, fh, fw] = frames.shape as [number, number, number];
  const px = fh * fw * 3;
  const frame = (i: number) => (frames.data as Uint8Array).subarray(i * px, (i + 1) * px);
  const max = m.action.max;
  const action = (i: number) => Float32Array.from({ length: 5 }, (_, k) => Math.max(-1, Math.min(1, actions[i * 5 + k]! / max[k]!)));
  const pose = (i: number) => poses.subarray(i * 5, i * 5 + 5);

  const span = 4 + H;
  const valid = episode.map((e, i) => i + span <= episode.length && episode[i + span - 1] === e).flatMap((ok, i) => (ok ? [i] : []));
  if (valid.length < windows) throw new Error(`only ${valid.length} windows of ${span} frames in ${data}`);
  const starts = Array.from({ length: windows }, (_, k) => valid[Math.round((k * (valid.length - 1)) / Math.max(1, windows - 1))]!);
  const points = HORIZONS.filter((h) => h <= H);

  const result: Record<string, unknown> = {
    what: 'greedy dream PSNR (dB, mean per-frame) of the float and the int8 student in onnxruntime-web WASM (1 thread, Node), engine memory and retrieval',
    model: m.id,
    data,
    windows,
    starts,
    horizons: points,
  };
  const greedy = { temperature: 0, topK: 0, seed: 0 };
  for (const start of [1, 4]) {
    const table: Record<string, Record<string, number>> = {};
    for (const [name, session] of Object.entries(students)) {
      const r = new ModelRunners(
        web,
        m,
        { encoder: asRunnable(encoder), decoder: asRunnable(decoder), student: asRunnable(session) },
        name === 'int8' ? 'student_int8' : 'student',
      );
      const sums = new Map<number, number>();
      let ms = 0;
      let steps = 0;
      for (const s0 of starts) {
        const core = new WorldModelCore(r, new RunCounter(false));
        await core.anchor(
          Array.from({ length: start }, (_, i) => frame(s0 + i).slice()),
          Array.from({ length: start }, (_, i) => pose(s0 + i)),
          0,
        );
        for (let h = 1; h <= H; h++) {
          const t = s0 + start - 1 + h;
          const t0 = performance.now();
          await core.step('student', action(t - 1), pose(t), greedy, undefined, 32, false);
          ms += performance.now() - t0;
          steps++;
          if (!points.includes(h)) continue;
          const rgb = await r.decode(core.newestTokens());
          const bytes = Uint8Array.from(rgb, (v) => Math.max(0, Math.min(255, Math.round(v))));
          sums.set(h, (sums.get(h) ?? 0) + psnr(bytes, frame(t)));
        }
        core.dispose();
      }
      table[name] = Object.fromEntries(points.map((h) => [`h${h}`, Number(((sums.get(h) ?? 0) / starts.length).toFixed(2))]));
      table[name]!.ms_per_step = Number((ms / steps).toFixed(2));
      console.log(`[quantEval] from ${start}: ${name} ${JSON.stringify(table[name])}`);
    }
    table.int8_minus_float32 = Object.fromEntries(
      points.map((h) => [`h${h}`, Number((table.int8![`h${h}`]! - table.float32![`h${h}`]!).toFixed(2))]),
    );
    result[`start_${start}`] = table;
  }
  const out = a.values.out;
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
