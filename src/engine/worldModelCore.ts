/**
 * The world model as an environment: a sliding window of the last frames' tokens and the actions
 * between them, stepped by one action at a time with the student (one run) or the teacher (token by
 * token), each frame decoded to pixels. Independent of the runtime, so the worker runs it on
 * onnxruntime-web and the unit tests on onnxruntime-node, on the shipped model.
 *
 * On WebGPU the student's context never leaves the GPU: the graph returns the slid window
 * (next_context) and the tokens go straight into the decoder, so a frame is 2 runs and 1 readback
 * (the pixels). Every run goes through a counter, which is where the HUD's numbers come from.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { type Manifest, tokensPerFrame } from './manifest';
import type { FrameStats, ModelKind, Sampling } from './protocol';
import { type ModelRunners, type Runnable, asRunnable } from './runners';
import { Sampler, checkSampling } from './sampling';

const now = () => performance.now();

/** Counts runs, and outputs that a GPU session handed back on the CPU (readbacks). */
export class RunCounter {
  runs = 0;
  readbacks = 0;
  readbackBytes = 0;
  constructor(private gpu: boolean) {}

  wrap(s: InferenceSession): Runnable {
    return {
      run: async (feeds, fetches) => {
        this.runs++;
        const out = await asRunnable(s).run(feeds, fetches);
        if (this.gpu) {
          for (const t of Object.values(out)) {
            if (t.location === 'cpu') {
              this.readbacks++;
              this.readbackBytes += (t.data as ArrayBufferView).byteLength;
            }
          }
        }
        return out;
      },
    };
  }

  /** The ids of a tensor on the CPU; a GPU tensor is read back, and counted. */
  async ints(t: Tensor): Promise<Int32Array> {
    if (t.location === 'cpu') return Int32Array.from(t.data as Int32Array);
    const data = Int32Array.from((await t.getData()) as Int32Array);
    this.readbacks++;
    this.readbackBytes += data.byteLength;
    return data;
  }

  take(): { runs: number; readbacks: number; readbackBytes: number } {
    const r = { runs: this.runs, readbacks: this.readbacks, readbackBytes: this.readbackBytes };
    this.runs = this.readbacks = this.readbackBytes = 0;
    return r;
  }
}

