/**
 * How each exported graph is driven, as the manifest's `loop` texts say, written once against
 * onnxruntime's common API: the inference worker passes onnxruntime-web, the Node parity and
 * benchmark tools pass onnxruntime-node. Mirrors models/export/rollout.py step for step.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { type Manifest, tokensPerFrame } from './manifest';

export interface OrtApi {
  Tensor: typeof Tensor;
}
export type Sessions = Record<'encoder' | 'decoder' | 'student' | 'teacher_prev' | 'teacher_step', InferenceSession>;

/** Runs a session and copies the named outputs out, disposing of every output tensor. */
async function run<K extends string>(s: InferenceSession, feeds: InferenceSession.FeedsType, names: readonly K[]) {
  const out = await s.run(feeds);
  const result = {} as Record<K, Tensor['data']>;
  for (const n of names) {
    const t = out[n];
    if (!t) throw new Error(`model output '${n}' missing`);
    result[n] = t.data;
  }
  for (const t of Object.values(out)) t.dispose();
  return result;
}

export class ModelRunners {
  readonly n: number;
  constructor(
    private readonly ort: OrtApi,
    readonly manifest: Manifest,
    readonly sessions: Sessions,
  ) {
    this.n = tokensPerFrame(manifest);
  }

  /** RGB 0..255 float [H*W*3] -> token ids [g*g]. */
  async encode(rgb: Float32Array): Promise<Int32Array> {
    const { height, width } = this.manifest.frame;
    const r = await run(this.sessions.encoder, { frame: new this.ort.Tensor('float32', rgb, [1, height, width, 3]) }, ['tokens']);
    return r.tokens as Int32Array;
  }

  /** token ids [g*g] -> RGB 0..255 float [H*W*3] (unrounded). */
  async decode(tokens: Int32Array): Promise<Float32Array> {
    const [gh, gw] = this.manifest.tokens.grid;
    const r = await run(this.sessions.decoder, { tokens: new this.ort.Tensor('int32', tokens, [1, gh, gw]) }, ['frame']);
    return r.frame as Float32Array;
  }

  /** One student frame: context [K*g*g] oldest first, actions [K*5] (after each context frame). */
  async studentStep(context: Int32Array, actions: Float32Array, temperature: number, topK: number, uniform: Float32Array) {
    const m = this.manifest;
    const [gh, gw] = m.tokens.grid;
    const K = m.student.context_frames;
    const L = Math.max(...m.tokens.fsq_levels);
    const D = m.tokens.fsq_levels.length;
    const r = await run(
      this.sessions.student,
      {
        context: new this.ort.Tensor('int32', context, [1, K, gh, gw]),
        actions: new this.ort.Tensor('float32', actions, [1, K, 5]),
        temperature: new this.ort.Tensor('float32', Float32Array.of(temperature), [1]),
        top_k: new this.ort.Tensor('int32', Int32Array.of(topK), [1]),
        uniform: new this.ort.Tensor('float32', uniform, [1, this.n, D, L]),
      },
      ['tokens', 'logits'],
    );
    return { tokens: r.tokens as Int32Array, logits: r.logits as Float32Array };
  }

  /**
   * One teacher frame, token by token with the KV cache. context [K*g*g]; actionsIn [(K+1)*5], the
   * action leading into each frame (the first zero); pick chooses token p from its logits.
   * onToken sees each token as it arrives (the frame fills in visibly).
   */
  async teacherFrame(
    context: Int32Array,
    actionsIn: Float32Array,
    pick: (logits: Float32Array) => number,
    onToken?: (p: number, id: number) => void,
  ): Promise<{ tokens: Int32Array; firstLogits: Float32Array; runs: number }> {
    const m = this.manifest;
    const t = m.teacher;
    const K = t.context_frames;
    const n = this.n;
    const [gh, gw] = m.tokens.grid;
    const d = featureWidth(m);
    const L = t.frame_slots;
    const T = this.ort.Tensor;
    const kvSize = t.kv_shape.reduce((a, b) => a * b, 1);
    let kv: Tensor = new T('float32', new Float32Array(kvSize), t.kv_shape);
    let runs = 0;
    const prevOf = async (frame: number) => {
      runs++;
      const r = await run(this.sessions.teacher_prev, { prev_tokens: new T('int32', context.slice(frame * n, (frame + 1) * n), [1, gh, gw]) }, ['prev_features']);
      return r.prev_features as Float32Array;
    };
    const step = async (slots: Int32Array, start: number, action: Float32Array, prev: Float32Array) => {
      runs++;
      const positions = Int32Array.from(slots, (_, i) => start + i);
      const out = await this.sessions.teacher_step.run({
        slot_tokens: new T('int32', slots, [1, slots.length]),
        positions: new T('int32', positions, [slots.length]),
        action: new T('float32', action, [1, 5]),
        prev_features: new T('float32', prev, [1, n, d]),
        past_kv: kv,
      });
      kv.dispose();
      kv = out.present_kv!;
      const logits = out.logits!.data as Float32Array;
      out.logits!.dispose();
      return logits;
    };
    const zeros = new Float32Array(n * d);
    for (let k = 0; k < K; k++) {
      const prev = k > 0 ? await prevOf(k - 1) : zeros;
      const slots = new Int32Array(L);
      slots.set(context.subarray(k * n, (k + 1) * n), 1);
      await step(slots, k * L, actionsIn.subarray(k * 5, k * 5 + 5), prev);
    }
    const prev = await prevOf(K - 1);
    const tokens = new Int32Array(n);
    let firstLogits: Float32Array = new Float32Array(0);
    const action = actionsIn.subarray(K * 5, K * 5 + 5);
    for (let p = 0; p < n; p++) {
      const logits = await step(Int32Array.of(p > 0 ? tokens[p - 1]! : 0), K * L + p, action, prev);
      if (p === 0) firstLogits = logits;
      tokens[p] = pick(logits);
      onToken?.(p, tokens[p]!);
    }
    kv.dispose();
    return { tokens, firstLogits, runs };
  }
}

/** The teacher's feature width d, read from teacher_prev's output shape. */
export function featureWidth(m: Manifest): number {
  const spec = m.files.teacher_prev.outputs.find((o) => o.name === 'prev_features');
  const d = spec?.shape[2];
  if (typeof d !== 'number') throw new Error('manifest: teacher_prev output prev_features has no fixed width');
  return d;
}

export function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}
