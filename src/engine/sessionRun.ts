/**
 * One run of an onnxruntime session as the runners make it, against onnxruntime's common API
 * (onnxruntime-web in the worker, onnxruntime-node in the tools): keep the outputs asked for,
 * dispose of every other, read a CPU tensor's data.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

export interface OrtApi {
  Tensor: typeof Tensor;
}
/** What the runners need of a session (a counting wrapper is one too). */
export interface Runnable {
  run(feeds: InferenceSession.FeedsType, fetches?: readonly string[]): Promise<InferenceSession.ReturnType>;
}
export const asRunnable = (s: InferenceSession): Runnable => ({
  run: (feeds, fetches) => (fetches ? s.run(feeds, fetches as string[]) : s.run(feeds)),
});

/** Runs a session, keeps the named outputs and disposes of every other output tensor. */
export async function runKeep<K extends string>(
  s: Runnable | undefined,
  feeds: InferenceSession.FeedsType,
  names: readonly K[],
  fetch = false,
) {
  if (!s) throw new Error('model session not loaded');
  const out = await s.run(feeds, fetch ? names : undefined);
  const kept = {} as Record<K, Tensor>;
  for (const n of names) {
    const t = out[n];
    if (!t) throw new Error(`model output '${n}' missing`);
    kept[n] = t;
  }
  for (const [k, t] of Object.entries(out)) if (!(names as readonly string[]).includes(k)) t.dispose();
  return kept;
}

/** The CPU data of a tensor that a session left on the CPU. */
export function cpuData<T extends Tensor['data']>(t: Tensor): T {
  if (t.location !== 'cpu') throw new Error(`expected a CPU tensor, got one on '${t.location}'`);
  return t.data as T;
}
