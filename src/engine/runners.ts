/**
 * How each exported graph is driven, as the manifest's `loop` texts say, written once against
 * onnxruntime's common API: the inference worker passes onnxruntime-web, the Node parity and
 * benchmark tools pass onnxruntime-node. Mirrors models/export/rollout.py step for step.
 *
 * Tensors pass between runs as they come out of a session: on WebGPU the worker asks for some
 * outputs on the GPU ('gpu-buffer'), and they go into the next run without a trip to the CPU.
 * Every tensor an output produces is disposed of here or handed to the caller, who must.
 */
import type { Tensor } from 'onnxruntime-common';
import {
  type Manifest,
  type ModelFileKey,
  studentDecodes,
  studentHasSampler,
  studentTakesSource,
  teacherCopies,
  teacherTakesSource,
  tokensPerFrame,
} from './manifest';
import { type OrtApi, type Runnable, cpuData, runKeep } from './sessionRun';
import { TeacherDecoding } from './teacherDecoding';

export { type OrtApi, type Runnable, asRunnable } from './sessionRun';
export { TeacherDecoding, featureWidth } from './teacherDecoding';

/** One student run's memory slots and camera (M = manifest student.slots; slot order of memory.retrieve). */
export interface StudentInputs {
  /** [M * g * g] token ids, zeros in empty slots */
  memTokens: Int32Array;
  /** [M * 5] camera poses */
  memPoses: Float32Array;
  /** [M] 0 for encoded ground truth, level_pred for the model's own frames */
  memLevel: Float32Array;
  /** [M] 1 filled, 0 empty */
  memValid: Float32Array;
  /** [5] the pose of the frame to predict */
  targetPose: Float32Array;
  /** [5] the normalized action into it */
  action: Float32Array;
  /** [M] 1 for an atlas frame, 0 for the session's own (fed where the student takes mem_source) */
  memSource: Float32Array;
}
export type Sessions = Record<ModelFileKey, Runnable>;

/** How one student run draws its frame (the graph's sampling inputs). */
export interface StudentDraw {
  /** 0 = greedy */
  temperature: number;
  /** levels kept per FSQ digit */
  topK: number;
  /** [g*g * D * L] uniform (0, 1) noise, one per digit level */
  uniform: Float32Array;
  /** where the student ships a noise sampler (its shared_noise input): let it draw the frame */
  sharedNoise?: boolean;
}

export class ModelRunners {
  readonly n: number;
  /**
   * The student session decodes too (files.student with the decoder fused in: outputs frame and
   * frame_tokens), so a decoded frame is one run; false for files.student_int8, which has no decoder.
   */
  readonly fusedStudent: boolean;
  /** the student outputs its copy gate (v3's copy path; the copy view shows it) */
  readonly hasCopyGate: boolean;
  constructor(
    private readonly ort: OrtApi,
    readonly manifest: Manifest,
    readonly sessions: Partial<Sessions>,
    studentFile: 'student' | 'student_int8' = 'student',
  ) {
    this.n = tokensPerFrame(manifest);
    this.fusedStudent = studentFile === 'student' && studentDecodes(manifest);
    this.hasCopyGate = (manifest.files[studentFile] ?? manifest.files.student).outputs.some((t) => t.name === 'copy_gate');
  }

  tokensTensor(tokens: Int32Array, frames = 1): Tensor {
    const [gh, gw] = this.manifest.tokens.grid;
    return new this.ort.Tensor('int32', tokens, frames === 1 ? [1, gh, gw] : [1, frames, gh, gw]);
  }

  /** RGB 0..255 float [H*W*3] -> token ids [g*g]. */
  async encode(rgb: Float32Array): Promise<Int32Array> {
    const { height, width } = this.manifest.frame;
    const r = await runKeep(this.sessions.encoder, { frame: new this.ort.Tensor('float32', rgb, [1, height, width, 3]) }, ['tokens']);
    const tokens = cpuData<Int32Array>(r.tokens).slice();
    r.tokens.dispose();
    return tokens;
  }

  /** Token ids (a tensor anywhere) -> RGB 0..255 float [H*W*3] (unrounded). The caller keeps `tokens`. */
  async decodeTensor(tokens: Tensor): Promise<Float32Array> {
    const r = await runKeep(this.sessions.decoder, { tokens }, ['frame']);
    const frame = cpuData<Float32Array>(r.frame);
    r.frame.dispose();
    return frame;
  }

  async decode(tokens: Int32Array): Promise<Float32Array> {
    return this.decodeTensor(this.tokensTensor(tokens));
  }

  /** The memory slots and camera as feeds (the six inputs the student and teacher_prev share). */
  private memoryFeeds(inp: StudentInputs) {
    const M = this.manifest.student.slots;
    const [gh, gw] = this.manifest.tokens.grid;
    const T = this.ort.Tensor;
    return {
      mem_tokens: new T('int32', inp.memTokens, [1, M, gh, gw]),
      mem_poses: new T('float32', inp.memPoses, [1, M, 5]),
      mem_level: new T('float32', inp.memLevel, [1, M]),
      mem_valid: new T('float32', inp.memValid, [1, M]),
      target_pose: new T('float32', inp.targetPose, [1, 5]),
      action: new T('float32', inp.action, [1, 5]),
    };
  }

