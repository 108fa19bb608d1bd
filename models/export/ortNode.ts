/**
 * Loading an exported model folder in onnxruntime-node: manifest check, sha256 of every file,
 * sessions, and the golden tensors. Shared by the parity test and the CPU benchmark.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { MODEL_FILES, type Manifest, ManifestError, parseManifest } from '../../src/engine/manifest';
import { ModelRunners, type Runnable, type Sessions, asRunnable } from '../../src/engine/runners';
import { type AtlasFrames, parseAtlas } from '../../src/engine/atlas';

export function readManifest(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new ManifestError(`${path} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ManifestError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseManifest(json, path);
}

/** Every file the manifest names exists with its byte count and sha256; returns the problems. */
export function verifyFiles(dir: string, m: Manifest): string[] {
  const problems: string[] = [];
  const all: [string, { path: string; bytes: number; sha256: string } | undefined][] = [...Object.entries(m.files), ['atlas', m.atlas]];
  for (const [key, f] of all) {
    if (!f) continue;
    const p = join(dir, f.path);
    if (!existsSync(p)) {
      problems.push(`${key}: ${f.path} is missing`);
      continue;
    }
    const buf = readFileSync(p);
    if (buf.length !== f.bytes) {
      problems.push(`${key}: ${f.path} has ${buf.length} bytes, the manifest says ${f.bytes} (truncated or replaced?)`);
      continue;
    }
    const h = createHash('sha256').update(buf).digest('hex');
    if (h !== f.sha256) problems.push(`${key}: ${f.path} sha256 ${h.slice(0, 12)}… does not match the manifest`);
  }
  return problems;
}

/** wrap: how each session is handed to the runners (a run counter, say). */
export async function loadRunners(
  dir: string,
  threads = 0,
  wrap: (s: ort.InferenceSession) => Runnable = asRunnable,
): Promise<ModelRunners> {
  const m = readManifest(dir);
  const problems = verifyFiles(dir, m);
  if (problems.length) throw new ManifestError(`${dir}: ${problems.join('; ')}`);
  const opts: ort.InferenceSession.SessionOptions = threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {};
  const sessions = {} as Sessions;
  for (const key of MODEL_FILES) sessions[key] = wrap(await ort.InferenceSession.create(join(dir, m.files[key].path), opts));
  return new ModelRunners(ort, m, sessions);
}

/**
 * The int8 student (files.student_int8, WASM only) in onnxruntime-web's WASM build, the runtime
 * it ships for, with the encoder and decoder beside it; null when the model has none.
 */
export async function loadWasmInt8Runners(dir: string): Promise<ModelRunners | null> {
  const m = readManifest(dir);
  if (!m.files.student_int8) return null;
  const { ort: web, open } = await wasmRuntime(dir);
  const sessions: Partial<Sessions> = {
    encoder: asRunnable(await open(m.files.encoder.path)),
    decoder: asRunnable(await open(m.files.decoder.path)),
    student: asRunnable(await open(m.files.student_int8.path)),
  };
  return new ModelRunners(web, m, sessions, 'student_int8');
}

/** onnxruntime-web's WASM build in Node, as the app runs it (one thread, optimization 'basic'), and a session opener for a model folder. */
export async function wasmRuntime(dir: string) {
  const web = await import('onnxruntime-web');
  web.env.wasm.numThreads = 1;
  web.env.logLevel = 'error';
  const open = (path: string) =>
    web.InferenceSession.create(readFileSync(join(dir, path)), { executionProviders: ['wasm'], graphOptimizationLevel: 'basic' });
  return { ort: web, open };
}

export interface GoldenTensor {
  dtype: 'float32' | 'int32' | 'uint8';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export function readGolden(dir: string): Record<string, GoldenTensor> {
  const index = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as {
    tensors: Record<string, { dtype: GoldenTensor['dtype']; shape: number[]; offset: number; bytes: number }>;
  };
  const bin = readFileSync(join(dir, 'golden.bin'));
  const out: Record<string, GoldenTensor> = {};
  for (const [name, t] of Object.entries(index.tensors)) {
    const bytes = new Uint8Array(bin.buffer.slice(bin.byteOffset + t.offset, bin.byteOffset + t.offset + t.bytes));
    const data = t.dtype === 'float32' ? new Float32Array(bytes.buffer) : t.dtype === 'int32' ? new Int32Array(bytes.buffer) : bytes;
    out[name] = { dtype: t.dtype, shape: t.shape, data };
  }
  return out;
}

/** The model folder's atlas (manifest.atlas), parsed as the worker parses it; null without one. */
export function readAtlas(dir: string, m: Manifest): AtlasFrames | null {
  const a = m.atlas;
  if (!a) return null;
  const buf = readFileSync(join(dir, a.path));
  return parseAtlas(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), a.frames, a.grid[0] * a.grid[1]);
}
