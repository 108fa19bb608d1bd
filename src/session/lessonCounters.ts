/**
 * What the lessons notice in the running model, counted from the session's events: frames by
 * model, how far a dream fell since its anchor, the gain of a re-anchor (lesson 5: the mean PSNR
 * of the 4 frames after R against the 4 before), how old the truth a prediction used was, the
 * seeds sampled, and the scores with the atlas on and off.
 */
import type { SlotUse } from '../engine/slotUse';
import { PSNR_CAP_DB } from '../sim/frame';
import { atlasActive, useApp } from '../store/store';
import { OLD_TRUTH_STEPS } from '../teach/lessons';
import { progress } from '../teach/progress';
import type { SessionEvent, SessionPart } from './sessionEvents';

/** frames on each side of a re-anchor that lesson 5 compares */
export const GAIN_FRAMES = 4;
/** lesson 4: predictions a true frame must have been out of the slots to count as brought back */
export const AWAY_STEPS = 10;

const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / a.length;

export class LessonCounters implements SessionPart {
  /** the newest GAIN_FRAMES scores, and around a re-anchor the mean before it and the scores after */
  private lastScores: number[] = [];
  private beforeAnchor: number | null = null;
  private afterAnchor: number[] | null = null;
  /** PSNR of the first prediction after the newest anchor (how far the dream has fallen since) */
  private firstAfterAnchor: number | null = null;

  on(e: SessionEvent): void {
    const p = progress;
    if (e.kind === 'anchored') {
      if (e.reanchor) {
        p.reanchors++;
        this.beforeAnchor = this.lastScores.length ? mean(this.lastScores) : null;
        this.afterAnchor = [];
      }
      this.firstAfterAnchor = null;
    } else if (e.kind === 'rewound') {
      this.firstAfterAnchor = e.entry.session.firstAfterAnchor;
    } else if (e.kind === 'edited') {
      p.edits++;
      p.framesSinceEdit = 0;
    } else if (e.kind === 'shown') {
      const { model, stats } = e;
      p.frames[model]++;
      if (p.edits > 0) p.framesSinceEdit++;
      p.msPerFrame[model] = stats.predictMs + stats.decodeMs;
      const s = Math.min(e.psnr, PSNR_CAP_DB);
      this.lastScores.push(s);
      if (this.lastScores.length > GAIN_FRAMES) this.lastScores.shift();
      if (this.afterAnchor && this.beforeAnchor !== null) {
        this.afterAnchor.push(s);
        if (this.afterAnchor.length === GAIN_FRAMES) {
          p.reanchorGain = mean(this.afterAnchor) - this.beforeAnchor;
          p.bestReanchorGain = Math.max(p.bestReanchorGain ?? -Infinity, p.reanchorGain);
          this.afterAnchor = null;
        }
      }
      this.firstAfterAnchor ??= s;
      p.drop = this.firstAfterAnchor - s;
      p.worstDrop = Math.max(p.worstDrop, p.drop);
      const back = this.returned(stats.slots, stats.step);
      if (back > 0) {
        p.oldestTruthSlot = Math.max(p.oldestTruthSlot, back);
        p.lastReturn = { step: stats.step, age: back };
        if (back >= OLD_TRUTH_STEPS) p.firstOldReturn ??= p.lastReturn;
      }
      const st = useApp.getState();
      if (st.temperature > 0) p.sampledSeeds.add(st.seed);
      const scores = atlasActive(st) ? p.atlasPsnr.on : p.atlasPsnr.off;
      scores.push(s);
      if (scores.length > 30) scores.shift();
    }
  }

  /** prediction step at which each true frame was last in the slots */
  private lastUsed = new Map<number, number>();

  /**
   * Lesson 4's outcome: the age of the oldest true frame this prediction brought back, one that
   * had been out of the slots for more than AWAY_STEPS predictions (0 if none). A frame never
   * used since it was seen counts as used then, so standing still brings nothing back.
   */
  private returned(slots: readonly SlotUse[], step: number): number {
    let oldest = 0;
    for (const s of slots) {
      if (s.level !== 0 || s.atlas !== undefined) continue;
      if (step - (this.lastUsed.get(s.step) ?? s.step) > AWAY_STEPS) oldest = Math.max(oldest, step - s.step);
      this.lastUsed.set(s.step, step);
    }
    if (this.lastUsed.size > 4096) this.lastUsed.delete(this.lastUsed.keys().next().value!);
    return oldest;
  }

  snap() {
    return { firstAfterAnchor: this.firstAfterAnchor };
  }
}
