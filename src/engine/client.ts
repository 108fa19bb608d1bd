/**
 * The one typed client of the inference worker on the main thread: requests go out by `type`,
 * events come back by `status`; each request with an id gets its answer as a promise.
 */
import type { BackendName, Compared, EngineEvent, EngineRequest, ModelKind, Sampling, TeacherTokens } from './protocol';

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}
export class EngineError extends Error {
  override name = 'EngineError';
}

type Pending = {
  resolve: (e: EngineEvent) => void;
  reject: (e: Error) => void;
  onPartial?: (frame: Uint8Array, tokens: number, total: number) => void;
};

export class EngineClient {
  /** every step asks the engine to retrieve from the model's atlas, or not */
  atlas = true;
  private worker: Worker | null = null;
  private pending = new Map<number, Pending>();
  private listeners = new Set<(e: EngineEvent) => void>();
  private nextId = 1;

  on(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a worker and loads the model; resolves when the student is ready. */
  load(
    baseUrl: string,
    manifest: unknown,
    backend: 'auto' | BackendName,
    threads = 0,
    role: 'engine' | 'decoder' = 'engine',
    opts: Pick<Extract<EngineRequest, { type: 'load' }>, 'files' | 'teacherNow' | 'pruneCache' | 'precision'> = {},
  ): Promise<Extract<EngineEvent, { status: 'ready' }>> {
    this.terminate(new EngineError('the engine was restarted'));
    const w = new Worker(new URL('./worker/inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
    this.worker = w;
    return new Promise((resolve, reject) => {
      const off = this.on((e) => {
        if (e.status === 'ready') {
          off();
          resolve(e);
        } else if ((e.status === 'error' && e.fatal) || e.status === 'deviceLost') {
          off();
          reject(e.status === 'error' ? new EngineError(e.message) : new DeviceLostError(e.reason));
        }
      });
      w.onmessage = (ev: MessageEvent<EngineEvent>) => this.dispatch(ev.data);
      w.onerror = (ev) => {
        ev.preventDefault();
        this.dispatch({ status: 'error', message: `The inference worker failed: ${ev.message || 'it could not start'}`, fatal: true });
      };
      this.send({ type: 'load', baseUrl, manifest, backend, threads, role, ...opts });
    });
  }

  private dispatch(e: EngineEvent): void {
    if ('id' in e && e.id !== undefined) {
      const p = this.pending.get(e.id);
      if (p && e.status === 'partial') p.onPartial?.(e.frame, e.tokens, e.total);
      else if (p) {
        this.pending.delete(e.id);
        if (e.status === 'error') p.reject(new EngineError(e.message));
        else p.resolve(e);
      }
    }
    if (e.status === 'deviceLost') this.rejectAll(new DeviceLostError(e.reason));
    if (e.status === 'error' && e.fatal) this.rejectAll(new EngineError(e.message));
    for (const l of [...this.listeners]) l(e);
  }

  /** The teacher is needed now: download and build it (once per load; teacherReady follows). */
  loadTeacher(): void {
    this.send({ type: 'loadTeacher' });
  }

  private send(req: EngineRequest, transfer: Transferable[] = []): void {
    if (!this.worker) throw new EngineError('the engine is not running');
    this.worker.postMessage(req, transfer);
  }

  private request<S extends EngineEvent['status']>(
    make: (id: number) => EngineRequest,
    onPartial?: Pending['onPartial'],
    transfer: Transferable[] = [],
  ) {
    const id = this.nextId++;
    return new Promise<Extract<EngineEvent, { status: S }>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (e: EngineEvent) => void, reject, onPartial });
      try {
        this.send(make(id), transfer);
      } catch (e) {
        this.pending.delete(id);
        reject(e as Error);
      }
    });
  }

  /**
   * Ground-truth frames (copied: the caller keeps its buffers), oldest first, taken at poses[i].
   * reset forgets what the model remembers (a jump); otherwise the frames join its memory (a
   * re-anchor).
   */
  anchor(frames: Uint8Array[], poses: number[][], sampling: Sampling, reset: boolean) {
    const copies = frames.map((f) => f.slice());
    return this.request<'anchored'>(
      (id) => ({ type: 'anchor', id, frames: copies, poses, sampling, reset }),
      undefined,
      copies.map((c) => c.buffer),
    );
  }

  /** The frame at camera `pose` after `action` ([x, y, z, yaw, pitch]). */
  async step(
    model: ModelKind,
    action: Float32Array,
    pose: number[],
    sampling: Sampling,
    onPartial?: Pending['onPartial'],
    insight = false,
    mark: number | null = null,
  ) {
    const atlas = this.atlas;
    const e = await this.request<'frame'>(
      (id) => ({ type: 'step', id, model, action, pose, sampling, decode: true, insight, mark, atlas }),
      onPartial,
    );
    return { frame: e.frame, stats: e.stats, insight: e.insight };
  }

  /** A student step that stops at the tokens (another worker decodes them). */
  async stepTokens(action: Float32Array, pose: number[], sampling: Sampling, insight = false, mark: number | null = null) {
    const atlas = this.atlas;
    const e = await this.request<'tokens'>((id) => ({
      type: 'step',
      id,
      model: 'student',
      action,
      pose,
      sampling,
      decode: false,
      insight,
      mark,
      atlas,
    }));
    return { tokens: e.tokens, stats: e.stats, insight: e.insight };
  }

  /** The teacher one token at a time (begin: the frame's action and camera pose). */
  async teacherTokens(begin: { action: Float32Array; pose: number[] } | null, count: number, sampling: Sampling): Promise<TeacherTokens> {
    const e = await this.request<'teacherTokens'>((id) => ({ type: 'teacherTokens', id, begin, count, sampling }));
    return e;
  }

  /** Teacher and student on the same next step, side by side. */
  async compare(action: Float32Array, pose: number[]): Promise<Compared> {
    return this.request<'compared'>((id) => ({ type: 'compare', id, action, pose }));
  }

  /** Back to the rewind point a step kept under `key`. */
  async restore(key: number): Promise<void> {
    await this.request<'restored'>((id) => ({ type: 'restore', id, key }));
  }

  /** The tokens of a frame (copied), as the encoder sees it; nothing is remembered. */
  async encode(frame: Uint8Array): Promise<Int32Array> {
    const copy = frame.slice();
    const e = await this.request<'encoded'>((id) => ({ type: 'encode', id, frame: copy }), undefined, [copy.buffer]);
    return e.tokens;
  }

  /** Edits token `position` of the newest remembered frame; resolves with that frame re-decoded. */
  async editToken(position: number, token: number): Promise<{ frame: Uint8Array; tokens: Int32Array }> {
    const e = await this.request<'edited'>((id) => ({ type: 'editToken', id, position, token }));
    return { frame: e.frame, tokens: e.tokens };
  }

  async decode(tokens: Int32Array): Promise<{ frame: Uint8Array; decodeMs: number }> {
    const e = await this.request<'decoded'>((id) => ({ type: 'decode', id, tokens }));
    return { frame: e.frame, decodeMs: e.decodeMs };
  }

  /** Atlas frame `index` of the loaded model, decoded (RGB bytes). */
  async atlasFrame(index: number): Promise<Uint8Array> {
    const e = await this.request<'decoded'>((id) => ({ type: 'atlasFrame', id, index }));
    return e.frame;
  }

  benchMatMul(url: string, size: number, runs: number) {
    return this.request<'benchMatMul'>((id) => ({ type: 'benchMatMul', id, url, size, runs }));
  }

  loseDevice(): void {
    this.send({ type: 'loseDevice' });
  }

  private rejectAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  terminate(err = new EngineError('the engine was stopped')): void {
    this.rejectAll(err);
    this.worker?.terminate();
    this.worker = null;
  }
}
