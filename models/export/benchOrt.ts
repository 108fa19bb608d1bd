/**
 * Milliseconds per predicted frame in onnxruntime-node on this CPU: the student (one run) and the
 * decoder, and the teacher (prefill of the context frames + one run per token), on the golden
 * frames' encoded context, greedy. Writes JSON.
 *
 *   npx tsx models/export/benchOrt.ts --model models/wm-courtyard-v1 --frames 30 --out bench-ort.json
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { argmax } from '../../src/engine/runners';
import { loadRunners, readGolden } from './ortNode';
import { cli } from '../cli';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const a = cli('tsx models/export/benchOrt.ts --model DIR [--frames N >= 1] [--threads T >= 1] [--out FILE]', {
    model: { type: 'string' },
    frames: { type: 'string' },
    threads: { type: 'string' },
    out: { type: 'string' },
  });
  const dir = a.values.model ?? a.fail('--model DIR is required');
  const frames = a.int('frames', 30, 1);
  const threads = a.int('threads', cpus().length, 1);
  const r = await loadRunners(dir, threads);
  const g = readGolden(dir);
  const m = r.manifest;
  const n = r.n;
  const M = m.student.slots;
  const encoded = g.encoded!.data as Int32Array;
  const L = Math.max(...m.tokens.fsq_levels);
  const uniform = new Float32Array(n * m.tokens.fsq_levels.length * L).fill(0.5);
  const ctx = encoded.slice(0, n);
  const pose = [0, 1.7, 0, 0, 0];
  const inputs = {
    memTokens: encoded.slice(0, M * n),
    memPoses: Float32Array.from({ length: M * 5 }, (_, i) => pose[i % 5]! + (i % 5 === 3 ? 0.05 * Math.floor(i / 5) : 0)),
    memLevel: new Float32Array(M),
    memValid: new Float32Array(M).fill(1),
    targetPose: Float32Array.from(pose),
    action: new Float32Array(5),
    memSource: new Float32Array(M),
  };

  const time = async (count: number, fn: () => Promise<unknown>) => {
    await fn(); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    return {
      ms_per_frame: Number(median(ms).toFixed(2)),
      mean_ms: Number((ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(2)),
      frames: count,
    };
  };
  // student.onnx holds the decoder (fuse.py) and onnxruntime runs all of it, so this is a decoded frame
  const student = await time(frames, () => r.studentStep(inputs, { temperature: 0, topK: L, uniform }));
  const decoder = await time(frames, () => r.decode(ctx.subarray(0, n)));
  const teacherFrames = Math.max(1, Math.round(frames / 3));
  let runs = 0;
  const teacher = await time(teacherFrames, async () => {
    runs = (await r.teacherFrame(inputs, argmax)).runs;
  });
  const report = {
    what: 'median ms per predicted frame, onnxruntime-node CPU execution provider, batch 1, greedy',
    threads,
    cpu: cpus()[0]?.model ?? 'unknown',
    student: {
      ...student,
      runs_per_frame: 1,
      note: r.fusedStudent ? 'student.onnx with the decoder fused in: one run predicts and decodes a frame' : 'the student alone',
    },
    decoder,
    student_plus_decoder_ms: Number((r.fusedStudent ? student.ms_per_frame : student.ms_per_frame + decoder.ms_per_frame).toFixed(2)),
    teacher: { ...teacher, runs_per_frame: runs },
    teacher_over_student: Number((teacher.ms_per_frame / student.ms_per_frame).toFixed(1)),
  };
  const out = a.values.out;
  if (out) writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
