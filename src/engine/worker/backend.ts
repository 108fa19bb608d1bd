/**
 * Picking the runtime: WebGPU when the browser has an adapter (onnxruntime-web's WebGPU build), else
 * multi-threaded WASM (the smaller WASM-only build). Each build is its own chunk, loaded on demand.
 */
import type { BackendInfo, BackendName } from '../protocol';

export type Ort = typeof import('onnxruntime-web');

interface GpuProbe {
  ok: boolean;
  adapter: string;
  shaderF16: boolean;
  reason?: string;
}

export async function probeWebGPU(): Promise<GpuProbe> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<any> } }).gpu;
  if (!gpu) return { ok: false, adapter: '', shaderF16: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, adapter: '', shaderF16: false, reason: 'WebGPU found no GPU adapter' };
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.device, info.description].filter((s: string) => s).join(' ') || 'unknown GPU';
    return { ok: true, adapter: name, shaderF16: adapter.features?.has('shader-f16') ?? false };
  } catch (e) {
    return { ok: false, adapter: '', shaderF16: false, reason: `WebGPU adapter request failed (${(e as Error).message})` };
  }
}

let threadOverride = 0;
/** Threads need cross-origin isolation (SharedArrayBuffer); by default one per core, at most 4. */
export const wasmThreads = () =>
  !self.crossOriginIsolated ? 1 : threadOverride || Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
export const setThreadOverride = (n: number) => void (threadOverride = Math.max(0, Math.min(16, Math.floor(n) || 0)));

export async function importOrt(name: BackendName): Promise<Ort> {
  const ort = (name === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm')) as Ort;
  ort.env.wasm.numThreads = name === 'webgpu' ? 1 : wasmThreads();
  ort.env.logLevel = 'error';
  return ort;
}

export async function chooseBackend(want: 'auto' | BackendName): Promise<{ name: BackendName; probe: GpuProbe | null }> {
  if (want === 'wasm') return { name: 'wasm', probe: null };
  const probe = await probeWebGPU();
  if (probe.ok) return { name: 'webgpu', probe };
  return { name: 'wasm', probe };
}

export function backendInfo(name: BackendName, probe: GpuProbe | null, fallbackReason?: string): BackendInfo {
  return {
    name,
    adapter: name === 'webgpu' ? (probe?.adapter ?? 'GPU') : 'CPU',
    threads: name === 'webgpu' ? 1 : wasmThreads(),
    shaderF16: name === 'webgpu' && !!probe?.shaderF16,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}
