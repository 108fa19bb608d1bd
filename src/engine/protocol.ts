/**
 * The one message union between the UI and the inference worker: requests by `type`, events by
 * `status`. Frames travel as transferred RGB byte buffers, never through React state.
 */

import type { FrameInsight } from './insight';

export type { FrameInsight };
export type ModelKind = 'student' | 'teacher';
export type BackendName = 'webgpu' | 'wasm';

export interface Sampling {
  /** 0 = greedy */
  temperature: number;
  /** student: levels kept per FSQ digit; teacher: token ids kept (0 = all) */
  topK: number;
  seed: number;
  /**
   * student, temperature > 0, where the model ships a noise sampler: true (the default) lets it draw
   * the frame, so neighbouring tokens agree on one future; false draws every token on its own
   */
  sharedNoise?: boolean;
}

export interface BackendInfo {
  name: BackendName;
  /** GPU adapter (vendor, architecture or description) on WebGPU; 'CPU' on WASM */
  adapter: string;
  /** WASM threads (1 on WebGPU, where the CPU only orchestrates) */
  threads: number;
  shaderF16: boolean;
  /** why WebGPU is not used, when it is not */
  fallbackReason?: string;
  /** WASM: a second worker decodes while the first predicts */
  pipeline?: boolean;
  /** the student graph running: files.student (float32) or files.student_int8 */
  student?: 'float32' | 'int8';
}

/** Per predicted frame, measured in the worker. */
export interface FrameStats {
  model: ModelKind;
  predictMs: number;
  decodeMs: number;
  /** session.run calls for this frame (student + decoder; or teacher steps + decoder) */
  runs: number;
  /** GPU -> CPU copies for this frame (0 on WASM, where nothing lives on a GPU) */
  readbacks: number;
  readbackBytes: number;
  /** frames the prediction was made from (memory slots filled; the teacher's window) */
  contextFrames: number;
  /** frames remembered after this one */
  memoryFrames: number;
  /** the remembered frames the prediction used, in slot order (atlas: the atlas frame's index, step -1) */
  slots: { step: number; pose: number[]; level: number; atlas?: number }[];
  /** this frame's own step in the memory (what later slots refer to) */
  step: number;
  /** the camera pose it was predicted at */
  pose: number[];
}

/** One answer of the teacher's token-by-token stepping. */
export interface TeacherTokens {
  /** the newest decoded position and its token */
  position: number;
  total: number;
  token: number;
  /** its most likely candidates, with probabilities */
  candidates: { id: number; p: number }[];
  /** positions in the KV cache, and the bytes they hold */
  kvPositions: number;
  kvBytes: number;
  /** the frame so far (newest remembered frame's tokens where the new ones are not in yet) */
  frame: Uint8Array;
  tokens: Int32Array;
  /** the frame is complete and remembered; then stats and insight are set */
  done: boolean;
  stats: FrameStats | null;
  insight: FrameInsight | null;
}

export interface Compared {
  student: { tokens: Int32Array; frame: Uint8Array; ms: number };
  teacher: { tokens: Int32Array; frame: Uint8Array; ms: number };
  /** per token, 1 where both chose the same code */
  agree: Uint8Array;
  agreement: number;
}

