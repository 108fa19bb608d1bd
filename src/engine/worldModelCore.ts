/**
 * The world model as an environment: a memory of every frame so far (tokens, camera pose, and
 * whether it is ground truth or the model's own), stepped by one action and camera pose at a time
 * with the student (one run on the frames memory.ts retrieves for that pose) or the teacher (the
 * same frames, then token by token), each frame decoded to pixels. Independent of the runtime, so the
 * worker runs it on onnxruntime-web and the unit tests on onnxruntime-node, on the shipped model.
 *
 * On WebGPU the student's graph holds the decoder (models/export/fuse.py): a frame is 1 run and 1
 * readback (pixels and token ids packed in one tensor). On WASM a second worker decodes. Every run
 * goes through a counter, which is where the HUD's numbers come from.
 */
import { type Manifest, tokensPerFrame } from './manifest';
import { type FrameStats, type ModelKind, REWIND_IN_FLIGHT, REWIND_STEPS, type Sampling } from './protocol';
import { FrameMemory, type MemoryEntry } from './memory';
import { type AtlasFrames, AtlasIndex, atlasEntries } from './atlas';
import { type ModelRunners, type StudentInputs, type TeacherDecoding, argmax } from './runners';
import type { Tensor } from 'onnxruntime-common';
import { type FrameInsight, digitEntropy, entropyOf, topCandidates } from './insight';
import { Sampler, checkSampling } from './sampling';
import { type RunCounter, toBytes } from './runCounter';

export { RunCounter, toBytes } from './runCounter';

const now = () => performance.now();

export interface SlotUse {
  /** session step the frame was remembered at */
  step: number;
  pose: number[];
  /** 0 = encoded ground truth; level_pred = the model's own frame */
  level: number;
  /** an atlas frame (the learned world's memory): its index; step is then -1 */
  atlas?: number;
}

const slotUse = (e: MemoryEntry): SlotUse => ({
  step: e.step,
  pose: e.pose,
  level: e.level,
  ...(e.atlas === undefined ? {} : { atlas: e.atlas }),
});

export class WorldModelCore {
  readonly n: number;
  readonly memory: FrameMemory;
  private stepIndex = 0;
  private sampler = new Sampler(0);
  /** Parity tests: feed these uniforms instead of the seeded sampler's (PyTorch's draws). */
  noise: ((out: Float32Array) => void) | null = null;
  private uniform: Float32Array;
  private readonly maxDigitLevels: number;
  private atlasData: { frames: AtlasFrames; index: AtlasIndex } | null = null;
  /** Retrieve from the atlas too (when the model has one). */
  atlasOn = true;

  constructor(
    readonly runners: ModelRunners,
    readonly counter: RunCounter,
  ) {
    const m = runners.manifest;
    this.n = tokensPerFrame(m);
    this.memory = new FrameMemory(m.student.memory.capacity);
    this.maxDigitLevels = Math.max(...m.tokens.fsq_levels);
    this.uniform = new Float32Array(this.n * m.tokens.fsq_levels.length * this.maxDigitLevels).fill(0.5);
  }

  get manifest(): Manifest {
    return this.runners.manifest;
  }

  /** The model's atlas (manifest.atlas, parsed): its frames join retrieval while atlasOn. */
  setAtlas(frames: AtlasFrames | null): void {
    const spec = this.manifest.atlas;
    if (frames && !spec) throw new Error('this model has no atlas in its manifest');
    if (frames && frames.n !== this.n) throw new RangeError(`atlas frames have ${frames.n} tokens, the model ${this.n}`);
    this.atlasData = frames && spec ? { frames, index: new AtlasIndex(frames.poses, spec.retrieval) } : null;
  }

  get hasAtlas(): boolean {
    return this.atlasData !== null;
  }

  /** The atlas candidates for a camera pose, as memory entries (none when the atlas is off). */
  private atlasCandidates(pose: number[]): MemoryEntry[] {
    const a = this.atlasData;
    return a && this.atlasOn ? atlasEntries(a.frames, a.index, pose) : [];
  }

