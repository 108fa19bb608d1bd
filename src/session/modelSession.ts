/**
 * The world model beside the world: loads the engine (worker), keeps the recent ground truth for
 * anchoring, and at every step of the loop asks the model for the next frame while the simulator
 * renders the true one, then scores the prediction against it. Re-anchors on request, every N
 * frames, or after a jump (teleport, respawn, new world); "dream" never re-anchors by itself.
 * A lost GPU restarts the engine; a second failure falls back to WASM, with a notice.
 */
import { DeviceLostError, EngineClient } from '../engine/client';
import type { Manifest } from '../engine/manifest';
import type { ResolvedModel } from '../engine/modelSource';
import type { BackendName, FrameStats, ModelKind, Sampling } from '../engine/protocol';
import { type Action, type Pose, normalizeAction, poseToArray as poseArray } from '../sim/contract';
import { type Frame, psnr, sharpness } from '../sim/frame';
import { greyUndecoded } from '../viewport/greyUndecoded';
import { frameHolder, publishFrame } from '../store/frameHolder';
import type { FrameInsight } from '../engine/insight';
import { insightHolder, markAnchor, meanOf, pushHistory, remember } from '../store/insightHolder';
import { DriftWatch } from './driftWatch';
import { progress } from '../teach/progress';
import { type SessionSnap, type TimelineEntry, timeline } from './timeline';
import { type AppState, atlasActive, teacherNeeded, useApp } from '../store/store';
import type { Observation } from '../types/env';

const HUD_EVERY_MS = 250;
/** One thread each: with 2 decoder threads beside the engine's one, the pipeline fell to 9.5 fps
 * from 14.7 (measured once on this 2-core machine, with this constant set to 2). */
const DECODER_THREADS = 1;

interface Recent {
  frame: Uint8Array;
  pose: number[];
}

/** frames on each side of a re-anchor that lesson 5 compares */
const GAIN_FRAMES = 4;

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

export class ModelSession {
  readonly client = new EngineClient();
  /** WASM pipeline: decodes frame t here while the engine predicts frame t+1 (one core each) */
  private decoder: EngineClient | null = null;
  private decoding: Promise<void> | null = null;
  private startDecoder: (() => void) | null = null;
  private offEvents: (() => void) | null = null;
  private recent: Recent[] = [];
  private needAnchor = true;
  /** the next anchor forgets the model's memory (after a jump, or at the start) */
  private resetMemory = true;
  /** predictions made since the last anchor (counted when made, so anchor-every does not depend on decode timing) */
  private sinceAnchor = 0;
  /** predictions shown and scored since the last anchor */
  private scored = 0;
  private psnrSum = 0;
  /** the pending anchor was asked for (by hand or by the drift guard), not by the schedule */
  private askedAnchor = false;
  /** the next rewind point's key (the engine keeps its side under the same key) */
  private nextKey = 1;
  /** replaying a shared run: re-anchors come from its trace, not from the drift guard */
  replaying = false;
  private ready = false;
  private loadArgs: { model: ResolvedModel; backend: 'auto' | BackendName } | null = null;
  private gpuFailures = 0;
  /** counts load() calls: a load superseded by a newer one reports nothing */
  private loads = 0;
  private stepTimes: number[] = [];
  private lastHud = 0;
  private lastStats: FrameStats | null = null;
  private lastPsnr: number | null = null;
  /** the newest GAIN_FRAMES scores, and around a re-anchor the mean before it and the scores after */
  private lastScores: number[] = [];
  private beforeAnchor: number | null = null;
  private afterAnchor: number[] | null = null;
  private lastSharpness: number | null = null;
  /** every step's numbers, for the benchmark (bounded) */
  readonly records: StepRecord[] = [];
  recordSteps = false;
  /** performance.now() (ms since navigation) when the first predicted frame was published */
  firstFrameAt: number | null = null;
  /** when the first load began and when its engine said ready (ms since navigation): the first frame's timeline */
  loadStartedAt: number | null = null;
  readyAt: number | null = null;
  /** predictions shown since the page opened (the teaching views' time axis) */
  private frameCount = 0;
  private drift = new DriftWatch();
  /** while recording: sees every shown prediction with the truth it is scored against */
  onShown: ((truth: Frame, pred: Frame, info: { model: ModelKind; psnr: number; entropy: number; frame: number }) => void) | null = null;
  /** PSNR of the first prediction after the newest anchor (how far the dream has fallen since) */
  private firstAfterAnchor: number | null = null;

