import type { Tensor } from 'onnxruntime-common';
import type { Manifest } from './manifest';
import { type OrtApi, type Runnable, cpuData, runKeep } from './sessionRun';

/**
 * The teacher's state between tokens: its features, the tokens so far and the KV cache, which
 * goes from one step's output into the next step's input as it is (on the GPU under WebGPU),
 * never copied here.
 */
export class TeacherDecoding {
  readonly tokens: Int32Array;
  /** the next position to decode */
  position = 0;
  runs = 1;
  private kv: Tensor;
  private readonly d: number;

  constructor(
    private readonly ort: OrtApi,
    readonly manifest: Manifest,
    private readonly step: Runnable | undefined,
    private readonly features: Float32Array,
    readonly n: number,
    /** v3: teacher_prev's copy_ids and copyable, [M, n] each (slot-major); step p takes column p */
    private readonly copy: { ids: Float32Array; copyable: Float32Array } | null = null,
  ) {
    this.d = featureWidth(manifest);
    const kvShape = manifest.teacher.kv_shape;
    this.kv = new ort.Tensor('float32', new Float32Array(kvShape.reduce((a, b) => a * b, 1)), kvShape);
    this.tokens = new Int32Array(n);
  }

  get done(): boolean {
    return this.position >= this.n;
  }

  /** Bytes the KV cache holds for the positions decoded so far (the full tensor is preallocated). */
  get kvBytes(): number {
    const [two, layers, , heads, , hd] = this.manifest.teacher.kv_shape as number[];
    return this.position * (two ?? 2) * (layers ?? 1) * (heads ?? 1) * (hd ?? 1) * 4;
  }

  /** Decodes the next token: its log-probabilities over ids, and the id pick chose. */
  async next(pick: (logits: Float32Array) => number): Promise<{ position: number; id: number; logits: Float32Array }> {
    if (this.done) throw new Error('the teacher has decoded every token of this frame');
    const p = this.position;
    const T = this.ort.Tensor;
    const d = this.d;
    this.runs++;
    const feeds: Record<string, Tensor> = {
      feature: new T('float32', this.features.subarray(p * d, (p + 1) * d), [1, 1, d]),
      prev_token: new T('int32', Int32Array.of(p > 0 ? this.tokens[p - 1]! : 0), [1, 1]),
      position: new T('int32', Int32Array.of(p), [1]),
      past_kv: this.kv,
    };
    if (this.copy) {
      const M = this.copy.ids.length / this.n;
      const column = (a: Float32Array) => Float32Array.from({ length: M }, (_, s) => a[s * this.n + p]!);
      feeds.copy_ids = new T('float32', column(this.copy.ids), [1, M, 1]);
      feeds.copyable = new T('float32', column(this.copy.copyable), [1, M, 1]);
    }
    const out = await runKeep(this.step, feeds, ['logits', 'present_kv']);
    this.kv.dispose();
    this.kv = out.present_kv;
    const logits = cpuData<Float32Array>(out.logits);
    out.logits.dispose();
    const id = pick(logits);
    this.tokens[p] = id;
    this.position++;
    return { position: p, id, logits };
  }

  dispose(): void {
    this.kv.dispose();
  }
}

/** The teacher's feature width d, read from teacher_prev's output shape. */
export function featureWidth(m: Manifest): number {
  const spec = m.files.teacher_prev.outputs.find((o) => o.name === 'features');
  const d = spec?.shape[2];
  if (typeof d !== 'number') throw new Error('manifest: teacher_prev output features has no fixed width');
  return d;
}
