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
 *
 * Its parts: memory.ts (what it remembers and retrieval), studentRun.ts (the student's pass),
 * teacherStepper.ts (the teacher's frames, whole or token by token), rewindPoints.ts.
 */
import { type Manifest, tokensPerFrame } from './manifest';
import type { FrameStats, ModelKind, Sampling } from './protocol';
import { RewindPoints } from './rewindPoints';
import { FrameMemory, type MemoryEntry, checkPose } from './memory';
import { type AtlasFrames, AtlasIndex, atlasEntries } from './atlas';
import { type ModelRunners, type StudentInputs, argmax } from './runners';
import type { Tensor } from 'onnxruntime-common';
import type { FrameInsight } from './insight';
import { Sampler, checkSampling } from './sampling';
import { type RunCounter, toBytes } from './runCounter';
import { type SlotUse, slotUse } from './slotUse';
import { runStudent } from './studentRun';
import { TeacherStepper } from './teacherStepper';

export { RunCounter, toBytes } from './runCounter';
export type { SlotUse } from './slotUse';

const now = () => performance.now();

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
  private readonly teacher: TeacherStepper;

  constructor(
    readonly runners: ModelRunners,
    readonly counter: RunCounter,
  ) {
    const m = runners.manifest;
    this.n = tokensPerFrame(m);
    this.memory = new FrameMemory(m.student.memory.capacity);
    this.maxDigitLevels = Math.max(...m.tokens.fsq_levels);
    this.uniform = new Float32Array(this.n * m.tokens.fsq_levels.length * this.maxDigitLevels).fill(0.5);
    this.teacher = new TeacherStepper({
      runners,
      n: this.n,
      inputsFor: (pose, action) => this.studentInputs(pose, action),
      newestTokens: () => this.newestTokens(),
      pick: (logits, sampling) => this.sampler.pick(logits, sampling.temperature, sampling.topK),
      remember: (ids, pose) => ({ step: this.remember(ids, pose), memoryFrames: this.memory.size }),
    });
  }

  /** Remembers the model's own frame (at the manifest's level_pred); its step. */
  private remember(tokens: Int32Array, pose: number[]): number {
    this.memory.add({ tokens, pose, level: this.manifest.student.level_pred, step: this.stepIndex });
    return this.stepIndex++;
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
    let tokens: Tensor | null;
    let ids: Int32Array;
    let entropy: Float32Array | null;
    let copyGate: Float32Array | null = null;
    let fusedFrame: Uint8Array | null = null;
    const s = this.studentInputs(target, action);
    if (model === 'student') {
      checkSampling(sampling, this.maxDigitLevels);
      const k = sampling.topK === 0 ? this.maxDigitLevels : sampling.topK;
      if (sampling.temperature > 0) (this.noise ?? ((u: Float32Array) => this.sampler.fillUniform(u)))(this.uniform);
      const draw = { temperature: sampling.temperature, topK: k, uniform: this.uniform, sharedNoise: sampling.sharedNoise ?? true };
      ({ ids, tokens, fusedFrame, entropy, copyGate } = await runStudent(this.runners, this.counter, s.inputs, { draw, decode, insight }));
    } else {
      checkSampling(sampling, this.manifest.tokens.vocab_size);
      ({ ids, tokens, entropy } = await this.teacher.frame(s.inputs, sampling, insight, onPartial, partialEvery));
    }
    const used = s.used;
    const slots: SlotUse[] = used.map(slotUse);
    this.remember(ids, target);
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
      insight: { tokens: ids.slice(), entropy, copyGate },
    };
  }

  private readonly rewindPoints = new RewindPoints();

  /** Keeps the state after the newest step under `key` (rewindPoints.ts). */
  mark(key: number): void {
    this.rewindPoints.mark(key, { entries: this.memory.entries.slice(), stepIndex: this.stepIndex, sampler: this.sampler.save() });
  }

  /** Back to a marked point: what the model remembered, its step counter and its sampler. */
  restore(key: number): void {
    const s = this.rewindPoints.get(key);
    this.cancelTeacher();
    this.memory.clear();
    for (const e of s.entries) this.memory.add(e);
    this.stepIndex = s.stepIndex;
    this.sampler.load(s.sampler);
  }

  /** Drops a teacher frame decoded part way (a normal step, an anchor, or a new frame replaces it). */
  cancelTeacher(): void {
    this.teacher.cancel();
  }

  /** The teacher one token at a time (teacherStepper.ts): `begin` starts a frame, each call decodes `count` more tokens. */
  async teacherTokens(begin: { action: Float32Array; pose: ArrayLike<number> } | null, count: number, sampling: Sampling, topK = 5) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`token count must be a whole number from 1, got ${count}`);
    checkSampling(sampling, this.manifest.tokens.vocab_size);
    if (begin) {
      this.cancelTeacher();
      if (this.memory.size === 0) throw new Error('not anchored: nothing remembered yet');
      await this.teacher.begin(checkPose(begin.pose, 'pose'), begin.action);
    }
    return this.teacher.next(count, sampling, topK);
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
    const st = await this.runners.studentStep(s.inputs, { temperature: 0, topK: L, uniform: this.uniform });
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
  /** Atlas frame `index` decoded to pixels (what an atlas slot holds). */
  async atlasFrame(index: number): Promise<Uint8Array> {
    const a = this.atlasData;
    if (!a) throw new Error('this model has no atlas');
    if (!Number.isInteger(index) || index < 0 || index >= a.frames.frames)
      throw new RangeError(`atlas frame must be a whole number from 0 to ${a.frames.frames - 1}, got ${index}`);
    return toBytes(await this.runners.decode(a.frames.tokens.slice(index * this.n, (index + 1) * this.n)));
  }

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
