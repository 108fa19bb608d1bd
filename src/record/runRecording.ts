/**
 * Record and share a run. Recording starts with a jump to the current pose (rounded as the URL
 * writes it), so the model starts from the truth there, exactly as a replay will; every action
 * is quantized and kept, every shown prediction is encoded with the truth beside it, and the
 * share link carries world, start pose, model, sampling, anchoring and the actions. Changing the
 * model or its settings mid-run would make the link lie, so it stops the recording.
 */
import type { ModelSession } from '../session/modelSession';
import type { StepLoop } from '../session/stepLoop';
import { actionFromNormalized } from '../sim/contract';
import { useApp } from '../store/store';
import { URL_DEFAULTS, serializeUrlState } from '../store/urlState';
import { VIEW_NAMES } from '../store/views';
import type { RecordFormat, Recording } from './formats';
import type { Recorder } from './recorder';
import { MAX_TRACE_STEPS, type Trace, TraceError, decodeActions, encodeActions, quantizeAction, traceJson, urlPose } from './trace';

export interface Finished {
  recording: Recording;
  trace: Trace;
  /** steps before which a re-anchor was asked for */
  reanchors: number[];
  shareUrl: string;
  traceFile: Blob;
}

const SETTINGS = ['model', 'temperature', 'topk', 'seed', 'anchor', 'worldSeed'] as const;

export class RunRecording {
  private recorder: Recorder | null = null;
  private trace: Trace | null = null;
  private reanchors: number[] = [];
  private unsub: (() => void) | null = null;
  /** why the recording stopped by itself, if it did */
  stoppedBecause: string | null = null;
  onAutoStop: (() => void) | null = null;

  constructor(
    private loop: StepLoop,
    private session: ModelSession,
  ) {}

  get active(): boolean {
    return this.recorder !== null;
  }

  get frames(): number {
    return this.recorder?.frameCount ?? 0;
  }

  get steps(): number {
    return this.trace?.actions.length ?? 0;
  }

  async start(format: RecordFormat): Promise<void> {
    if (this.recorder) throw new Error('already recording');
    const s = useApp.getState();
    if (s.model === 'off') throw new Error('Switch a model on to record what it imagines.');
    if (!s.pose) throw new Error('The world is not running yet.');
    // The encoders (mediabunny, gifenc) load with the first recording, not with the page.
    const { Recorder: Rec } = await import('./recorder');
    const recorder: Recorder = await Rec.create(format, 128, 128);
    const start = urlPose(s.pose);
    const trace: Trace = {
      version: 1,
      world: s.worldSeed,
      start,
      model: s.model,
      temperature: s.temperature,
      topk: s.topk,
      seed: s.seed,
      anchor: s.anchor,
      actions: [],
    };
    this.stoppedBecause = null;
    this.reanchors = [];
    this.trace = trace;
    await this.loop.exclusive(async () => {
      await this.loop.teleport(start); // a jump: the model anchors afresh on the truth here
      this.recorder = recorder;
      this.session.scoring.recordSteps = true;
      this.session.scoring.clearRecords();
      this.loop.actionFilter = (a) => {
        const q = quantizeAction(a);
        trace.actions.push(q.normalized);
        if (trace.actions.length >= MAX_TRACE_STEPS)
          queueMicrotask(() => this.autoStop(`a shared run holds at most ${MAX_TRACE_STEPS} steps (a minute)`));
        return q.action;
      };
      this.session.onReanchor = () => this.reanchors.push(Math.max(0, trace.actions.length - 1));
      this.session.onShown = (truth, pred, info) =>
        recorder.add(truth, pred, {
          frame: info.frame,
          model: info.model,
          psnr: info.psnr,
          entropy: Number.isFinite(info.entropy) ? info.entropy : null,
          lost: useApp.getState().lost,
        });
    });
    this.unsub = useApp.subscribe((st, prev) => {
      const changed = SETTINGS.find((k) => st[k] !== prev[k]);
      if (changed) this.autoStop(`the ${changed === 'worldSeed' ? 'world' : changed} changed, and a shared link could not replay that`);
    });
  }

