/**
 * Anchoring on the truth: keeps the newest true frames (as many as the student has memory
 * slots), decides when an anchor is due (asked for by hand or by the drift guard, after a jump,
 * or every N predictions) and encodes them into the model's memory. "Dream" never anchors by
 * itself after the start.
 */
import type { EngineClient } from '../engine/client';
import type { Sampling } from '../engine/protocol';
import { type Action, poseToArray } from '../sim/contract';
import type { Frame } from '../sim/frame';
import type { Observation } from '../types/env';
import type { Anchored } from './sessionEvents';
import type { SessionSnap } from './timeline';

interface Recent {
  frame: Uint8Array;
  pose: number[];
}

export class Anchoring {
  private recent: Recent[] = [];
  needAnchor = true;
  /** the next anchor forgets the model's memory (after a jump, a new model, or at the start) */
  resetMemory = true;
  /** predictions made since the last anchor (counted when made, so anchor-every does not depend on decode timing) */
  sinceAnchor = 0;
  /** the pending anchor was asked for (by hand or by the drift guard), not by the schedule */
  askedAnchor = false;

  constructor(private readonly slots: () => number) {}

  /** Every ground-truth step, model or not: the frames an anchor encodes. */
  observe(obs: Observation, actionBefore: Action | null): void {
    if (!actionBefore) this.forget();
    this.recent.push({ frame: obs.frame.data.slice(), pose: poseToArray(obs.pose) });
    if (this.recent.length > this.slots()) this.recent.shift();
  }

  /** The newest ground truth, as observe kept it (the simulator reuses its own buffer). */
  newestTruth(size: { width: number; height: number }): Frame | null {
    const r = this.recent[this.recent.length - 1];
    return r ? { ...size, data: r.frame } : null;
  }

  /** A jump (teleport, respawn, new world): the old context no longer leads here. */
  forget(): void {
    this.recent = [];
    this.needAnchor = true;
    this.resetMemory = true;
  }

  /** Another model: nothing it remembers carries over, but the recent truth still holds (the world did not move). */
  newModel(): void {
    this.needAnchor = true;
    this.resetMemory = true;
  }

  ask(): void {
    this.needAnchor = true;
    this.askedAnchor = true;
  }

  due(every: number): boolean {
    return this.needAnchor || (every > 0 && this.sinceAnchor >= every);
  }

  /** Encodes the recent truth; null when there is none yet. */
  async anchor(
    client: EngineClient,
    sampling: Sampling,
    size: { width: number; height: number },
    frame: number,
  ): Promise<Omit<Anchored, 'kind'> | null> {
    if (this.recent.length === 0) return null;
    // The world is static: frames from the same pose are the same frame, and encoding them again
    // (a page that loads while nobody steers holds 4 of one) only delays the first prediction.
    const kept = this.recent.filter((r, i, all) => i === all.length - 1 || !samePose(r.pose, all[i + 1]!.pose));
    const r = await client.anchor(
      kept.map((x) => x.frame),
      kept.map((x) => x.pose),
      sampling,
      this.resetMemory,
    );
    const reanchor = !this.resetMemory;
    this.needAnchor = false;
    this.resetMemory = false;
    this.sinceAnchor = 0;
    return { reanchor, frame, truths: r.steps.map((step, i) => ({ step, frame: { ...size, data: kept[i]!.frame }, pose: kept[i]!.pose })) };
  }

  snap(): Pick<SessionSnap, 'recent' | 'needAnchor' | 'resetMemory' | 'sinceAnchor'> {
    return { recent: this.recent.slice(), needAnchor: this.needAnchor, resetMemory: this.resetMemory, sinceAnchor: this.sinceAnchor };
  }

  restore(s: SessionSnap): void {
    this.recent = s.recent.slice();
    this.needAnchor = s.needAnchor;
    this.resetMemory = s.resetMemory;
    this.sinceAnchor = s.sinceAnchor;
    this.askedAnchor = false;
  }
}

const samePose = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);
