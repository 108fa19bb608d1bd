/**
 * Rewind and branch: the last few hundred steps of the run, each with what is needed to go back
 * to it exactly (the engine keeps the model's side under the same key: memory, step counter,
 * sampler; here: the camera, the session's anchoring state and the frame shown). Rewinding forks
 * the run: the steps after the fork point become branch A, and the steps taken from there on
 * are branch B, shown side by side. Outside React, like the frame holders.
 */
import { REWIND_STEPS } from '../engine/protocol';
import type { Pose } from '../sim/contract';
import type { Frame } from '../sim/frame';

/** the engine keeps a rewind point for each of these (engine/protocol.ts) */
export const TIMELINE_STEPS = REWIND_STEPS;

/** The session's side of a rewind point. */
export interface SessionSnap {
  recent: { frame: Uint8Array; pose: number[] }[];
  needAnchor: boolean;
  resetMemory: boolean;
  sinceAnchor: number;
  scored: number;
  psnrSum: number;
  firstAfterAnchor: number | null;
}

export interface TimelineEntry {
  key: number;
  /** camera and step count after this step */
  pose: Pose;
  t: number;
  /** the normalized action into this frame */
  action: number[];
  predicted: Frame;
  tokens: Int32Array;
  psnr: number;
  session: SessionSnap;
}

export class Timeline {
  entries: TimelineEntry[] = [];
  /** the steps that followed the fork point before the newest rewind */
  branchA: TimelineEntry[] = [];
  forkKey: number | null = null;
  version = 0;
  private listeners = new Set<() => void>();

  /** Called after every change (useSyncExternalStore's subscribe); returns the unsubscribe. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed(): void {
    this.version++;
    this.listeners.forEach((l) => l());
  }

  push(e: TimelineEntry): void {
    this.entries.push(e);
    if (this.entries.length > TIMELINE_STEPS) this.entries.splice(0, this.entries.length - TIMELINE_STEPS);
    this.changed();
  }

  find(key: number): TimelineEntry | undefined {
    return this.entries.find((e) => e.key === key);
  }

  /** Forks at `key`: the entries after it become branch A (if any), and are dropped from the timeline. */
  fork(key: number): void {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i < 0) throw new RangeError(`step ${key} is no longer on the timeline`);
    const after = this.entries.slice(i + 1);
    if (after.length) {
      this.branchA = after;
      this.forkKey = key;
    }
    this.entries.length = i + 1;
    this.changed();
  }

  /** Branch B: the steps taken since the fork. */
  get branchB(): TimelineEntry[] {
    const k = this.forkKey;
    return k === null ? [] : this.entries.filter((e) => e.key > k);
  }

  /** A jump (teleport, new world, another model) ends the run the timeline belongs to. */
  clear(): void {
    this.entries = [];
    this.branchA = [];
    this.forkKey = null;
    this.changed();
  }
}

export const timeline = new Timeline();

/** Two branches from one past, as lesson 3 reads them: how far both go, whether their actions differ, how far apart their frames end up. */
export interface BranchGap {
  /** steps both branches took from the fork */
  steps: number;
  /** some step of B took another action than the same step of A */
  actionsDiffer: boolean;
  /** mean absolute difference (0-255) between the two predictions at the last common step */
  pixelDiff: number;
}

export function compareBranches(a: readonly TimelineEntry[], b: readonly TimelineEntry[]): BranchGap {
  const steps = Math.min(a.length, b.length);
  let actionsDiffer = false;
  for (let i = 0; i < steps && !actionsDiffer; i++)
    actionsDiffer = a[i]!.action.some((v, j) => Math.abs(v - (b[i]!.action[j] ?? 0)) > 0.05);
  let pixelDiff = 0;
  if (steps > 0) {
    const x = a[steps - 1]!.predicted.data;
    const y = b[steps - 1]!.predicted.data;
    let s = 0;
    for (let i = 0; i < x.length; i++) s += Math.abs(x[i]! - y[i]!);
    pixelDiff = s / Math.max(1, x.length);
  }
  return { steps, actionsDiffer, pixelDiff };
}