  get decoderReady(): boolean {
    return this.decoder !== null;
  }

  get active(): boolean {
    const s = useApp.getState();
    return this.ready && (s.model === 'student' || (s.model === 'teacher' && s.teacherReady));
  }

  private get manifest(): Manifest | null {
    return this.loadArgs?.model.manifest ?? null;
  }

  /** the model loaded or loading (ResolvedModel.key), null before the first load */
  get loadedKey(): string | null {
    return this.loadArgs?.model.key ?? null;
  }

  /** Loads (or replaces) the model; teacherNow: the teacher is wanted at once, build it without waiting for the student's first frame. */
  async load(model: ResolvedModel, backend: 'auto' | BackendName, teacherNow = false): Promise<void> {
    const { baseUrl, manifest } = model;
    this.loadStartedAt ??= performance.now();
    const fresh = this.loadArgs?.model.key !== model.key;
    this.loadArgs = { model, backend };
    const generation = ++this.loads;
    const st = useApp.getState();
    if (fresh) {
      st.clearFileProgress();
      // Another model: nothing it remembers carries over. The recent truth still holds (the
      // world did not move), and the first anchor needs it: a paused loop adds no more.
      this.needAnchor = true;
      this.resetMemory = true;
      timeline.clear(); // a new engine keeps no rewind points
    }
    st.patchModel({
      phase: 'loading',
      loadStep: 'starting the engine',
      modelError: null,
      teacherReady: false,
      teacherError: null,
      modelLabel: model.label,
      predicting: false,
    });
    this.ready = false;
    this.offEvents?.();
    const off = this.client.on((e) => {
      const s = useApp.getState();
      if (e.status === 'backend')
        s.patchModel({ backend: e.backend, loadStep: `starting ${e.backend.name === 'webgpu' ? 'WebGPU' : 'WASM'}` });
      else if (e.status === 'progress') {
        if (e.phase === 'download') s.setFileProgress(e.file, { loaded: e.loaded, total: e.total, cached: e.cached });
        s.patchModel({
          loadStep:
            e.phase === 'download'
              ? `${e.cached ? 'reading' : 'downloading'} ${e.file}`
              : e.phase === 'session'
                ? `preparing ${e.file}`
                : 'warming up',
        });
      } else if (e.status === 'teacherReady') s.patchModel({ teacherReady: true });
      else if (e.status === 'teacherFailed') {
        s.patchModel({ teacherError: e.message });
        s.notify('error', `The teacher could not be loaded: ${e.message}`);
      } else if (e.status === 'notice') s.notify('info', e.message);
      else if (e.status === 'error' && !e.fatal) s.notify('error', e.message);
      else if (e.status === 'deviceLost') void this.recover(e.reason);
    });
    this.offEvents = off;
    try {
      const { threads, pipeline, precision } = useApp.getState();
      this.decoder?.terminate();
      this.decoder = null;
      const r = await this.client.load(baseUrl, manifest, backend, threads || (pipeline ? 1 : 0), 'engine', {
        files: model.files,
        teacherNow,
        pruneCache: model.bundled,
        precision,
      });
      // The float student decodes inside its own run (the decoder is fused into it): nothing to pipeline.
      if (pipeline && r.backend.name === 'wasm' && r.backend.student === 'int8') {
        // The decoder worker starts once the first frame is on screen: until then the engine
        // decodes its own frames, so the first frame does not wait for a second runtime.
        this.startDecoder = () => {
          this.startDecoder = null;
          const d = new EngineClient();
          void d.load(baseUrl, manifest, 'wasm', threads || DECODER_THREADS, 'decoder', { files: model.files }).then(
            () => {
              if (this.ready && generation === this.loads) this.decoder = d;
              else d.terminate();
            },
            (e: Error) => {
              d.terminate();
              useApp.getState().notify('error', `The decoder worker could not start (${e.message}); decoding in the engine instead.`);
            },
          );
        };
        r.backend.pipeline = true;
      }
      this.readyAt ??= performance.now();
      this.watchTeacherNeed();
      const s = useApp.getState();
      s.patchModel({
        phase: 'ready',
        backend: r.backend,
        loadMs: r.loadMs,
        loadPhases: r.phases ?? null,
        loadStep: '',
        atlasFrames: r.atlasFrames ?? 0,
        learnedWorld: manifest.world.seed,
      });
      if (r.backend.fallbackReason && backend === 'auto') s.notify('info', `Running the model on WASM (CPU): ${r.backend.fallbackReason}.`);
      this.ready = true;
      this.needAnchor = true;
    } catch (e) {
      off();
      if (generation !== this.loads) return;
      if (e instanceof DeviceLostError) return this.recover(e.message);
      useApp.getState().patchModel({ phase: 'error', modelError: (e as Error).message, loadStep: '' });
    }
  }

