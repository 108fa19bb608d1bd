/**
 * Milliseconds per run of ONNX graphs in onnxruntime-web's WASM build (the browser's kernels, here
 * in Node), one thread, graph optimization 'basic' as the app: each graph's inputs are filled with
 * a smooth ramp, int32 ones with small ids (the shapes come from the graph, every dimension
 * fixed). Prints JSON.
 *
 *   npx tsx models/export/timeGraphs.ts [--runs 30] FILE.onnx [...]
 *
 * models/export/op_bench.py builds the graphs it times (the student's ops, float vs int8).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cli } from '../cli';

async function main() {
  const a = cli('tsx models/export/timeGraphs.ts [--runs N >= 3] FILE.onnx [...]', { runs: { type: 'string' } });
  const runs = a.int('runs', 30, 3);
  const files = a.positionals;
  if (!files.length) a.fail('name at least one .onnx file');
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const out: Record<string, { p50: number; min: number }> = {};
  for (const f of files) {
    const s = await ort.InferenceSession.create(readFileSync(f), { executionProviders: ['wasm'], graphOptimizationLevel: 'basic' });
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const meta of s.inputMetadata) {
      const shape = (meta as { shape?: (number | string)[] }).shape ?? [];
      if (!shape.every((d) => typeof d === 'number')) throw new Error(`${f}: input ${meta.name} needs fixed dimensions`);
      const n = (shape as number[]).reduce((a, b) => a * b, 1);
      // int32 inputs (token ids, top-k) get small positive values, valid for any of them
      feeds[meta.name] =
        (meta as { type?: string }).type === 'int32'
          ? new ort.Tensor(
              'int32',
              Int32Array.from({ length: n }, (_, i) => ((i * 37) % 8) + 1),
              shape as number[],
            )
          : new ort.Tensor(
              'float32',
              Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5),
              shape as number[],
            );
    }
    for (let i = 0; i < 3; i++) await s.run(feeds);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await s.run(feeds);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    out[basename(f, '.onnx')] = { p50: Number(ms[runs >> 1]!.toFixed(3)), min: Number(ms[0]!.toFixed(3)) };
    await s.release();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
