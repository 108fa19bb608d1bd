/**
 * What the learner has done, counted where it happens (session, inspector, controls), so that a
 * lesson can notice when its "try this" is done. Plain counters outside React; lessons poll them.
 */
import type { BranchGap } from '../session/timeline';

export interface Progress {
  /** predicted frames shown, by model */
  frames: { student: number; teacher: number };
  /** distinct token cells inspected (with the truth's code shown) */
  inspected: Set<number>;
  /** token edits applied */
  edits: number;
  /** frames predicted after the newest edit */
  framesSinceEdit: number;
  /** single steps taken while paused, and the distinct actions they used */
  pausedSteps: number;
  pausedActions: Set<string>;
  /** anchors on the truth after the first */
  reanchors: number;
  /** mean PSNR of the 4 frames after the newest re-anchor minus the 4 before (dB), and the best such gain */
  reanchorGain: number | null;
  bestReanchorGain: number | null;
  /** the newest prediction's drop in PSNR from the first frame after an anchor, and the largest such drop, dB */
  drop: number;
  worstDrop: number;
  /**
   * the oldest true frame a prediction brought back into use, in steps since it was seen: used
   * again after it had been out of the slots for a while (standing still, it never leaves them)
   */
  oldestTruthSlot: number;
  /** the newest prediction that brought an old true frame back, and that frame's age */
  lastReturn: { step: number; age: number } | null;
  /** the first prediction that brought back a true frame at least OLD_TRUTH_STEPS old (the moment lesson 4's strip holds) */
  firstOldReturn: { step: number; age: number } | null;
  /** seeds used for frames sampled at temperature > 0 */
  sampledSeeds: Set<number>;
  /** teacher tokens decoded one at a time */
  teacherSteps: number;
  modelCardOpened: boolean;
  /** teacher-student comparisons run, and the newest one's share of tokens both chose alike */
  compared: number;
  lastAgreement: number | null;
  /** the newest rewind-and-branch: both branches compared step for step (lesson 3) */
  branch: BranchGap | null;
  /** PSNR of the newest predictions made with the atlas on and off (last 30 each), and switches of it */
  atlasPsnr: { on: number[]; off: number[] };
  atlasSwitches: number;
  /** "why dreams blur" runs, and the newest one's means (greedy vs the samples' average) */
  blurRuns: number;
  blur: { greedyPsnr: number; greedySharpness: number; samplePsnr: number; sampleSharpness: number } | null;
  /** ms per frame, newest, by model (for the distillation lesson's comparison) */
  msPerFrame: { student: number | null; teacher: number | null };
}

export const progress: Progress = fresh();

function fresh(): Progress {
  return {
    frames: { student: 0, teacher: 0 },
    inspected: new Set(),
    edits: 0,
    framesSinceEdit: 0,
    pausedSteps: 0,
    pausedActions: new Set(),
    reanchors: 0,
    reanchorGain: null,
    bestReanchorGain: null,
    drop: 0,
    worstDrop: 0,
    oldestTruthSlot: 0,
    lastReturn: null,
    firstOldReturn: null,
    sampledSeeds: new Set(),
    teacherSteps: 0,
    modelCardOpened: false,
    compared: 0,
    lastAgreement: null,
    branch: null,
    atlasPsnr: { on: [], off: [] },
    atlasSwitches: 0,
    blurRuns: 0,
    blur: null,
    msPerFrame: { student: null, teacher: null },
  };
}

/** A lesson starts from nothing done. */
export function resetProgress(): void {
  Object.assign(progress, fresh());
}
