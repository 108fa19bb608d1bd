/**
 * The world model beside the world: at every step of the loop it asks the model for the next
 * frame while the simulator renders the true one, and tells its parts (sessionEvents.ts) what was
 * shown, anchored, rewound or edited. The engine's loading and recovery live in engineLoader.ts,
 * the truth it anchors on in anchoring.ts; scoring and the HUD, lesson counters, the drift guard
 * and the teaching views' insight are parts that listen.
 */
import type { ResolvedModel } from '../engine/modelSource';
import type { BackendName, FrameStats, ModelKind, Sampling } from '../engine/protocol';
import type { FrameInsight } from '../engine/insight';
import { DeviceLostError } from '../engine/client';
import { type Action, type Pose, normalizeAction, poseToArray } from '../sim/contract';
import { type Frame, psnr } from '../sim/frame';
import { greyUndecoded } from '../viewport/greyUndecoded';
import { frameHolder, publishFrame } from '../store/frameHolder';
import { insightHolder, meanOf, setNow, setTeacher } from '../store/insightHolder';
import { progress } from '../teach/progress';
import { atlasActive, useApp } from '../store/store';
import type { Observation } from '../types/env';
import { Anchoring } from './anchoring';
import { DriftGuardPart } from './driftGuard';
import { EngineLoader } from './engineLoader';
import { InsightPart } from './insightPart';
import { LessonCounters } from './lessonCounters';
import { Scoring } from './scoring';
import { type RewindPoint, SessionEvents } from './sessionEvents';
import { type SessionSnap, type TimelineEntry, timeline } from './timeline';

export type { StepRecord } from './scoring';

export class ModelSession {
  private readonly anchoring = new Anchoring(() => this.engine.manifest?.student.slots ?? 1);
  /** loading, recovery and the load timeline (loadStartedAt, readyAt) */
  readonly engine = new EngineLoader({
    newModel: () => {
      this.anchoring.newModel();
      timeline.clear(); // a new engine keeps no rewind points
    },
    ready: () => (this.anchoring.needAnchor = true),
  });
  /** the HUD's numbers, the first frame's time and the benchmarks' step records */
  readonly scoring = new Scoring();
  private readonly events = new SessionEvents();
  private decoding: Promise<void> | null = null;
  /** the atlas switch as the last step had it (null before the first); a change re-anchors */
  private atlasOn: boolean | null = null;
  /** the next rewind point's key (the engine keeps its side under the same key) */
  private nextKey = 1;
  /** predictions shown since the page opened (the teaching views' time axis) */
  private frameCount = 0;
  /** replaying a shared run: re-anchors come from its trace, not from the drift guard */
  replaying = false;
  /** while recording: sees every shown prediction with the truth it is scored against */
  onShown: ((truth: Frame, pred: Frame, info: { model: ModelKind; psnr: number; entropy: number; frame: number }) => void) | null = null;
  /** while recording: a re-anchor asked for by hand (or by the drift guard) is part of the run; called at the step it takes effect */
  onReanchor: (() => void) | null = null;

  constructor() {
    this.events.add(this.scoring);
    this.events.add(new LessonCounters());
    this.events.add(
      new DriftGuardPart(
        () => this.reanchor(),
        () => this.replaying,
      ),
    );
    this.events.add(new InsightPart(() => this.engine.manifest?.student.level_pred ?? 1));
    this.events.add({
      on: (e) => {
        if (e.kind === 'shown') this.onShown?.(e.truth, e.pred, { model: e.model, psnr: e.psnr, entropy: e.entropy, frame: e.frame });
      },
    });
  }

  get client() {
    return this.engine.client;
  }
  get decoderReady(): boolean {
    return this.engine.decoder !== null;
  }
  get active(): boolean {
    const s = useApp.getState();
    return this.engine.ready && (s.model === 'student' || (s.model === 'teacher' && s.teacherReady));
  }
  get loadedKey(): string | null {
    return this.engine.loadedKey;
  }
  load(model: ResolvedModel, backend: 'auto' | BackendName, teacherNow = false): Promise<void> {
    return this.engine.load(model, backend, teacherNow);
  }

  /** Every ground-truth step, model or not: the frames an anchor encodes. */
  observe(obs: Observation, actionBefore: Action | null): void {
    if (!actionBefore) timeline.clear();
    this.anchoring.observe(obs, actionBefore);
  }

  /** A jump (teleport, respawn, new world): the old context no longer leads here. */
  discontinuity(): void {
    timeline.clear();
    this.anchoring.forget();
  }

  /** Resolves when no decode is in flight (the WASM pipeline's last frame has landed). */
  async idle(): Promise<void> {
    while (this.decoding) await this.decoding;
  }

