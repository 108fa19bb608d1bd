/**
 * A read-only window into the running app for end-to-end tests and benchmarks
 * (window.__wmp): the same data a person sees, never a way around the UI.
 */
import { frameHolder } from '../store/frameHolder';
import { useApp } from '../store/store';
import type { StepLoop } from './stepLoop';

export interface DebugHook {
  pose(): ReturnType<typeof useApp.getState>['pose'];
  step(): number;
  worldSeed(): number;
  /** the ground-truth frame on screen, as plain numbers */
  groundTruth(): { width: number; height: number; version: number; data: number[] } | null;
  stepsTaken(): number;
}

export function installDebugHook(loop: () => StepLoop | null): void {
  const hook: DebugHook = {
    pose: () => useApp.getState().pose,
    step: () => useApp.getState().step,
    worldSeed: () => useApp.getState().worldSeed,
    groundTruth: () => {
      const f = frameHolder.groundTruth.frame;
      return f ? { width: f.width, height: f.height, version: frameHolder.groundTruth.version, data: Array.from(f.data) } : null;
    },
    stepsTaken: () => loop()?.stepsTaken ?? 0,
  };
  (window as unknown as { __wmp: DebugHook }).__wmp = hook;
}
