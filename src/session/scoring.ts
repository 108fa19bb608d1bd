/**
 * Scores every shown prediction against the truth and keeps the HUD's numbers: frames per second,
 * ms per stage, PSNR (the newest and the mean since the anchor), sharpness. Also keeps each step's
 * record for the benchmarks when asked.
 */
import type { FrameStats, ModelKind } from '../engine/protocol';
import { PSNR_CAP_DB, psnr, sharpness } from '../sim/frame';
import { frameHolder } from '../store/frameHolder';
import { useApp } from '../store/store';
import type { SessionEvent, SessionPart } from './sessionEvents';

const HUD_EVERY_MS = 250;

export interface StepRecord {
  t: number;
  /** FNV-1a of the predicted pixels: equal frames, equal hashes (determinism checks) */
  hash: number;
  model: ModelKind;
  stats: FrameStats;
  displayMs: number;
  psnr: number;
  wallMs: number;
}

export class Scoring implements SessionPart {
  /** predictions shown and scored since the last anchor */
  private scored = 0;
  private psnrSum = 0;
  private stepTimes: number[] = [];
  private lastHud = 0;
  private lastStats: FrameStats | null = null;
  private lastPsnr: number | null = null;
  private lastSharpness: number | null = null;
  /** every step's numbers, for the benchmark (bounded) */
  readonly records: StepRecord[] = [];
  recordSteps = false;
  /** performance.now() (ms since navigation) when the first predicted frame was published */
  firstFrameAt: number | null = null;

  clearRecords(): void {
    this.records.length = 0;
  }

  on(e: SessionEvent): void {
    if (e.kind === 'shown') {
      this.firstFrameAt ??= performance.now();
      this.scored++;
      this.psnrSum += Math.min(e.psnr, PSNR_CAP_DB);
      this.lastStats = e.stats;
      this.lastPsnr = e.psnr;
      this.lastSharpness = sharpness(e.pred, e.truth);
      this.stepTimes.push(performance.now());
      if (this.stepTimes.length > 30) this.stepTimes.shift();
      if (this.recordSteps && this.records.length < 100_000) {
        this.records.push({
          t: e.t,
          hash: fnv1a(e.pred.data),
          model: e.model,
          stats: e.stats,
          displayMs: frameHolder.predicted.displayMs ?? 0,
          psnr: e.psnr,
          wallMs: e.wallMs,
        });
      }
      this.flushHud();
    } else if (e.kind === 'anchored') {
      this.scored = 0;
      this.psnrSum = 0;
    } else if (e.kind === 'rewound') {
      this.scored = e.entry.session.scored;
      this.psnrSum = e.entry.session.psnrSum;
      this.lastPsnr = e.entry.psnr;
      this.flushHud(true);
    } else if (e.kind === 'edited' && e.truth) {
      this.lastPsnr = psnr(e.pred, e.truth);
      this.lastSharpness = sharpness(e.pred, e.truth);
      this.flushHud(true);
    }
  }

  snap() {
    return { scored: this.scored, psnrSum: this.psnrSum };
  }

  private flushHud(now = false): void {
    const t = performance.now();
    if (!now && t - this.lastHud < HUD_EVERY_MS) return;
    this.lastHud = t;
    const ts = this.stepTimes;
    const fps = ts.length > 1 ? ((ts.length - 1) * 1000) / (ts[ts.length - 1]! - ts[0]!) : 0;
    const st = this.lastStats;
    useApp.getState().setHud({
      fps,
      predictMs: st?.predictMs ?? 0,
      decodeMs: st?.decodeMs ?? 0,
      displayMs: frameHolder.predicted.displayMs ?? 0,
      stats: st,
      psnr: this.lastPsnr,
      psnrMean: this.scored ? this.psnrSum / this.scored : null,
      sharpness: this.lastSharpness,
      sinceAnchor: this.scored,
      tokens: null,
    });
  }
}

export function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return h >>> 0;
}
