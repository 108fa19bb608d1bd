/**
 * What the model session tells the rest of the app, one typed event per happening: a prediction
 * shown (with the truth it is scored against), an anchor on the truth, a rewind, a token edit.
 * Scoring and the HUD, lesson progress, the drift guard, the teaching views and the timeline
 * subscribe; a view that needs new per-frame data extends `Shown`, not the session's internals.
 */
import type { FrameInsight } from '../engine/insight';
import type { FrameStats, ModelKind } from '../engine/protocol';
import type { Frame } from '../sim/frame';
import type { SessionSnap, TimelineEntry } from './timeline';

/** What a rewind to just after a step restores, minus what the prediction adds. */
export type RewindPoint = Omit<TimelineEntry, 'predicted' | 'tokens' | 'psnr'>;

export interface Shown {
  kind: 'shown';
  pred: Frame;
  truth: Frame;
  /** the simulator's step */
  t: number;
  model: ModelKind;
  stats: FrameStats;
  insight: FrameInsight;
  /** PSNR of pred against truth (Infinity when equal) and the mean per-token entropy (NaN when not measured) */
  psnr: number;
  entropy: number;
  /** predictions shown since the page opened (the teaching views' time axis) */
  frame: number;
  /** ms from asking for the prediction to showing it */
  wallMs: number;
  point: RewindPoint | null;
}

export interface Anchored {
  kind: 'anchored';
  /** false for the first anchor after a load or a jump (which also forgets the model's memory) */
  reanchor: boolean;
  frame: number;
  /** the true frames encoded, with their steps in the model's memory */
  truths: { step: number; frame: Frame; pose: number[] }[];
}

export interface Rewound {
  kind: 'rewound';
  entry: TimelineEntry;
  /** the newest truth as it was at that step */
  truth: Frame | null;
}

export interface Edited {
  kind: 'edited';
  pred: Frame;
  tokens: Int32Array;
  truth: Frame | null;
}

export type SessionEvent = Shown | Anchored | Rewound | Edited;

/** A subscriber: handles the events it cares about, and may add its part to a rewind point. */
export interface SessionPart {
  on(e: SessionEvent): void;
  snap?(): Partial<SessionSnap>;
}

export class SessionEvents {
  private parts: SessionPart[] = [];

  add(part: SessionPart): void {
    this.parts.push(part);
  }

  emit(e: SessionEvent): void {
    for (const p of this.parts) p.on(e);
  }

  /** Every part's share of a rewind point. */
  snap(): Partial<SessionSnap> {
    return Object.assign({}, ...this.parts.map((p) => p.snap?.() ?? {}));
  }
}
