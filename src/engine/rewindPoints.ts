/**
 * Rewind points: what the model remembered, its step counter and its sampler after each marked
 * step, for the newest REWIND_STEPS + REWIND_IN_FLIGHT steps (the timeline's depth and the steps
 * that may still be in flight when a rewind is asked for).
 */
import type { MemoryEntry } from './memory';
import { REWIND_IN_FLIGHT, REWIND_STEPS } from './protocol';

export interface RewindPoint {
  entries: MemoryEntry[];
  stepIndex: number;
  sampler: number[];
}

export class RewindPoints {
  static readonly MAX = REWIND_STEPS + REWIND_IN_FLIGHT;
  private readonly points = new Map<number, RewindPoint>();

  /** Keeps a point under `key`; the oldest go beyond MAX. */
  mark(key: number, p: RewindPoint): void {
    this.points.set(key, p);
    while (this.points.size > RewindPoints.MAX) this.points.delete(this.points.keys().next().value!);
  }

  get(key: number): RewindPoint {
    const p = this.points.get(key);
    if (!p) throw new RangeError(`no rewind point ${key} (only the last ${RewindPoints.MAX} steps are kept)`);
    return p;
  }
}
