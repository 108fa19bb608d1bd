/**
 * "Why dreams blur": the same start and the same actions dreamed four ways (greedy, then three
 * sampling seeds), each scored against the truth at the end. Runs on the step loop's scripts, so
 * every run starts from a jump to the same pose (memory reset, one true frame) in dream mode and
 * is reproducible from its seed; the sampling and anchor settings are put back afterwards.
 */
import { ACTION_MAX, type Action, type Pose, ZERO_ACTION } from '../sim/contract';
import { type Frame, PSNR_CAP_DB, psnr, sharpness } from '../sim/frame';
import { useApp } from '../store/store';
import type { ModelSession } from './modelSession';
import type { StepLoop } from './stepLoop';

export interface BlurRun {
  label: string;
  temperature: number;
  seed: number | null;
  /** the last dreamed frame and the truth at the same step */
  pred: Frame;
  truth: Frame;
  /** of the last frame */
  psnr: number;
  sharpness: number;
  /** over every dreamed frame */
  meanPsnr: number;
  meanSharpness: number;
}

/** A turn to the left with a slow walk: new views the model has to imagine, so it is unsure. */
export function blurActions(steps: number): Action[] {
  return Array.from({ length: steps }, () => ({ ...ZERO_ACTION, yaw: ACTION_MAX.yaw, forward: ACTION_MAX.forward * 0.5 }));
}

export const BLUR_SEEDS = [11, 22, 33] as const;

export async function dreamFourWays(loop: StepLoop, session: ModelSession, start: Pose, steps = 20): Promise<BlurRun[]> {
  const st = useApp.getState();
  const before = { temperature: st.temperature, topk: st.topk, seed: st.seed, anchor: st.anchor, model: st.model };
  const ways: { label: string; temperature: number; seed: number | null }[] = [
    { label: 'average (greedy)', temperature: 0, seed: null },
    ...BLUR_SEEDS.map((seed) => ({ label: `sample, seed ${seed}`, temperature: 1, seed })),
  ];
  const out: BlurRun[] = [];
  const prevShown = session.onShown;
  try {
    st.setAnchor(0);
    st.setModel('student');
    for (const w of ways) {
      st.setSampling({ temperature: w.temperature, topk: 0, ...(w.seed === null ? {} : { seed: w.seed }) });
      const shown: { truth: Frame; pred: Frame }[] = [];
      session.onShown = (truth, pred) =>
        shown.push({ truth: { ...truth, data: truth.data.slice() }, pred: { ...pred, data: pred.data.slice() } });
      await loop.runScript(blurActions(steps), start);
      const last = shown[shown.length - 1];
      if (!last) throw new Error('the model showed no frame');
      const ps = shown.map((s) => Math.min(psnr(s.pred, s.truth), PSNR_CAP_DB));
      const sh = shown.map((s) => sharpness(s.pred, s.truth));
      out.push({
        ...w,
        pred: last.pred,
        truth: last.truth,
        psnr: ps[ps.length - 1]!,
        sharpness: sh[sh.length - 1]!,
        meanPsnr: ps.reduce((a, b) => a + b, 0) / ps.length,
        meanSharpness: sh.reduce((a, b) => a + b, 0) / sh.length,
      });
    }
  } finally {
    session.onShown = prevShown;
    st.setSampling({ temperature: before.temperature, topk: before.topk, seed: before.seed });
    st.setAnchor(before.anchor);
    st.setModel(before.model);
  }
  return out;
}