  /** GPU lost or failing: a fresh engine (new device, new sessions); WASM after a second failure. */
  private async recover(reason: string): Promise<void> {
    if (!this.loadArgs) return;
    this.ready = false;
    this.gpuFailures++;
    const s = useApp.getState();
    const toWasm = this.gpuFailures >= 2 || this.loadArgs.backend === 'wasm';
    this.decoder?.terminate();
    this.decoder = null;
    s.notify(
      'error',
      toWasm
        ? `The GPU failed again (${reason}); switched to WASM, which is slower.`
        : `The GPU device was lost (${reason}); restarting the model on it.`,
    );
    this.client.terminate();
    await this.load(this.loadArgs.model, toWasm ? 'wasm' : this.loadArgs.backend, useApp.getState().model === 'teacher');
  }

  /** Every ground-truth step, model or not: the frames an anchor encodes. */
  observe(obs: Observation, actionBefore: Action | null): void {
    if (!actionBefore) this.discontinuity();
    this.recent.push({ frame: obs.frame.data.slice(), pose: poseArray(obs.pose) });
    // An anchor encodes as many ground-truth frames as the student has memory slots.
    if (this.recent.length > (this.manifest?.student.slots ?? 1)) this.recent.shift();
  }

  /** The newest ground truth, as observe kept it (the simulator reuses its own buffer). */
  private newestTruth(): Frame {
    const { width, height } = this.frameSize();
    return { width, height, data: this.recent[this.recent.length - 1]!.frame };
  }

  private grid(): number {
    return this.manifest!.tokens.grid[1];
  }

  private frameSize(): { width: number; height: number } {
    const f = this.manifest!.frame;
    return { width: f.width, height: f.height };
  }

  /** Errors other than a lost GPU (which recover() handles) become a notice. */
  private report(what: string, e: unknown): void {
    if (!(e instanceof DeviceLostError)) useApp.getState().notify('error', `${what}: ${(e as Error).message}`);
  }

  /** A jump (teleport, respawn, new world): the old context no longer leads here. */
  discontinuity(): void {
    timeline.clear();
    this.recent = [];
    this.needAnchor = true;
    this.resetMemory = true;
  }

  /** Resolves when no decode is in flight (the WASM pipeline's last frame has landed). */
  async idle(): Promise<void> {
    while (this.decoding) await this.decoding;
  }

  clearRecords(): void {
    this.records.length = 0;
  }

  reanchor(): void {
    this.needAnchor = true;
    this.askedAnchor = true;
  }

  /** while recording: a re-anchor asked for by hand (or by the drift guard) is part of the run; called at the step it takes effect */
  onReanchor: (() => void) | null = null;

  /** Per-token entropy costs a readback on a GPU: asked for only while a view or the drift guard reads it. */
  private wantsEntropy(): boolean {
    const s = useApp.getState();
    return s.views.confidence || s.views.chart || s.driftGuard !== 'off';
  }

  private sampling(): Sampling {
    const s = useApp.getState();
    return s.model === 'teacher'
      ? { temperature: s.temperature, topK: 0, seed: s.seed }
      : { temperature: s.temperature, topK: s.topk, seed: s.seed };
  }