export type EngineRequest =
  | {
      type: 'load';
      baseUrl: string;
      manifest: unknown;
      backend: 'auto' | BackendName;
      /** WASM threads; 0 = the default */
      threads: number;
      /** WASM: 'auto' runs files.student_int8 when the manifest has one, 'float32' files.student */
      precision?: 'auto' | 'float32';
      /** 'decoder': this worker only decodes (the second stage of the WASM pipeline) */
      role: 'engine' | 'decoder';
      /** where the files come from when not from baseUrl: Blobs by manifest path (a dropped folder) */
      files?: Record<string, Blob>;
      /** build the teacher at once (it is the model wanted), not after the student's first frame */
      teacherNow?: boolean;
      /** delete cached files this manifest does not name (the bundled model only: another model's files stay) */
      pruneCache?: boolean;
    }
  /**
   * Encodes these ground-truth frames (oldest first, taken at poses[i]) into the memory. reset:
   * forget everything first (a jump), else add them (a re-anchor).
   */
  | { type: 'anchor'; id: number; frames: Uint8Array[]; poses: number[][]; sampling: Sampling; reset: boolean }
  /**
   * The frame at camera `pose` after `action`. decode false: answer with the tokens (another
   * worker decodes them). insight: also each token's entropy (on a GPU, one more readback).
   */
  | {
      type: 'step';
      id: number;
      model: ModelKind;
      action: Float32Array;
      pose: number[];
      sampling: Sampling;
      decode: boolean;
      insight: boolean;
      /** keep a rewind point under this key after the step */
      mark: number | null;
      /** retrieve from the model's atlas too (ignored without one); stays set for compare and teacher stepping */
      atlas?: boolean;
    }
  /** Back to a rewind point kept by a step's `mark`. */
  | { type: 'restore'; id: number; key: number }
  /**
   * The teacher one token at a time: begin (the frame's action and pose) starts a frame, then
   * each request decodes `count` more tokens. Any other step or anchor drops a frame in progress.
   */
  | { type: 'teacherTokens'; id: number; begin: { action: Float32Array; pose: number[] } | null; count: number; sampling: Sampling }
  /** Download and build the teacher now (it loads only when something needs it: ~11 MB a laptop saved otherwise). */
  | { type: 'loadTeacher' }
  /** Teacher and student on the same next step, greedily, without remembering either. */
  | { type: 'compare'; id: number; action: Float32Array; pose: number[] }
  /** Encodes one frame (RGB bytes) to tokens, without remembering it (the inspector's ground-truth codes). */
  | { type: 'encode'; id: number; frame: Uint8Array }
  /** Replaces token `position` of the newest remembered frame with `token`; answers with that frame re-decoded. */
  | { type: 'editToken'; id: number; position: number; token: number }
  | { type: 'decode'; id: number; tokens: Int32Array }
  /** Atlas frame `index` of the model (the memory strip's picture of an atlas slot), decoded; answered with 'decoded'. */
  | { type: 'atlasFrame'; id: number; index: number }
  /** Times a plain n x n MatMul graph (models/probes) on this backend: the runtime's reachable FLOP/s. */
  | { type: 'benchMatMul'; id: number; url: string; size: number; runs: number }
  /** Test hook: destroys the GPU device, as a driver reset would. */
  | { type: 'loseDevice' };

export type EngineEvent =
  | { status: 'backend'; backend: BackendInfo }
  | {
      status: 'progress';
      file: string;
      loaded: number;
      total: number;
      cached: boolean;
      phase: 'download' | 'verify' | 'session' | 'warmup';
    }
  | {
      status: 'ready';
      backend: BackendInfo;
      loadMs: number;
      /** ms per load phase (worker side) */ phases?: Record<string, number>;
      /** frames in the model's atlas (0: none) */
      atlasFrames?: number;
    }
  | { status: 'teacherReady' }
  | { status: 'teacherFailed'; message: string }
  /** worth telling the person, not an error: a resumed download, a full cache */
  | { status: 'notice'; message: string }
  /** steps: the memory steps the anchored frames were given, oldest first */
  | { status: 'anchored'; id: number; encodeMs: number; runs: number; steps: number[] }
  | { status: 'partial'; id: number; frame: Uint8Array; tokens: number; total: number }
  | { status: 'frame'; id: number; frame: Uint8Array; stats: FrameStats; insight: FrameInsight }
  | { status: 'tokens'; id: number; tokens: Int32Array; stats: FrameStats; insight: FrameInsight }
  | { status: 'edited'; id: number; frame: Uint8Array; tokens: Int32Array }
  | { status: 'encoded'; id: number; tokens: Int32Array }
  | { status: 'restored'; id: number }
  | ({ status: 'teacherTokens'; id: number } & TeacherTokens)
  | ({ status: 'compared'; id: number } & Compared)
  | { status: 'decoded'; id: number; frame: Uint8Array; decodeMs: number }
  | { status: 'benchMatMul'; id: number; flops: number; ms: number[] }
  /** The GPU device is gone; the client restarts the worker. */
  | { status: 'deviceLost'; reason: string }
  | { status: 'error'; id?: number; message: string; fatal: boolean };

/** Steps the timeline keeps to rewind to; the engine keeps a rewind point for each, and a few for steps still in flight. */
export const REWIND_STEPS = 300;
export const REWIND_IN_FLIGHT = 8;

export const isTransferable = (e: EngineEvent): ArrayBuffer[] =>
  e.status === 'frame' || e.status === 'partial' || e.status === 'decoded' || e.status === 'edited'
    ? [e.frame.buffer as ArrayBuffer]
    : e.status === 'tokens'
      ? [e.tokens.buffer as ArrayBuffer]
      : [];