  reanchor(): void {
    this.anchoring.ask();
  }

  private frameSize(): { width: number; height: number } {
    const f = this.engine.manifest!.frame;
    return { width: f.width, height: f.height };
  }

  private grid(): number {
    return this.engine.manifest!.tokens.grid[1];
  }

  private newestTruth(): Frame {
    return this.anchoring.newestTruth(this.frameSize())!;
  }

  /** Errors other than a lost GPU (which the loader recovers from) become a notice. */
  private report(what: string, e: unknown): void {
    if (!(e instanceof DeviceLostError)) useApp.getState().notify('error', `${what}: ${(e as Error).message}`);
  }

  /** Per-token entropy (and the copy gate) cost readbacks on a GPU: asked for only while a view or the drift guard reads them. */
  private wantsInsight(): boolean {
    const s = useApp.getState();
    return s.views.confidence || s.views.chart || s.views.memory || s.driftGuard !== 'off';
  }

  private sampling(): Sampling {
    const s = useApp.getState();
    return { temperature: s.temperature, topK: s.model === 'teacher' ? 0 : s.topk, seed: s.seed };
  }

  /**
   * The atlas switch, applied before a step. Switching it re-anchors: the next frame starts from
   * the truth at this place with or without the learned world's memory, so the scores before and
   * after compare one memory with the other, not a fresh start with a dream that already drifted.
   */
  private syncAtlas(): void {
    const on = atlasActive(useApp.getState());
    if (this.atlasOn !== null && on !== this.atlasOn) this.anchoring.ask();
    this.atlasOn = on;
    this.client.atlas = on;
  }

  /** Anchors when due (asked for, after a jump, or on the anchor-every schedule); false if it failed. */
  private async ensureAnchored(): Promise<boolean> {
    if (!this.anchoring.due(useApp.getState().anchor)) return true;
    if (this.anchoring.askedAnchor) this.onReanchor?.();
    this.anchoring.askedAnchor = false;
    try {
      const a = await this.anchoring.anchor(this.client, this.sampling(), this.frameSize(), this.frameCount);
      if (a) this.events.emit({ kind: 'anchored', ...a });
    } catch (e) {
      this.report('Could not anchor on the ground truth', e);
      return false;
    }
    return true;
  }

  /**
   * The teacher one token at a time (the stepping view). begin: a new frame, for `action` into
   * camera `pose`. The frame so far shows at once; the last token completes the step (the
   * simulator steps, the frame is scored) and the true observation is returned, else null.
   */
  async teacherTokens(
    action: Action,
    pose: Pose,
    count: number,
    begin: boolean,
    simStep: () => Promise<Observation>,
  ): Promise<Observation | null> {
    const t0 = performance.now();
    if (begin) this.syncAtlas();
    if (begin && !(await this.ensureAnchored())) return null;
    const s = useApp.getState();
    const r = await this.client.teacherTokens(begin ? { action: normalizeAction(action), pose: poseToArray(pose) } : null, count, {
      temperature: s.temperature,
      topK: 0,
      seed: s.seed,
    });
    progress.teacherSteps += count;
    const pred: Frame = { ...this.frameSize(), data: r.frame };
    publishFrame(
      frameHolder.predicted,
      r.done ? pred : { ...pred, data: greyUndecoded(r.frame, pred.width, pred.height, this.grid(), r.kvPositions) },
    );
    const { position, total, token, candidates, kvPositions, kvBytes, done } = r;
    setTeacher({ position, total, token, candidates, kvPositions, kvBytes, done });
    setNow({ tokens: r.tokens, predicted: pred, edited: false, copyGate: null });
    useApp.getState().setHud({ tokens: { done: r.kvPositions, total: r.total } });
    if (!r.done) return null;
    this.anchoring.sinceAnchor++;
    const obs = this.afterSim(await simStep(), action);
    this.show(r.frame, this.newestTruth(), obs.t, 'teacher', r.stats!, t0, r.insight!);
    return obs;
  }

  /** Teacher and student on the same next step, side by side; nothing is remembered. */
  async compare(action: Action, pose: Pose) {
    await this.idle();
    return this.client.compare(normalizeAction(action), poseToArray(pose));
  }