  private async anchorNow(): Promise<void> {
    if (this.recent.length === 0) return;
    // The world is static: frames from the same pose are the same frame, and encoding them again
    // (a page that loads while nobody steers holds 4 of one) only delays the first prediction.
    const kept = this.recent.filter((r, i, all) => i === all.length - 1 || !samePose(r.pose, all[i + 1]!.pose));
    const frames = kept.map((r) => r.frame);
    const { width, height } = this.frameSize();
    const r = await this.client.anchor(
      frames,
      kept.map((x) => x.pose),
      this.sampling(),
      this.resetMemory,
    );
    if (!this.resetMemory) {
      progress.reanchors++;
      // Lesson 5's outcome: the mean PSNR of the frames just before R, against those just after.
      this.beforeAnchor = this.lastScores.length ? this.lastScores.reduce((a, b) => a + b, 0) / this.lastScores.length : null;
      this.afterAnchor = [];
    }
    this.firstAfterAnchor = null;
    if (this.resetMemory) insightHolder.remembered.clear();
    r.steps.forEach((step, i) => remember(step, { width, height, data: kept[i]!.frame }, kept[i]!.pose, 0));
    markAnchor(this.frameCount + 0.5); // between the last frame before it and the first after
    this.drift.anchored();
    useApp.getState().setLost(false);
    this.needAnchor = false;
    this.resetMemory = false;
    this.sinceAnchor = 0;
    this.scored = 0;
    this.psnrSum = 0;
  }

