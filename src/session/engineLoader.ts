/**
 * Loads the model into the inference worker and keeps it running: the engine's progress and
 * notices go to the store, the WASM decode pipeline's second worker starts after the first frame,
 * the teacher loads once something needs it, and a lost GPU restarts the engine (a second failure
 * falls back to WASM, with a notice).
 */
import { DeviceLostError, EngineClient } from '../engine/client';
import type { Manifest } from '../engine/manifest';
import type { ResolvedModel } from '../engine/modelSource';
import type { BackendName } from '../engine/protocol';
import { insightHolder } from '../store/insightHolder';
import { type AppState, teacherNeeded, useApp } from '../store/store';

/** One thread each: with 2 decoder threads beside the engine's one, the pipeline fell to 9.5 fps
 * from 14.7 (measured once on this 2-core machine, with this constant set to 2). */
const DECODER_THREADS = 1;

export interface LoaderHooks {
  /** another model is coming: nothing the old one remembered carries over */
  newModel(): void;
  /** the engine is ready to predict */
  ready(): void;
}

export class EngineLoader {
  readonly client = new EngineClient();
  /** WASM pipeline: decodes frame t here while the engine predicts frame t+1 (one core each) */
  decoder: EngineClient | null = null;
  private startDecoder: (() => void) | null = null;
  private offEvents: (() => void) | null = null;
  private offTeacherWatch: (() => void) | null = null;
  ready = false;
  private loadArgs: { model: ResolvedModel; backend: 'auto' | BackendName } | null = null;
  private gpuFailures = 0;
  /** counts load() calls: a load superseded by a newer one reports nothing */
  private loads = 0;
  /** when the first load began and when its engine said ready (ms since navigation): the first frame's timeline */
  loadStartedAt: number | null = null;
  readyAt: number | null = null;

  constructor(private readonly hooks: LoaderHooks) {}

  get manifest(): Manifest | null {
    return this.loadArgs?.model.manifest ?? null;
  }

  /** the model loaded or loading (ResolvedModel.key), null before the first load */
  get loadedKey(): string | null {
    return this.loadArgs?.model.key ?? null;
  }

  /** The first frame is on screen: the pipeline's decoder may start now without delaying it. */
  firstShown(): void {
    this.startDecoder?.();
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
      this.hooks.newModel();
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
      insightHolder.capacity = manifest.student.memory.capacity;
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
      this.hooks.ready();
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

  dispose(): void {
    this.offTeacherWatch?.();
    this.ready = false;
    this.client.terminate();
    this.decoder?.terminate();
  }
}