  /**
   * One step of both worlds: the model predicts the frame at camera `pose` (where the step leads)
   * while the simulator renders it, then the prediction is shown and scored. Returns the true
   * observation.
   */
  async step(action: Action, pose: Pose, simStep: () => Promise<Observation>): Promise<Observation> {
    const t0 = performance.now();
    const model: ModelKind = useApp.getState().model === 'teacher' ? 'teacher' : 'student';
    if (insightHolder.teacher) setTeacher(null);
    this.syncAtlas();
    if (!(await this.ensureAnchored())) return this.afterSim(await simStep(), action);
    if (model === 'student' && this.engine.decoder) return this.pipelinedStep(action, pose, simStep, t0);
    const key = this.nextKey++;
    const pending = this.client.step(
      model,
      normalizeAction(action),
      poseToArray(pose),
      this.sampling(),
      (frame, done, total) => {
        const { width, height } = this.frameSize();
        publishFrame(frameHolder.predicted, { width, height, data: greyUndecoded(frame, width, height, this.grid(), done) });
        useApp.getState().setHud({ tokens: { done, total } });
      },
      this.wantsInsight(),
      key,
    );
    const obs = this.afterSim(await simStep(), action);
    let r: Awaited<typeof pending>;
    try {
      r = await pending;
    } catch (e) {
      this.report('The model could not predict', e);
      return obs;
    }
    this.anchoring.sinceAnchor++;
    this.show(r.frame, this.newestTruth(), obs.t, model, r.stats, t0, r.insight, this.rewindPoint(key, obs, action));
    return obs;
  }

  /**
   * The student's tokens now, the pixels from the decoder worker while the next step predicts.
   * At most one decode waits, so a slow decoder slows the loop instead of piling up frames.
   */
  private async pipelinedStep(action: Action, pose: Pose, simStep: () => Promise<Observation>, t0: number): Promise<Observation> {
    const key = this.nextKey++;
    const pending = this.client.stepTokens(normalizeAction(action), poseToArray(pose), this.sampling(), this.wantsInsight(), key);
    const obs = this.afterSim(await simStep(), action);
    const truth = this.newestTruth(); // kept: the simulator's buffer changes on the next step
    let r: Awaited<typeof pending>;
    try {
      r = await pending;
    } catch (e) {
      this.report('The model could not predict', e);
      return obs;
    }
    this.anchoring.sinceAnchor++;
    const point = this.rewindPoint(key, obs, action);
    if (this.decoding) await this.decoding;
    const decoder = this.engine.decoder;
    if (!decoder) return obs; // the model was replaced while this frame was predicted
    this.decoding = decoder
      .decode(r.tokens)
      .then(
        (d) =>
          this.show(d.frame, truth, obs.t, 'student', { ...r.stats, decodeMs: d.decodeMs, runs: r.stats.runs + 1 }, t0, r.insight, point),
        (e: Error) => this.report('The decoder failed', e),
      )
      .finally(() => (this.decoding = null));
    return obs;
  }

  private show(
    frame: Uint8Array,
    truth: Frame,
    t: number,
    model: ModelKind,
    stats: FrameStats,
    t0: number,
    insight: FrameInsight,
    point: RewindPoint | null = null,
  ): void {
    const pred: Frame = { ...this.frameSize(), data: frame };
    publishFrame(frameHolder.predicted, pred);
    this.frameCount++;
    if (!useApp.getState().predicting) useApp.getState().patchModel({ predicting: true });
    this.engine.firstShown();
    const entropy = insight.entropy ? meanOf(insight.entropy) : NaN;
    const score = psnr(pred, truth);
    this.events.emit({
      kind: 'shown',
      pred,
      truth,
      t,
      model,
      stats,
      insight,
      psnr: score,
      entropy,
      frame: this.frameCount,
      wallMs: performance.now() - t0,
      point,
    });
  }

  /** What a rewind to just after this step restores on this side (taken when the prediction returns). */
  private rewindPoint(key: number, obs: Observation, action: Action): RewindPoint {
    const session = { ...this.anchoring.snap(), ...this.events.snap() } as SessionSnap;
    return { key, pose: obs.pose, t: obs.t, action: Array.from(normalizeAction(action)), session };
  }

  /** Back to a step on the timeline: the engine's memory and sampler, and every part's state. */
  async rewind(e: TimelineEntry): Promise<void> {
    await this.idle();
    await this.client.restore(e.key);
    this.anchoring.restore(e.session);
    this.events.emit({ kind: 'rewound', entry: e, truth: this.anchoring.newestTruth(this.frameSize()) });
  }

  /**
   * Edits what the model believes: token `position` of the newest frame becomes `token` (the
   * frame on screen, while paused); the prediction shows the edit at once and the next frame
   * continues from it.
   */
  async editToken(position: number, token: number): Promise<void> {
    await this.idle();
    const r = await this.client.editToken(position, token);
    const pred: Frame = { ...this.frameSize(), data: r.frame };
    this.events.emit({ kind: 'edited', pred, tokens: r.tokens, truth: insightHolder.now.truth });
  }

  private afterSim(obs: Observation, action: Action): Observation {
    this.observe(obs, action);
    return obs;
  }

  dispose(): void {
    this.engine.dispose();
  }
}
