/**
 * The teaching views' per-frame data, outside React like frameHolder: the newest prediction's
 * tokens and per-token entropy beside the frames they belong to, the run's history (PSNR,
 * entropy, anchors) and small thumbnails of every remembered frame. Writers change it only
 * through setNow / setTeacher / pushHistory / markAnchor, which bump its version and notify;
 * views read it through useSyncExternalStore (ui/teach/useHolder.ts), so none can miss a change.
 */
import type { TeacherTokens } from '../engine/protocol';
import type { SlotUse } from '../engine/slotUse';
import { type Frame, PSNR_CAP_DB } from '../sim/frame';

/** Thumbnails are THUMB x THUMB RGB, enough for a strip and cheap to keep for the whole memory. */
export const THUMB = 32;
const HISTORY = 2000;

export interface Remembered {
  thumb: Uint8Array;
  pose: number[];
  /** 0 = ground truth, otherwise the model's own frame */
  level: number;
}

export interface Insight {
  version: number;
  /** the frame number of the run (predictions since the page opened) */
  frame: number;
  tokens: Int32Array | null;
  entropy: Float32Array | null;
  /** the copy gate per token [n x (1 + slots)] (FrameInsight.copyGate); null when the model has none or it was not asked for */
  copyGate: Float32Array | null;
  /** the prediction and the truth it is scored against (both as shown) */
  predicted: Frame | null;
  truth: Frame | null;
  slots: SlotUse[];
  /** this prediction's step in the model's memory */
  step: number;
  /** true while `tokens` are an edit of the prediction, not the model's own */
  edited: boolean;
}

/** The teacher's state while it is stepped one token at a time (the engine's answer, minus the pixels). */
export type TeacherStepState = Pick<TeacherTokens, 'position' | 'total' | 'token' | 'candidates' | 'kvPositions' | 'kvBytes' | 'done'> & {
  version: number;
};

export const insightHolder = {
  teacher: null as TeacherStepState | null,
  now: {
    version: 0,
    frame: 0,
    tokens: null,
    entropy: null,
    copyGate: null,
    predicted: null,
    truth: null,
    slots: [],
    step: -1,
    edited: false,
  } as Insight,
  /** per prediction: frame number, PSNR (dB, capped at PSNR_CAP_DB), mean entropy (nats; NaN when not measured) */
  history: { version: 0, frame: [] as number[], psnr: [] as number[], entropy: [] as number[], anchors: [] as number[] },
  /** memory step -> thumbnail; bounded by the model's memory capacity (the manifest's, set on load) */
  remembered: new Map<number, Remembered>(),
  capacity: Infinity,
};

const listeners = new Set<() => void>();
let changes = 0;
const notify = () => {
  changes++;
  listeners.forEach((l) => l());
};

/** Counts every change of the holder (useSyncExternalStore's snapshot). */
export const insightChanges = (): number => changes;

/** Called after every change of the holder; returns the unsubscribe. */
export function subscribeInsight(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A change of the newest prediction's insight: one version bump, one notification. */
export function setNow(patch: Partial<Omit<Insight, 'version'>>): void {
  const n = insightHolder.now;
  Object.assign(n, patch, { version: n.version + 1 });
  notify();
}

/** The teacher's token-by-token state, or null when it is not being stepped. */
export function setTeacher(state: Omit<TeacherStepState, 'version'> | null): void {
  const prev = insightHolder.teacher;
  insightHolder.teacher = state && { ...state, version: (prev?.version ?? 0) + 1 };
  notify();
}

export function resetHistory(): void {
  const h = insightHolder.history;
  h.frame.length = h.psnr.length = h.entropy.length = h.anchors.length = 0;
  h.version++;
  notify();
}

export function pushHistory(frame: number, psnr: number, entropy: number): void {
  const h = insightHolder.history;
  h.frame.push(frame);
  h.psnr.push(Math.min(psnr, PSNR_CAP_DB));
  h.entropy.push(entropy);
  if (h.frame.length > HISTORY) {
    const cut = h.frame.length - HISTORY;
    h.frame.splice(0, cut);
    h.psnr.splice(0, cut);
    h.entropy.splice(0, cut);
    while (h.anchors.length && h.anchors[0]! < h.frame[0]!) h.anchors.shift();
  }
  h.version++;
  notify();
}

export function markAnchor(frame: number): void {
  insightHolder.history.anchors.push(frame);
  insightHolder.history.version++;
  notify();
}

export function remember(step: number, frame: Frame, pose: number[], level: number): void {
  const m = insightHolder.remembered;
  m.set(step, { thumb: thumbnail(frame), pose, level });
  // Map order is insertion order: the oldest steps go first.
  while (m.size > insightHolder.capacity) m.delete(m.keys().next().value!);
}

/** Box-filtered THUMB x THUMB RGB copy of a frame. */
export function thumbnail(f: Frame, size = THUMB): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const sy = f.height / size;
  const sx = f.width / size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        let n = 0;
        for (let yy = Math.floor(y * sy); yy < Math.floor((y + 1) * sy); yy++) {
          for (let xx = Math.floor(x * sx); xx < Math.floor((x + 1) * sx); xx++) {
            s += f.data[(yy * f.width + xx) * 3 + c]!;
            n++;
          }
        }
        out[(y * size + x) * 3 + c] = Math.round(s / Math.max(n, 1));
      }
    }
  }
  return out;
}

export const meanOf = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return a.length ? s / a.length : NaN;
};
