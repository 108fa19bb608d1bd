/**
 * A window into the running app for end-to-end tests and benchmarks (window.__wmp): the same data
 * a person sees, plus the benchmark's controls (an action script stepped back to back, the MatMul
 * yardstick, a simulated GPU loss). Nothing here changes what the UI would do.
 */
import { MATMUL_PROBE } from '../engine/modelSource';
import { type Pose, actionFromNormalized } from '../sim/contract';
import { frameHolder } from '../store/frameHolder';
import { insightHolder } from '../store/insightHolder';
import { useApp } from '../store/store';
import type { ModelSession } from './modelSession';
import type { StepLoop } from './stepLoop';

type Plain = { width: number; height: number; version: number; data: number[] } | null;

const plain = (slot: keyof typeof frameHolder): Plain => {
  const f = frameHolder[slot].frame;
  return f ? { width: f.width, height: f.height, version: frameHolder[slot].version, data: Array.from(f.data) } : null;
};

export function installDebugHook(loop: () => StepLoop | null, session: ModelSession) {
  const hook = {
    pose: () => useApp.getState().pose,
    step: () => useApp.getState().step,
    worldSeed: () => useApp.getState().worldSeed,
    /** the ground-truth frame on screen, as plain numbers */
    groundTruth: () => plain('groundTruth'),
    predicted: () => plain('predicted'),
    predictedVersion: () => frameHolder.predicted.version,
    stepsTaken: () => loop()?.stepsTaken ?? 0,
    model: () => {
      const s = useApp.getState();
      return {
        phase: s.phase,
        error: s.modelError,
        backend: s.backend,
        loadMs: s.loadMs,
        loadPhases: s.loadPhases,
        teacherReady: s.teacherReady,
        hud: s.hud,
        model: s.model,
        firstFrameAt: session.scoring.firstFrameAt,
        loadStartedAt: session.engine.loadStartedAt,
        readyAt: session.engine.readyAt,
        decoderReady: session.decoderReady,
      };
    },
    /** Runs normalized actions back to back from `start` (or from here); resolves when done. */
    runScript: async (actions: number[][], start?: Pose | null): Promise<void> => {
      const l = loop();
      if (!l) throw new Error('the world is not running');
      await l.runScript(actions.map(actionFromNormalized), start);
    },
    /** Keep every predicted frame's numbers (runScript starts each run with an empty list). */
    recordSteps: (on: boolean) => {
      session.scoring.recordSteps = on;
      if (on) session.scoring.clearRecords();
    },
    records: () => session.scoring.records,
    reanchor: () => session.reanchor(),
    /** benchmarks: load the teacher as a view that needs it would (it loads only on demand) */
    loadTeacher: () => session.client.loadTeacher(),
    /** the teaching views' data for the newest prediction, as plain numbers */
    insight: () => {
      const n = insightHolder.now;
      return {
        version: n.version,
        frame: n.frame,
        step: n.step,
        edited: n.edited,
        tokens: n.tokens ? Array.from(n.tokens) : null,
        entropy: n.entropy ? Array.from(n.entropy) : null,
        copyGate: n.copyGate ? Array.from(n.copyGate) : null,
        slots: n.slots,
      };
    },
    history: () => ({ ...insightHolder.history }),
    editToken: (position: number, token: number) => session.editToken(position, token),
    stepOnce: () => loop()?.stepOnce(),
    replay: () => useApp.getState().replay,
    benchMatMul: (runs: number) => session.client.benchMatMul(MATMUL_PROBE.url, MATMUL_PROBE.size, runs),
    loseDevice: () => session.client.loseDevice(),
  };
  (window as unknown as { __wmp: typeof hook }).__wmp = hook;
}