  /**
   * Remembers ground truth: encodes the frames (oldest first, RGB bytes) taken at `poses`. reset
   * forgets everything first (a jump: teleport, respawn, new world); otherwise the frames join
   * what the model remembers (a re-anchor), as the newest, and replace its own frames. Reseeds the sampler.
   */
  async anchor(frames: readonly Uint8Array[], poses: readonly ArrayLike<number>[], seed: number, reset = true): Promise<number[]> {
    const { height, width } = this.manifest.frame;
    if (frames.length === 0) throw new RangeError('anchor needs at least one ground-truth frame');
    if (poses.length !== frames.length)
      throw new RangeError(`anchor needs one pose per frame (${frames.length} frames, ${poses.length} poses)`);
    for (const f of frames)
      if (f.length !== height * width * 3)
        throw new RangeError(`anchor frames must be ${width}x${height} RGB (${height * width * 3} bytes), got ${f.length}`);
    const checked = poses.map((p, i) => checkPose(p, `anchor pose ${i}`));
    this.cancelTeacher();
    if (reset) this.memory.clear();
    else this.memory.forgetImagined();
    // One at a time: a session takes one run at a time.
    const steps: number[] = [];
    for (let i = 0; i < frames.length; i++) {
      const tokens = await this.runners.encode(Float32Array.from(frames[i]!));
      steps.push(this.stepIndex);
      this.memory.add({ tokens, pose: checked[i]!, level: 0, step: this.stepIndex++ });
    }
    this.sampler = new Sampler(seed);
    return steps;
  }

  /** The slots the student gets for a camera pose: tensors' data in the manifest's layout. */
  private studentInputs(pose: number[], action: Float32Array): { inputs: StudentInputs; used: MemoryEntry[] } {
    const m = this.manifest;
    const M = m.student.slots;
    const used = this.memory.pick(pose, m.student.memory, m.student.geometry, this.atlasCandidates(pose));
    const inputs: StudentInputs = {
      memTokens: new Int32Array(M * this.n),
      memPoses: new Float32Array(M * 5),
      memLevel: new Float32Array(M),
      memValid: new Float32Array(M),
      targetPose: Float32Array.from(pose),
      action: Float32Array.from(action.subarray(0, 5)),
      memSource: new Float32Array(M),
    };
    for (let k = 0; k < M; k++) inputs.memPoses.set(pose, k * 5);
    used.forEach((e, k) => {
      inputs.memTokens.set(e.tokens, k * this.n);
      inputs.memPoses.set(e.pose, k * 5);
      inputs.memLevel[k] = e.level;
      inputs.memValid[k] = 1;
      inputs.memSource[k] = e.atlas === undefined ? 0 : 1;
    });
    return { inputs, used };
  }

  /** The newest remembered frame's tokens. */
  newestTokens(): Int32Array {
    const e = this.memory.newest(1)[0];
    if (!e) throw new Error('not anchored: nothing remembered yet');
    return e.tokens;
  }

  /**
   * One predicted frame at camera `pose` after `action`. onPartial (teacher only) sees the frame
   * as its tokens arrive, decoded with the newest frame's tokens where the new ones are not in
   * yet, every `partialEvery`. The prediction is remembered (at the manifest's level_pred).
   */
  async step(
    model: ModelKind,
    action: Float32Array,
    pose: ArrayLike<number>,
    sampling: Sampling,
    onPartial?: (frame: Uint8Array, tokens: number) => void,
    partialEvery = 32,
    decode = true,
    insight = false,
  ): Promise<{ frame: Uint8Array | null; tokens: Int32Array | null; stats: FrameStats; insight: FrameInsight }> {
    this.cancelTeacher();
    if (this.memory.size === 0) throw new Error('not anchored: nothing remembered yet');
    if (action.length < 5 || !Array.prototype.every.call(action.subarray(0, 5), Number.isFinite))
      throw new RangeError('action must be 5 finite numbers');
    const target = checkPose(pose, 'pose');
    this.counter.take();
    const t0 = now();
    let tokens: Tensor | null = null;
    let ids: Int32Array;
    let used: MemoryEntry[];
    let entropy: Float32Array | null = null;
    let fusedFrame: Uint8Array | null = null;
    if (model === 'student') {
      checkSampling(sampling, this.maxDigitLevels);
      const k = sampling.topK === 0 ? this.maxDigitLevels : sampling.topK;
      if (sampling.temperature > 0) (this.noise ?? ((u: Float32Array) => this.sampler.fillUniform(u)))(this.uniform);
      const s = this.studentInputs(target, action);
      used = s.used;
      if (decode && this.runners.fusedStudent) {
        // One run predicts and decodes; one packed readback on a GPU (two with the logits).
        const r = await this.runners.studentStepDecoded(
          s.inputs,
          sampling.temperature,
          k,
          this.uniform,
          (t) => this.counter.floats(t),
          insight,
        );
        ids = r.ids;
        fusedFrame = toBytes(r.frame);
        if (r.logits) entropy = digitEntropy(r.logits, this.n, this.manifest.tokens.fsq_levels);
      } else {
        if (insight) {
          const r = await this.runners.studentStepTensorLogits(s.inputs, sampling.temperature, k, this.uniform, (t) =>
            this.counter.floats(t),
          );
          tokens = r.tokens;
          entropy = digitEntropy(r.logits, this.n, this.manifest.tokens.fsq_levels);
        } else tokens = await this.runners.studentStepTensor(s.inputs, sampling.temperature, k, this.uniform);
        // The tokens join the memory (a 1 KB readback on a GPU); the tensor itself feeds the decoder.
        ids = await this.counter.ints(tokens);
      }
    } else {
      checkSampling(sampling, this.manifest.tokens.vocab_size);
      const s = this.studentInputs(target, action);
      used = s.used;
      const last = this.newestTokens();
      const h = insight ? new Float32Array(this.n) : null;
      let pos = 0;
      const r = await this.runners.teacherFrame(
        s.inputs,
        (logits) => {
          if (h) h[pos++] = entropyOf(logits);
          return this.sampler.pick(logits, sampling.temperature, sampling.topK);
        },
        onPartial &&
          (async (p, _id, sofar) => {
            if ((p + 1) % partialEvery !== 0 || p + 1 === this.n) return;
            const mixed = Int32Array.from(last);
            mixed.set(sofar.subarray(0, p + 1));
            onPartial(toBytes(await this.runners.decode(mixed)), p + 1);
          }),
      );
      ids = r.tokens;
      entropy = h;
      tokens = this.runners.tokensTensor(r.tokens);
    }
    const slots: SlotUse[] = used.map(slotUse);
    this.memory.add({ tokens: ids, pose: target, level: this.manifest.student.level_pred, step: this.stepIndex++ });
    const t1 = now();
    // Decoded here, or (decode false) the ids go to another worker that decodes them.
    let frame: Uint8Array | null = fusedFrame;
    if (decode && tokens) frame = toBytes(await this.runners.decodeTensor(tokens));
    tokens?.dispose();
    const t2 = now();
    const c = this.counter.take();
    return {
      frame,
      // a copy: the event transfers its buffer, and the memory keeps ids
      tokens: decode ? null : ids.slice(),
      stats: {
        model,
        predictMs: t1 - t0,
        decodeMs: decode && !fusedFrame ? t2 - t1 : 0,
        ...c,
        contextFrames: used.length,
        memoryFrames: this.memory.size,
        slots,
        step: this.stepIndex - 1,
        pose: target,
      },
      insight: { tokens: ids.slice(), entropy },
    };
  }