  /** Feeds of one student run (inputs as the manifest's student.onnx describes them). */
  private studentFeeds(inp: StudentInputs, { temperature, topK, uniform, sharedNoise }: StudentDraw) {
    const L = Math.max(...this.manifest.tokens.fsq_levels);
    const D = this.manifest.tokens.fsq_levels.length;
    const T = this.ort.Tensor;
    const feeds: Record<string, Tensor> = this.memoryFeeds(inp);
    if (studentTakesSource(this.manifest)) feeds.mem_source = new T('float32', inp.memSource, [1, this.manifest.student.slots]);
    return {
      ...feeds,
      temperature: new T('float32', Float32Array.of(temperature), [1]),
      top_k: new T('int32', Int32Array.of(topK), [1]),
      uniform: new T('float32', uniform, [1, this.n, D, L]),
      ...(studentHasSampler(this.manifest) ? { shared_noise: new T('float32', Float32Array.of(sharedNoise ? 1 : 0), [1]) } : {}),
    };
  }

  /** The outputs `names` and, where the student has the copy path, its gate (copy_gate). */
  private withGate(names: string[]): string[] {
    return this.hasCopyGate ? [...names, 'copy_gate'] : names;
  }

  /** One student frame: the tokens tensor, where the session put it (the caller disposes of it). */
  async studentStepTensor(inp: StudentInputs, draw: StudentDraw): Promise<Tensor> {
    const r = await runKeep(this.sessions.student, this.studentFeeds(inp, draw), ['tokens'], true);
    return r.tokens;
  }

  /**
   * The same run, also fetching the per-digit logits (for the insight views); they come back on
   * the CPU through `read` (on a GPU, one counted readback of n x D x L floats).
   */
  async studentStepTensorLogits(inp: StudentInputs, draw: StudentDraw, read: (t: Tensor) => Promise<Float32Array>) {
    const r = await runKeep(this.sessions.student, this.studentFeeds(inp, draw), this.withGate(['tokens', 'logits']), true);
    try {
      return { tokens: r.tokens!, logits: await read(r.logits!), copyGate: r.copy_gate ? await read(r.copy_gate) : null };
    } finally {
      r.logits!.dispose();
      r.copy_gate?.dispose();
    }
  }

  /**
   * One student frame decoded in the same run (fusedStudent): its token ids and RGB 0..255 floats
   * from the one packed output (on a GPU, one readback through `read`), and with `logits` also the
   * per-digit logits (a second readback).
   */
  async studentStepDecoded(inp: StudentInputs, draw: StudentDraw, read: (t: Tensor) => Promise<Float32Array>, logits = false) {
    if (!this.fusedStudent) throw new Error('this student graph does not decode (no frame_tokens output)');
    const names: string[] = logits ? this.withGate(['frame_tokens', 'logits']) : ['frame_tokens'];
    const r = await runKeep(this.sessions.student, this.studentFeeds(inp, draw), names, true);
    try {
      const packed = await read(r.frame_tokens!);
      const px = packed.length - this.n;
      return {
        ids: Int32Array.from(packed.subarray(px)),
        frame: packed.subarray(0, px),
        logits: logits ? await read(r.logits!) : null,
        copyGate: r.copy_gate ? await read(r.copy_gate) : null,
      };
    } finally {
      for (const t of Object.values(r)) t.dispose();
    }
  }

  /** One student frame on arrays, with its per-digit logits. */
  async studentStep(inp: StudentInputs, draw: StudentDraw) {
    const r = await runKeep(this.sessions.student, this.studentFeeds(inp, draw), this.withGate(['tokens', 'logits']));
    const out = {
      tokens: cpuData<Int32Array>(r.tokens!).slice(),
      logits: cpuData<Float32Array>(r.logits!).slice(),
      copyGate: r.copy_gate ? cpuData<Float32Array>(r.copy_gate).slice() : null,
    };
    for (const t of Object.values(r)) t.dispose();
    return out;
  }

  /**
   * One teacher frame, token by token with the KV cache: teacher_prev once on the student's
   * inputs (the same memory slots), then teacher_step per position. pick chooses token p from
   * its log-probabilities over ids; onToken sees each token as it arrives (the frame fills in
   * visibly) and may await.
   */
  async teacherFrame(
    inp: StudentInputs,
    pick: (logits: Float32Array) => number,
    onToken?: (p: number, id: number, tokens: Int32Array) => void | Promise<void>,
  ): Promise<{ tokens: Int32Array; firstLogits: Float32Array; runs: number }> {
    const dec = await this.teacherDecoding(inp);
    try {
      let firstLogits: Float32Array = new Float32Array(0);
      while (!dec.done) {
        const { position, logits } = await dec.next(pick);
        if (position === 0) firstLogits = logits;
        await onToken?.(position, dec.tokens[position]!, dec.tokens);
      }
      return { tokens: dec.tokens, firstLogits, runs: dec.runs };
    } finally {
      dec.dispose();
    }
  }

  /** A teacher frame decoded one token at a time, under the caller's control (the stepping view). */
  async teacherDecoding(inp: StudentInputs): Promise<TeacherDecoding> {
    const feeds: Record<string, Tensor> = this.memoryFeeds(inp);
    if (teacherTakesSource(this.manifest))
      feeds.mem_source = new this.ort.Tensor('float32', inp.memSource, [1, this.manifest.student.slots]);
    const copies = teacherCopies(this.manifest);
    const r = await runKeep(this.sessions.teacher_prev, feeds, copies ? ['features', 'copy_ids', 'copyable'] : ['features']);
    // on the CPU (1 readback a frame on a GPU): each step takes its own row (and column of the copy path's)
    const features = cpuData<Float32Array>(r.features).slice();
    const copy = copies ? { ids: cpuData<Float32Array>(r.copy_ids!).slice(), copyable: cpuData<Float32Array>(r.copyable!).slice() } : null;
    for (const t of Object.values(r)) t.dispose();
    return new TeacherDecoding(this.ort, this.manifest, this.sessions.teacher_step, features, this.n, copy);
  }
}

export function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}