export function toBytes(rgb: Float32Array, out = new Uint8Array(rgb.length)): Uint8Array {
  for (let i = 0; i < rgb.length; i++) {
    const v = Math.round(rgb[i]!);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

export class WorldModelCore {
  readonly K: number;
  readonly n: number;
  private context: Tensor | null = null;
  /** the K-1 actions between the context frames (normalized), oldest first */
  private between: Float32Array;
  private sampler = new Sampler(0);
  private uniform: Float32Array;
  private readonly maxDigitLevels: number;

  constructor(
    readonly runners: ModelRunners,
    readonly counter: RunCounter,
  ) {
    const m = runners.manifest;
    if (m.teacher.context_frames !== m.student.context_frames) throw new Error('manifest: student and teacher context lengths differ');
    this.K = m.student.context_frames;
    this.n = tokensPerFrame(m);
    this.between = new Float32Array((this.K - 1) * 5);
    this.maxDigitLevels = Math.max(...m.tokens.fsq_levels);
    this.uniform = new Float32Array(this.n * m.tokens.fsq_levels.length * this.maxDigitLevels).fill(0.5);
  }

  get manifest(): Manifest {
    return this.runners.manifest;
  }

  /**
   * Starts from ground truth: encodes up to K frames (oldest first, RGB bytes) into the context;
   * actions[i] (normalized) is the one taken after frames[i]. Fewer than K frames are padded at the
   * front with the oldest one and zero actions (the camera stood still). Reseeds the sampler.
   */
  async anchor(frames: readonly Uint8Array[], actions: readonly Float32Array[], seed: number): Promise<void> {
    const { K, n } = this;
    const { height, width } = this.manifest.frame;
    if (frames.length === 0) throw new RangeError('anchor needs at least one ground-truth frame');
    const recent = frames.slice(-K);
    for (const f of recent) if (f.length !== height * width * 3) throw new RangeError(`anchor frames must be ${width}x${height} RGB (${height * width * 3} bytes), got ${f.length}`);
    const pad = K - recent.length;
    const tokens = new Int32Array(K * n);
    // One at a time: a session takes one run at a time.
    for (let i = 0; i < recent.length; i++) {
      const enc = await this.runners.encode(Float32Array.from(recent[i]!));
      for (let k = i === 0 ? 0 : pad + i; k <= pad + i; k++) tokens.set(enc, k * n);
    }
    const between = new Float32Array((K - 1) * 5);
    const offset = frames.length - recent.length;
    for (let i = 0; i < recent.length - 1; i++) {
      const a = actions[offset + i];
      if (!a || a.length < 5 || !a.every(Number.isFinite)) throw new RangeError(`anchor action ${offset + i} must be 5 finite numbers`);
      between.set(a.subarray(0, 5), (pad + i) * 5);
    }
    this.between = between;
    this.setContext(this.runners.tokensTensor(tokens, K));
    this.sampler = new Sampler(seed);
  }

  private setContext(t: Tensor): void {
    this.context?.dispose();
    this.context = t;
  }

  private slideActions(action: Float32Array): Float32Array {
    const all = new Float32Array(this.K * 5);
    all.set(this.between);
    all.set(action.subarray(0, 5), (this.K - 1) * 5);
    this.between = all.slice(5);
    return all;
  }

  /** The context tokens on the CPU (read back if they live on the GPU). */
  async contextTokens(): Promise<Int32Array> {
    if (!this.context) throw new Error('not anchored: no context frames yet');
    return this.counter.ints(this.context);
  }

  /**
   * One predicted frame. onPartial (teacher only) sees the frame as its tokens arrive, decoded
   * with the newest context frame's tokens where the new ones are not in yet, every `partialEvery`.
   */
  async step(
    model: ModelKind,
    action: Float32Array,
    sampling: Sampling,
    onPartial?: (frame: Uint8Array, tokens: number) => void,
    partialEvery = 32,
    decode = true,
  ): Promise<{ frame: Uint8Array | null; tokens: Int32Array | null; stats: FrameStats }> {
    if (!this.context) throw new Error('not anchored: no context frames yet');
    if (action.length < 5 || !action.every(Number.isFinite)) throw new RangeError('action must be 5 finite numbers');
    this.counter.take();
    const t0 = now();
    let tokens: Tensor;
    if (model === 'student') {
      checkSampling(sampling, this.maxDigitLevels);
      const k = sampling.topK === 0 ? this.maxDigitLevels : sampling.topK;
      if (sampling.temperature > 0) this.sampler.fillUniform(this.uniform);
      const out = await this.runners.studentStepTensors(this.context, this.slideActions(action), sampling.temperature, k, this.uniform);
      this.setContext(out.next_context);
      tokens = out.tokens;
    } else {
      checkSampling(sampling, this.manifest.tokens.vocab_size);
      const ctx = await this.contextTokens();
      const actionsIn = new Float32Array((this.K + 1) * 5);
      actionsIn.set(this.slideActions(action), 5);
      const last = ctx.subarray((this.K - 1) * this.n);
      const r = await this.runners.teacherFrame(
        ctx,
        actionsIn,
        (logits) => this.sampler.pick(logits, sampling.temperature, sampling.topK),
        onPartial &&
          (async (p, _id, sofar) => {
            if ((p + 1) % partialEvery !== 0 || p + 1 === this.n) return;
            const mixed = Int32Array.from(last);
            mixed.set(sofar.subarray(0, p + 1));
            onPartial(toBytes(await this.runners.decode(mixed)), p + 1);
          }),
      );
      const next = new Int32Array(this.K * this.n);
      next.set(ctx.subarray(this.n));
      next.set(r.tokens, (this.K - 1) * this.n);
      this.setContext(this.runners.tokensTensor(next, this.K));
      tokens = this.runners.tokensTensor(r.tokens);
    }
    const t1 = now();
    // Decoded here, or (decode false) the ids go to another worker that decodes them.
    let frame: Uint8Array | null = null;
    let ids: Int32Array | null = null;
    if (decode) frame = toBytes(await this.runners.decodeTensor(tokens));
    else ids = await this.counter.ints(tokens);
    tokens.dispose();
    const t2 = now();
    const c = this.counter.take();
    return {
      frame,
      tokens: ids,
      stats: { model, predictMs: t1 - t0, decodeMs: decode ? t2 - t1 : 0, ...c, contextFrames: this.K },
    };
  }

  dispose(): void {
    this.context?.dispose();
    this.context = null;
  }
}