  private autoStop(why: string): void {
    if (!this.recorder || this.stoppedBecause) return;
    this.stoppedBecause = why;
    this.detach();
    this.onAutoStop?.();
  }

  private detach(): void {
    this.loop.actionFilter = null;
    this.session.onShown = null;
    this.session.onReanchor = null;
    this.unsub?.();
    this.unsub = null;
  }

  async stop(): Promise<Finished> {
    const recorder = this.recorder;
    const trace = this.trace;
    if (!recorder || !trace) throw new Error('not recording');
    // after the step in flight, so the file and the trace end on the same frame
    await this.loop.exclusive(async () => this.detach());
    this.recorder = null;
    try {
      const recording = await recorder.stop();
      const shareUrl = await shareLink(trace, this.reanchors);
      return {
        recording,
        trace,
        reanchors: this.reanchors,
        shareUrl,
        traceFile: new Blob([traceJson({ ...trace, ...{ reanchors: this.reanchors } } as Trace)], { type: 'application/json' }),
      };
    } finally {
      this.session.scoring.recordSteps = false;
    }
  }

  async cancel(): Promise<void> {
    this.detach();
    await this.recorder?.cancel();
    this.recorder = null;
    this.session.scoring.recordSteps = false;
  }
}

/** The link that replays a run: the app's URL state at the start, plus the packed actions. */
export async function shareLink(trace: Trace, reanchors: number[]): Promise<string> {
  const s = useApp.getState();
  const q = serializeUrlState({
    ...URL_DEFAULTS,
    world: trace.world,
    pose: trace.start,
    model: trace.model,
    temperature: trace.temperature,
    topk: trace.topk,
    seed: trace.seed,
    anchor: trace.anchor,
    upscale: s.upscale,
    backend: s.backendChoice,
    views: VIEW_NAMES.filter((v) => s.views[v]),
    guard: s.driftGuard,
    // the replay must retrieve from the same memory: the atlas choice travels with the run
    atlas: s.atlas,
    modelUrl: s.source.kind === 'url' ? s.source.url : null,
  });
  const params = new URLSearchParams(q);
  params.set('trace', await encodeActions(trace.actions));
  if (reanchors.length) params.set('reanchors', reanchors.join('.'));
  return `${window.location.origin}${window.location.pathname}?${params.toString()}`;
}

/** A shared run in this page's URL: its actions and re-anchors, or null when there is none. */
export async function sharedRun(search: string): Promise<{ actions: number[][]; reanchors: number[] } | null> {
  const p = new URLSearchParams(search);
  const t = p.get('trace');
  if (t === null) return null;
  const actions = await decodeActions(t);
  const raw = p.get('reanchors');
  const reanchors = raw ? raw.split('.').map(Number) : [];
  if (reanchors.some((r) => !Number.isInteger(r) || r < 0 || r >= actions.length))
    throw new TraceError(`reanchors=${raw} names steps the run does not have (it has ${actions.length})`);
  return { actions, reanchors };
}

/** Replays a shared run from its start pose (in the URL) once the model is in. */
export async function replay(loop: StepLoop, session: ModelSession, run: { actions: number[][]; reanchors: number[] }): Promise<void> {
  const start = useApp.getState().pose;
  const at = new Set(run.reanchors);
  session.replaying = true;
  session.scoring.recordSteps = true;
  try {
    await loop.runScript(
      run.actions.map((a) => actionFromNormalized(a)),
      start,
      (i) => at.has(i) && session.reanchor(),
    );
    // The run's last frame stays on screen (and its records stay the run's own) until resumed.
    useApp.getState().setPaused(true);
  } finally {
    session.replaying = false;
    session.scoring.recordSteps = false;
  }
}
