/**
 * The yardstick for bench.json: a plain n x n MatMul (models/probes/matmul-<n>.onnx) timed on the
 * backend the model runs on, so a frame's FLOP/s can be read against what the runtime reaches.
 */
import type { BackendName } from '../protocol';
import type { Ort } from './backend';

export async function benchMatMul(
  ort: Ort,
  backend: BackendName,
  url: string,
  size: number,
  runs: number,
): Promise<{ flops: number; ms: number[] }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const session = await ort.InferenceSession.create(new Uint8Array(await res.arrayBuffer()), { executionProviders: [backend] });
  try {
    const x = new ort.Tensor('float32', Float32Array.of(0), [1]);
    const ms: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const out = await session.run({ x });
      const y = out.y!.data[0] as number;
      const dt = performance.now() - t0;
      // ones @ (0.001 * ones) summed: a wrong kernel would show here.
      if (Math.abs(y - size ** 3 * 0.001) > size ** 3 * 1e-4) throw new Error(`MatMul probe computed ${y}, expected ${size ** 3 * 0.001}`);
      out.y!.dispose();
      if (i > 0) ms.push(dt); // the first run compiles
    }
    return { flops: 2 * size ** 3, ms };
  } finally {
    await session.release();
  }
}