  /** rewind points: the memory, step counter and sampler as they were after a marked step */
  private snapshots = new Map<number, { entries: MemoryEntry[]; stepIndex: number; sampler: number[] }>();
  static readonly MAX_SNAPSHOTS = REWIND_STEPS + REWIND_IN_FLIGHT;

  /** Keeps the state after the newest step under `key` (the oldest points go beyond MAX_SNAPSHOTS). */
  mark(key: number): void {
    this.snapshots.set(key, { entries: this.memory.entries.slice(), stepIndex: this.stepIndex, sampler: this.sampler.save() });
    while (this.snapshots.size > WorldModelCore.MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
  }

  /** Back to a marked point: what the model remembered, its step counter and its sampler. */
  restore(key: number): void {
    const s = this.snapshots.get(key);
    if (!s) throw new RangeError(`no rewind point ${key} (only the last ${WorldModelCore.MAX_SNAPSHOTS} steps are kept)`);
    this.cancelTeacher();
    this.memory.clear();
    for (const e of s.entries) this.memory.add(e);
    this.stepIndex = s.stepIndex;
    this.sampler.load(s.sampler);
  }

  private stepper: {
    dec: TeacherDecoding;
    pose: number[];
    used: MemoryEntry[];
    last: Int32Array;
    entropy: Float32Array;
    t0: number;
    ms: number;
  } | null = null;

  /** Drops a teacher frame decoded part way (a normal step, an anchor, or a new frame replaces it). */
  cancelTeacher(): void {
    this.stepper?.dec.dispose();
    this.stepper = null;
  }

  /**
   * The teacher one token at a time (the stepping view): begin with the action and camera pose of
   * the frame to predict, then each call decodes `count` more tokens. Answers with the newest
   * token, its top candidates, the cache's size and the frame so far (decoded with the newest
   * remembered frame's tokens where the new ones are not in yet). The last token completes the
   * frame, which is then remembered as a step would.
   */
  async teacherTokens(begin: { action: Float32Array; pose: ArrayLike<number> } | null, count: number, sampling: Sampling, topK = 5) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`token count must be a whole number from 1, got ${count}`);
    checkSampling(sampling, this.manifest.tokens.vocab_size);
    if (begin) {
      this.cancelTeacher();
      if (this.memory.size === 0) throw new Error('not anchored: nothing remembered yet');
      const target = checkPose(begin.pose, 'pose');
      const s = this.studentInputs(target, begin.action);
      const t0 = now();
      const dec = await this.runners.teacherDecoding(s.inputs);
      this.stepper = { dec, pose: target, used: s.used, last: this.newestTokens(), entropy: new Float32Array(this.n), t0, ms: now() - t0 };
    }
    const st = this.stepper;
    if (!st) throw new Error('no teacher frame in progress: begin one');
    const t1 = now();
    let newest: { position: number; id: number; logits: Float32Array } | null = null;
    for (let k = 0; k < count && !st.dec.done; k++) {
      newest = await st.dec.next((logits) => this.sampler.pick(logits, sampling.temperature, sampling.topK));
      st.entropy[newest.position] = entropyOf(newest.logits);
    }
    st.ms += now() - t1;
    const r = newest!;
    const shown = Int32Array.from(st.last);
    shown.set(st.dec.tokens.subarray(0, st.dec.position));
    const t2 = now();
    const frame = toBytes(await this.runners.decode(shown));
    const decodeMs = now() - t2;
    const out = {
      position: r.position,
      total: this.n,
      token: r.id,
      candidates: topCandidates(r.logits, topK),
      kvPositions: st.dec.position,
      kvBytes: st.dec.kvBytes,
      frame,
      tokens: shown,
      done: st.dec.done,
      stats: null as FrameStats | null,
      insight: null as FrameInsight | null,
    };
    if (st.dec.done) {
      const ids = st.dec.tokens.slice();
      this.memory.add({ tokens: ids, pose: st.pose, level: this.manifest.student.level_pred, step: this.stepIndex++ });
      out.stats = {
        model: 'teacher',
        predictMs: st.ms,
        decodeMs,
        runs: st.dec.runs + 1,
        readbacks: 0,
        readbackBytes: 0,
        contextFrames: st.used.length,
        memoryFrames: this.memory.size,
        slots: st.used.map(slotUse),
        step: this.stepIndex - 1,
        pose: st.pose,
      };
      out.insight = { tokens: ids.slice(), entropy: st.entropy.slice() };
      this.cancelTeacher();
    }
    return out;
  }

  /**
   * Teacher and student on the same step (distillation, side by side): both predict the frame at
   * `pose` from the same remembered frames, greedily; nothing is remembered and the sampler is
   * untouched. Per-token agreement and each model's time.
   */
  async compare(action: Float32Array, pose: ArrayLike<number>) {
    if (this.memory.size === 0) throw new Error('not anchored: nothing remembered yet');
    const target = checkPose(pose, 'pose');
    const s = this.studentInputs(target, action);
    const L = this.maxDigitLevels;
    const t0 = now();
    const st = await this.runners.studentStep(s.inputs, 0, L, this.uniform);
    const t1 = now();
    const te = await this.runners.teacherFrame(s.inputs, argmax);
    const t2 = now();
    const agree = new Uint8Array(this.n);
    let same = 0;
    for (let i = 0; i < this.n; i++) if ((agree[i] = st.tokens[i] === te.tokens[i] ? 1 : 0)) same++;
    return {
      student: { tokens: st.tokens, frame: toBytes(await this.runners.decode(st.tokens)), ms: t1 - t0 },
      teacher: { tokens: te.tokens, frame: toBytes(await this.runners.decode(te.tokens)), ms: t2 - t1 },
      agree,
      agreement: same / this.n,
    };
  }

  /**
   * What the model believes, edited: token `position` of the newest remembered frame becomes
   * `token`, so the next prediction continues from the edited frame. Answers with that frame
   * decoded and its tokens. The entry gets a new token array (nothing else shares the edit).
   */
  async editToken(position: number, token: number): Promise<{ frame: Uint8Array; tokens: Int32Array }> {
    const e = this.memory.newest(1)[0];
    if (!e) throw new Error('not anchored: nothing remembered yet');
    if (!Number.isInteger(position) || position < 0 || position >= this.n)
      throw new RangeError(`token position must be a whole number from 0 to ${this.n - 1}, got ${position}`);
    const V = this.manifest.tokens.vocab_size;
    if (!Number.isInteger(token) || token < 0 || token >= V)
      throw new RangeError(`token id must be a whole number from 0 to ${V - 1}, got ${token}`);
    const tokens = Int32Array.from(e.tokens);
    tokens[position] = token;
    // a new entry, not a changed one: rewind snapshots share the old entry
    this.memory.entries[this.memory.entries.length - 1] = { ...e, tokens };
    return { frame: toBytes(await this.runners.decode(tokens)), tokens: tokens.slice() };
  }

  dispose(): void {
    this.memory.clear();
  }
}

/** A camera pose as 5 finite numbers (x, y, z, yaw, pitch). */
function checkPose(p: ArrayLike<number>, what: string): number[] {
  const a = Array.from(p ?? []);
  if (a.length !== 5 || !a.every(Number.isFinite)) throw new RangeError(`${what} must be 5 finite numbers (x, y, z, yaw, pitch)`);
  return a;
}
