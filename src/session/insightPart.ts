/**
 * The teaching views' copy of each frame (store/insightHolder): the newest prediction's tokens,
 * entropy, frames and memory slots, the run's PSNR history and anchors, and thumbnails of what
 * the model remembers; the timeline gets each rewind point.
 */
import { frameHolder, publishFrame } from '../store/frameHolder';
import { insightHolder, markAnchor, pushHistory, remember, setNow } from '../store/insightHolder';
import type { SessionEvent, SessionPart } from './sessionEvents';
import { timeline } from './timeline';

export class InsightPart implements SessionPart {
  /** levelPred: the level the model's own frames are remembered at (the manifest's student.level_pred) */
  constructor(private readonly levelPred: () => number) {}

  on(e: SessionEvent): void {
    if (e.kind === 'shown') {
      const { pred, stats, insight } = e;
      setNow({
        frame: e.frame,
        tokens: insight.tokens,
        entropy: insight.entropy,
        copyGate: insight.copyGate,
        predicted: pred,
        truth: e.truth,
        slots: stats.slots,
        step: stats.step,
        edited: false,
      });
      remember(stats.step, pred, stats.pose, this.levelPred());
      pushHistory(e.frame, e.psnr, e.entropy);
      if (e.point) timeline.push({ ...e.point, predicted: pred, tokens: insight.tokens, psnr: e.psnr });
    } else if (e.kind === 'anchored') {
      if (!e.reanchor) insightHolder.remembered.clear(); // the model's memory was forgotten too
      for (const f of e.truths) remember(f.step, f.frame, f.pose, 0);
      markAnchor(e.frame + 0.5); // between the last frame before it and the first after
    } else if (e.kind === 'rewound') {
      publishFrame(frameHolder.predicted, e.entry.predicted);
      setNow({
        tokens: e.entry.tokens,
        entropy: null,
        copyGate: null,
        predicted: e.entry.predicted,
        edited: false,
        ...(e.truth ? { truth: e.truth } : {}),
      });
    } else if (e.kind === 'edited') {
      publishFrame(frameHolder.predicted, e.pred);
      setNow({ tokens: e.tokens, predicted: e.pred, edited: true, copyGate: null }); // an edit is nobody's copy
      const n = insightHolder.now;
      const kept = insightHolder.remembered.get(n.step);
      if (kept) remember(n.step, e.pred, kept.pose, kept.level);
    }
  }
}