  /** Anchors when due (asked for, after a jump, or on the anchor-every schedule); false if it failed. */
  private async ensureAnchored(): Promise<boolean> {
    const every = useApp.getState().anchor;
    if (this.needAnchor || (every > 0 && this.sinceAnchor >= every)) {
      if (this.askedAnchor) this.onReanchor?.();
      this.askedAnchor = false;
      try {
        await this.anchorNow();
      } catch (e) {
        this.report('Could not anchor on the ground truth', e);
        return false;
      }
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
    if (begin && !(await this.ensureAnchored())) return null;
    const s = useApp.getState();
    const r = await this.client.teacherTokens(begin ? { action: normalizeAction(action), pose: poseArray(pose) } : null, count, {
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
    const prev = insightHolder.teacher;
    insightHolder.teacher = {
      version: (prev?.version ?? 0) + 1,
      position: r.position,
      total: r.total,
      token: r.token,
      candidates: r.candidates,
      kvPositions: r.kvPositions,
      kvBytes: r.kvBytes,
      done: r.done,
    };
    const n = insightHolder.now;
    Object.assign(n, { version: n.version + 1, tokens: r.tokens, predicted: pred, edited: false });
    useApp.getState().setHud({ tokens: { done: r.kvPositions, total: r.total } });
    if (!r.done) return null;
    this.sinceAnchor++;
    const obs = this.afterSim(await simStep(), action);
    this.show(r.frame, this.newestTruth(), obs.t, 'teacher', r.stats!, t0, r.insight!);
    return obs;
  }

  /** Teacher and student on the same next step, side by side; nothing is remembered. */
  async compare(action: Action, pose: Pose) {
    await this.idle();
    return this.client.compare(normalizeAction(action), poseArray(pose));
  }

  /**
   * One step of both worlds: the model predicts the frame at camera `pose` (where the step leads)
   * while the simulator renders it, then the prediction is shown and scored. Returns the true
   * observation.
   */
  async step(action: Action, pose: Pose, simStep: () => Promise<Observation>): Promise<Observation> {
    const t0 = performance.now();
    const s = useApp.getState();
    const model: ModelKind = s.model === 'teacher' ? 'teacher' : 'student';
    insightHolder.teacher = null;
    if (!(await this.ensureAnchored())) return this.afterSim(await simStep(), action);
    if (model === 'student' && this.decoder) return this.pipelinedStep(action, pose, simStep, t0);
    const key = this.nextKey++;
    this.client.atlas = atlasActive(useApp.getState());
    const pending = this.client.step(
      model,
      normalizeAction(action),
      poseArray(pose),
      this.sampling(),
      (frame, done, total) => {
        const { width, height } = this.frameSize();
        publishFrame(frameHolder.predicted, { width, height, data: greyUndecoded(frame, width, height, this.grid(), done) });
        useApp.getState().setHud({ tokens: { done, total } });
      },
      this.wantsEntropy(),
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
    this.sinceAnchor++;
    this.show(r.frame, this.newestTruth(), obs.t, model, r.stats, t0, r.insight, this.rewindPoint(key, obs, action));
    return obs;
  }

  /**
   * The student's tokens now, the pixels from the decoder worker while the next step predicts.
   * At most one decode waits, so a slow decoder slows the loop instead of piling up frames.
   */
  private async pipelinedStep(action: Action, pose: Pose, simStep: () => Promise<Observation>, t0: number): Promise<Observation> {
    const key = this.nextKey++;
    this.client.atlas = atlasActive(useApp.getState());
    const pending = this.client.stepTokens(normalizeAction(action), poseArray(pose), this.sampling(), this.wantsEntropy(), key);
    const obs = this.afterSim(await simStep(), action);
    const truth = this.newestTruth(); // kept: the simulator's buffer changes on the next step
    let r: Awaited<typeof pending>;
    try {
      r = await pending;
    } catch (e) {
      this.report('The model could not predict', e);
      return obs;
    }
    this.sinceAnchor++;
    const point = this.rewindPoint(key, obs, action);
    if (this.decoding) await this.decoding;
    const decoder = this.decoder;
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
    truthFrame: Frame,
    t: number,
    model: ModelKind,
    stats: FrameStats,
    t0: number,
    insight: FrameInsight,
    point: Omit<TimelineEntry, 'predicted' | 'tokens' | 'psnr'> | null = null,
  ): void {
    const pred: Frame = { ...this.frameSize(), data: frame };
    publishFrame(frameHolder.predicted, pred);
    this.publishInsight(pred, truthFrame, stats, insight);
    this.firstFrameAt ??= performance.now();
    if (!useApp.getState().predicting) useApp.getState().patchModel({ predicting: true });
    this.startDecoder?.();
    const score = psnr(pred, truthFrame);
    const h = insight.entropy ? meanOf(insight.entropy) : NaN;
    pushHistory(this.frameCount, score, h);
    if (point) timeline.push({ ...point, predicted: pred, tokens: insight.tokens, psnr: score });
    this.countProgress(model, stats, score);
    this.onShown?.(truthFrame, pred, { model, psnr: score, entropy: h, frame: this.frameCount });
    this.watchDrift(h);
    this.scored++;
    this.psnrSum += Math.min(score, 99);
    this.lastStats = stats;
    this.lastPsnr = score;
    this.lastSharpness = sharpness(pred, truthFrame);
    const wall = performance.now() - t0;
    this.stepTimes.push(performance.now());
    if (this.stepTimes.length > 30) this.stepTimes.shift();
    if (this.recordSteps && this.records.length < 100_000) {
      this.records.push({
        t,
        hash: fnv1a(frame),
        model,
        stats,
        displayMs: frameHolder.predicted.displayMs ?? 0,
        psnr: score,
        wallMs: wall,
      });
    }
    this.flushHud();
  }

  /** What a rewind to just after this step restores on this side (taken when the prediction returns). */
  private rewindPoint(key: number, obs: Observation, action: Action): Omit<TimelineEntry, 'predicted' | 'tokens' | 'psnr'> {
    const session: SessionSnap = {
      recent: this.recent.slice(),
      needAnchor: this.needAnchor,
      resetMemory: this.resetMemory,
      sinceAnchor: this.sinceAnchor,
      scored: this.scored,
      psnrSum: this.psnrSum,
      firstAfterAnchor: this.firstAfterAnchor,
    };
    return { key, pose: obs.pose, t: obs.t, action: Array.from(normalizeAction(action)), session };
  }

  /** Back to a step on the timeline: the engine's memory and sampler, and this side's anchoring state. */
  async rewind(e: TimelineEntry): Promise<void> {
    await this.idle();
    await this.client.restore(e.key);
    const s = e.session;
    this.recent = s.recent.slice();
    this.needAnchor = s.needAnchor;
    this.resetMemory = s.resetMemory;
    this.sinceAnchor = s.sinceAnchor;
    this.scored = s.scored;
    this.psnrSum = s.psnrSum;
    this.firstAfterAnchor = s.firstAfterAnchor;
    this.askedAnchor = false;
    publishFrame(frameHolder.predicted, e.predicted);
    const n = insightHolder.now;
    const truth = this.recent[this.recent.length - 1];
    Object.assign(n, {
      version: n.version + 1,
      tokens: e.tokens,
      entropy: null,
      predicted: e.predicted,
      edited: false,
      truth: truth ? { ...this.frameSize(), data: truth.frame } : n.truth,
    });
    this.lastPsnr = e.psnr;
    this.lastHud = 0;
    this.flushHud();
  }

  /** The teaching views' copy of this frame: tokens, entropy, the frames and the memory used (the truth is observe's own copy, which nothing changes). */
  private publishInsight(pred: Frame, truth: Frame, stats: FrameStats, insight: FrameInsight): void {
    this.frameCount++;
    const n = insightHolder.now;
    Object.assign(n, {
      version: n.version + 1,
      frame: this.frameCount,
      tokens: insight.tokens,
      entropy: insight.entropy,
      predicted: pred,
      truth,
      slots: stats.slots,
      step: stats.step,
      edited: false,
    });
    remember(stats.step, pred, stats.pose, this.manifest?.student.level_pred ?? 1);
  }

  /** What the lessons notice: frames by model, how far the dream fell, how old the truth it used was. */
  private countProgress(model: ModelKind, stats: FrameStats, score: number): void {
    const p = progress;
    p.frames[model]++;
    if (p.edits > 0) p.framesSinceEdit++;
    p.msPerFrame[model] = stats.predictMs + stats.decodeMs;
    const s = Math.min(score, 99);
    this.lastScores.push(s);
    if (this.lastScores.length > GAIN_FRAMES) this.lastScores.shift();
    if (this.afterAnchor && this.beforeAnchor !== null) {
      this.afterAnchor.push(s);
      if (this.afterAnchor.length === GAIN_FRAMES) {
        p.reanchorGain = this.afterAnchor.reduce((a, b) => a + b, 0) / GAIN_FRAMES - this.beforeAnchor;
        p.bestReanchorGain = Math.max(p.bestReanchorGain ?? -Infinity, p.reanchorGain);
        this.afterAnchor = null;
      }
    }
    this.firstAfterAnchor ??= s;
    p.worstDrop = Math.max(p.worstDrop, this.firstAfterAnchor - s);
    for (const slot of stats.slots)
      if (slot.level === 0 && slot.atlas === undefined) p.oldestTruthSlot = Math.max(p.oldestTruthSlot, stats.step - slot.step);
    const st = useApp.getState();
    if (st.temperature > 0) p.sampledSeeds.add(st.seed);
    const scores = atlasActive(st) ? p.atlasPsnr.on : p.atlasPsnr.off;
    scores.push(s);
    if (scores.length > 30) scores.shift();
  }

  /** The drift guard: says so when the model's own uncertainty says it is lost, and re-anchors if asked. */
  private watchDrift(entropy: number): void {
    const s = useApp.getState();
    if (s.driftGuard === 'off' || !Number.isFinite(entropy)) return;
    const lost = this.drift.push(entropy);
    if (lost !== s.lost) s.setLost(lost);
    if (lost && s.driftGuard === 'reanchor' && !this.replaying) this.reanchor();
  }

  /**
   * Edits what the model believes: token `position` of the newest frame becomes `token` (the
   * frame on screen, while paused); the prediction shows the edit at once and the next frame
   * continues from it.
   */
  async editToken(position: number, token: number): Promise<void> {
    await this.idle();
    const r = await this.client.editToken(position, token);
    progress.edits++;
    progress.framesSinceEdit = 0;
    const pred: Frame = { ...this.frameSize(), data: r.frame };
    publishFrame(frameHolder.predicted, pred);
    const n = insightHolder.now;
    Object.assign(n, { version: n.version + 1, tokens: r.tokens, predicted: pred, edited: true });
    const kept = insightHolder.remembered.get(n.step);
    if (kept) remember(n.step, pred, kept.pose, kept.level);
    if (n.truth) {
      this.lastPsnr = psnr(pred, n.truth);
      this.lastSharpness = sharpness(pred, n.truth);
    }
    this.lastHud = 0;
    this.flushHud();
  }

  private afterSim(obs: Observation, action: Action): Observation {
    this.observe(obs, action);
    return obs;
  }

  private flushHud(): void {
    const t = performance.now();
    if (t - this.lastHud < HUD_EVERY_MS) return;
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

  /** Asks the engine for the teacher once something needs it (teacherNeeded), once per load. */
  private watchTeacherNeed(): void {
    this.offTeacherWatch?.();
    let asked = false;
    const check = (s: AppState) => {
      if (asked || !teacherNeeded(s)) return;
      asked = true;
      this.client.loadTeacher();
    };
    check(useApp.getState());
    this.offTeacherWatch = useApp.subscribe(check);
  }

  private offTeacherWatch: (() => void) | null = null;

  dispose(): void {
    this.offTeacherWatch?.();
    this.ready = false;
    this.client.terminate();
    this.decoder?.terminate();
  }
}

function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return h >>> 0;
}

const samePose = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);
