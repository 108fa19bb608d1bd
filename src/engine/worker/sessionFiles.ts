/**
 * The worker's model files and sessions: downloads what the manifest names (checked, cached, with
 * progress and notices), builds one onnxruntime session per graph with the backend's options,
 * checks that each has the tensors the manifest describes, and wraps them in a run counter.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { MODEL_FILES, type Manifest, ManifestError, type ModelFileKey, type VariantKey } from '../manifest';
import type { BackendName, EngineEvent } from '../protocol';
import type { RunCounter } from '../runCounter';
import type { Sessions } from '../runners';
import type { Ort } from './backend';
import { type FileSpec, loadModelFile } from './modelFiles';

/** On WebGPU, outputs that feed another run, or are read back only when a view asks, stay on the GPU. */
const ON_GPU: Partial<Record<ModelFileKey, readonly string[]>> = {
  student: ['tokens', 'logits', 'copy_gate'],
  teacher_step: ['present_kv'],
};

function sessionOptions(key: ModelFileKey, name: BackendName, outputs: readonly string[]): InferenceSession.SessionOptions {
  const opts: InferenceSession.SessionOptions = {
    executionProviders: [name],
    graphOptimizationLevel: 'basic',
    // Errors only: the runtime's warnings (e.g. shape ops placed on the CPU under WebGPU) arrive
    // through console.error and would read as failures to a person with the console open.
    logSeverityLevel: 3,
    // Idle threads sleep instead of spinning, so a second worker keeps its core. Measured on this
    // 2-core machine it made no difference (12.7 vs 12.9 fps with a 2-thread engine beside the decoder).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  const gpu = (ON_GPU[key] ?? []).filter((o) => outputs.includes(o)); // the runtime refuses a name the graph lacks
  if (name === 'webgpu' && gpu.length) opts.preferredOutputLocation = Object.fromEntries(gpu.map((o) => [o, 'gpu-buffer' as const]));
  return opts;
}

export class SessionFiles {
  readonly sessions: Partial<Record<ModelFileKey, InferenceSession>> = {};
  /** Which manifest file each session key loads: the student's may be a variant (student_int8 on WASM). */
  fileOf: Record<ModelFileKey, ModelFileKey | VariantKey> = {
    encoder: 'encoder',
    decoder: 'decoder',
    student: 'student',
    teacher_prev: 'teacher_prev',
    teacher_step: 'teacher_step',
  };

  constructor(private readonly post: (e: EngineEvent) => void) {}

  /** One file the manifest names (a graph or the atlas): checked, cached, with progress and notices. */
  download(spec: FileSpec, baseUrl: string, blobs?: Record<string, Blob>): Promise<ArrayBuffer> {
    if (blobs && !blobs[spec.path])
      return Promise.reject(new ManifestError(`${spec.path} is named by the manifest but was not among the files given`));
    return loadModelFile(
      baseUrl,
      spec,
      (loaded, total, cached) => this.post({ status: 'progress', file: spec.path, loaded, total, cached, phase: 'download' }),
      (message) => this.post({ status: 'notice', message }),
      blobs?.[spec.path],
    );
  }

  downloadSet(m: Manifest, baseUrl: string, keys: readonly ModelFileKey[], blobs?: Record<string, Blob>): Promise<ArrayBuffer[]> {
    return Promise.all(keys.map((k) => this.download(m.files[this.fileOf[k]]!, baseUrl, blobs)));
  }

  /** One session at a time: each takes the CPU (and the runtime handles one creation at a time). */
  async build(
    ort: Ort,
    m: Manifest,
    keys: readonly ModelFileKey[],
    bufs: ArrayBuffer[],
    name: BackendName,
    ms: Record<string, number> = {},
  ): Promise<void> {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const want = m.files[this.fileOf[k]]!;
      this.post({ status: 'progress', file: want.path, loaded: 0, total: 1, cached: false, phase: 'session' });
      const t0 = performance.now();
      try {
        this.sessions[k] = await ort.InferenceSession.create(
          new Uint8Array(bufs[i]!),
          sessionOptions(
            k,
            name,
            want.outputs.map((t) => t.name),
          ),
        );
        ms[`session ${want.path}`] = Math.round(performance.now() - t0);
      } catch (e) {
        throw new Error(`${want.path} could not be loaded by onnxruntime-web (${name}): ${(e as Error).message}`, { cause: e });
      }
      const s = this.sessions[k]!;
      const missing = [
        ...want.inputs.filter((t) => !s.inputNames.includes(t.name)),
        ...want.outputs.filter((t) => !s.outputNames.includes(t.name)),
      ];
      if (missing.length)
        throw new ManifestError(
          `${want.path} has no tensor named ${missing.map((t) => `'${t.name}'`).join(', ')}, which the manifest describes`,
        );
    }
  }

  /** Every session built so far, its runs counted. */
  wrapped(counter: RunCounter): Partial<Sessions> {
    const out: Partial<Sessions> = {};
    for (const k of MODEL_FILES) if (this.sessions[k]) out[k] = counter.wrap(this.sessions[k]!);
    return out;
  }
}
