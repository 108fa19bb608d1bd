/// <reference lib="webworker" />
/**
 * The inference worker: the only code that touches onnxruntime-web. It picks WebGPU or WASM, loads
 * the manifest's files (progress, sha256, Cache Storage), creates the sessions, warms them up and
 * then answers anchor/step requests with frames (files and sessions: sessionFiles.ts). A lost or failing GPU is reported as
 * `deviceLost`; the client then starts a new worker (new sessions), on WASM if WebGPU fails again.
 */
import { type ModelFileKey, parseManifest } from '../manifest';
import type { BackendInfo, EngineEvent, EngineRequest } from '../protocol';
import { isTransferable } from '../protocol';
import { ModelRunners } from '../runners';
import { RunCounter, WorldModelCore, toBytes } from '../worldModelCore';
import { type Ort, backendInfo, chooseBackend, importOrt, setThreadOverride } from './backend';
import { benchMatMul } from './matmulBench';
import { deleteStale } from './modelFiles';
import { SessionFiles } from './sessionFiles';
import { parseAtlas } from '../atlas';

const post = (e: EngineEvent) => self.postMessage(e, isTransferable(e));

const STUDENT_SET: readonly ModelFileKey[] = ['encoder', 'decoder', 'student'];
const TEACHER_SET: readonly ModelFileKey[] = ['teacher_prev', 'teacher_step'];

let ort: Ort | null = null;
let backend: BackendInfo | null = null;
let core: WorldModelCore | null = null;
/** the second stage of the WASM pipeline: a worker that only decodes */
let decoderOnly: ModelRunners | null = null;
let gpuDevice: { destroy(): void; lost: Promise<{ message: string; reason: string }> } | null = null;
let lost = false;
const files = new SessionFiles(post);

async function watchDevice(): Promise<void> {
  try {
    const dev = (await Promise.race([ort!.env.webgpu.device, new Promise((r) => setTimeout(r, 1000, null))])) as typeof gpuDevice;
    if (!dev || typeof (dev as any).destroy !== 'function') return;
    gpuDevice = dev;
    void dev.lost.then((info) => {
      if (lost) return;
      lost = true;
      post({ status: 'deviceLost', reason: `${info.reason || 'unknown'}: ${info.message || 'the GPU device was lost'}` });
    });
  } catch {
    // The runtime does not expose its device; run failures still report the loss.
  }
}

async function load(req: Extract<EngineRequest, { type: 'load' }>): Promise<void> {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let tp = t0;
  const mark = (name: string) => {
    const t = performance.now();
    phases[name] = Math.round(t - tp);
    tp = t;
  };
  const m = parseManifest(req.manifest);
  if (req.role === 'engine') {
    startTeacher = () => {}; // another model: its teacher waits to be asked for again
    teacherWanted = false;
  }
  if (req.role === 'engine' && !self.isSecureContext) {
    post({
      status: 'notice',
      message:
        'This page is not served over HTTPS or from localhost, so the browser withholds WebGPU, threads, file caching and offline use: ' +
        'the model runs on one WASM thread and downloads again on the next visit. Open it over HTTPS or on localhost to get them back.',
    });
  }
  setThreadOverride(req.threads);
  const chosen = await chooseBackend(req.backend);
  const fallback = req.backend !== 'wasm' && chosen.name === 'wasm' ? chosen.probe?.reason : undefined;
  // The int8 student's ops (com.microsoft DynamicQuantizeMatMul, FastGelu) exist on WASM only.
  const int8 = chosen.name === 'wasm' && req.precision !== 'float32' && m.files.student_int8?.backend === 'wasm';
  files.fileOf = { ...files.fileOf, student: int8 ? 'student_int8' : 'student' };
  backend = { ...backendInfo(chosen.name, chosen.probe, fallback), student: int8 ? 'int8' : 'float32' };
  post({ status: 'backend', backend });
  ort = await importOrt(chosen.name);
  mark('import');
  if (req.role === 'decoder') {
    await files.build(ort!, m, ['decoder'], await files.downloadSet(m, req.baseUrl, ['decoder'], req.files), chosen.name);
    decoderOnly = new ModelRunners(ort, m, files.wrapped(new RunCounter(false)));
    const [gh, gw] = m.tokens.grid;
    await decoderOnly.decode(new Int32Array(gh * gw)); // warm-up
    post({ status: 'ready', backend, loadMs: performance.now() - t0 });
    return;
  }
  const atlasBuf = m.atlas ? files.download(m.atlas, req.baseUrl, req.files) : Promise.resolve(null);
  atlasBuf.catch(() => {});
  const studentBufs = await files.downloadSet(m, req.baseUrl, STUDENT_SET, req.files);
  const atlasFile = await atlasBuf;
  mark('files');
  const each: Record<string, number> = {};
  await files.build(ort!, m, STUDENT_SET, studentBufs, chosen.name, each);
  mark('sessions');
  Object.assign(phases, each);
  if (chosen.name === 'webgpu') await watchDevice();
  const counter = new RunCounter(chosen.name === 'webgpu');
  const wrapped = files.wrapped(counter);
  core = new WorldModelCore(
    new ModelRunners(ort, m, wrapped, files.fileOf.student === 'student_int8' ? 'student_int8' : 'student'),
    counter,
  );
  if (m.atlas && atlasFile) core.setAtlas(parseAtlas(atlasFile, m.atlas.frames, m.tokens.grid[0] * m.tokens.grid[1]));
  // Warm-up on WebGPU: the first run of a session compiles its shaders; do it before 'ready'. On
  // WASM a first run costs little more than any other, so the first real frame is the warm-up.
  if (chosen.name === 'webgpu') {
    post({ status: 'progress', file: 'warm-up', loaded: 0, total: 1, cached: false, phase: 'warmup' });
    const blank = new Uint8Array(m.frame.height * m.frame.width * 3);
    const pose = [0, 1.7, 0, 0, 0];
    await core.anchor([blank], [pose], 0);
    await core.step('student', new Float32Array(5), pose, { temperature: 1, topK: 0, seed: 0 });
    core.dispose();
  }
  mark('warmup');
  post({ status: 'ready', backend, loadMs: performance.now() - t0, phases, atlasFrames: m.atlas?.frames ?? 0 });
  // The teacher loads only when something needs it (chosen, a view or lesson that shows it: a
  // loadTeacher request), after the student is usable and after its first frame, so neither
  // waits for it. Its sessions are built in the request queue, between frames.
  const afterFirst = new Promise<void>((r) => {
    firstFrameServed = r;
    if (req.teacherNow) r();
  });
  startTeacher = () => {
    startTeacher = () => {};
    const bufs = files.downloadSet(m, req.baseUrl, TEACHER_SET, req.files);
    void Promise.all([bufs, afterFirst]).then(
      ([b]) => {
        queue = queue.then(async () => {
          try {
            await files.build(ort!, m, TEACHER_SET, b, chosen.name);
            Object.assign(wrapped, files.wrapped(counter));
            if (req.pruneCache) await deleteStale([...Object.values(m.files).map((f) => f!.sha256), ...(m.atlas ? [m.atlas.sha256] : [])]);
            post({ status: 'teacherReady' });
          } catch (e) {
            post({ status: 'teacherFailed', message: (e as Error).message });
          }
        });
      },
      (e: Error) => post({ status: 'teacherFailed', message: e.message }),
    );
  };
  if (req.teacherNow || teacherWanted) startTeacher();
}

/** Starts the teacher's download and build (once per load); a no-op before a load and after the first call. */
let startTeacher: () => void = () => {};
/** a loadTeacher that came before the load finished */
let teacherWanted = false;

let firstFrameServed: (() => void) | null = null;

/** Requests run one at a time, in order: sessions take one run at a time. */
let queue: Promise<void> = Promise.resolve();

async function handle(req: EngineRequest): Promise<void> {
  try {
    switch (req.type) {
      case 'load':
        await load(req);
        return;
      case 'anchor': {
        const c = need();
        const t0 = performance.now();
        c.counter.take();
        const steps = await c.anchor(req.frames, req.poses, req.sampling.seed, req.reset);
        post({ status: 'anchored', id: req.id, encodeMs: performance.now() - t0, runs: c.counter.take().runs, steps });
        return;
      }
      case 'step': {
        const c = need();
        if (req.model === 'teacher' && !files.sessions.teacher_step) throw new Error('the teacher is still loading');
        const decode = req.decode || req.model === 'teacher';
        if (req.atlas !== undefined) c.atlasOn = req.atlas;
        const r = await c.step(
          req.model,
          req.action,
          req.pose,
          req.sampling,
          (frame, tokens) => post({ status: 'partial', id: req.id, frame, tokens, total: c.n }),
          32,
          decode,
          req.insight,
        );
        if (req.mark !== null) c.mark(req.mark);
        if (r.frame) post({ status: 'frame', id: req.id, frame: r.frame, stats: r.stats, insight: r.insight });
        else post({ status: 'tokens', id: req.id, tokens: r.tokens!, stats: r.stats, insight: r.insight });
        firstFrameServed?.();
        firstFrameServed = null;
        return;
      }
      case 'teacherTokens': {
        if (!files.sessions.teacher_step) throw new Error('the teacher is still loading');
        const r = await need().teacherTokens(req.begin, req.count, req.sampling);
        post({ status: 'teacherTokens', id: req.id, ...r });
        return;
      }
      case 'compare': {
        if (!files.sessions.teacher_step) throw new Error('the teacher is still loading');
        const r = await need().compare(req.action, req.pose);
        post({ status: 'compared', id: req.id, ...r });
        return;
      }
      case 'restore': {
        need().restore(req.key);
        post({ status: 'restored', id: req.id });
        return;
      }
      case 'encode': {
        const tokens = await need().runners.encode(Float32Array.from(req.frame));
        post({ status: 'encoded', id: req.id, tokens });
        return;
      }
      case 'editToken': {
        const r = await need().editToken(req.position, req.token);
        post({ status: 'edited', id: req.id, ...r });
        return;
      }
      case 'decode': {
        if (!decoderOnly) throw new Error('this worker is not a decoder');
        const t0 = performance.now();
        const frame = toBytes(await decoderOnly.decode(req.tokens));
        post({ status: 'decoded', id: req.id, frame, decodeMs: performance.now() - t0 });
        return;
      }
      case 'atlasFrame': {
        const t0 = performance.now();
        const frame = await need().atlasFrame(req.index);
        post({ status: 'decoded', id: req.id, frame, decodeMs: performance.now() - t0 });
        return;
      }
      case 'benchMatMul': {
        if (!ort || !backend) throw new Error('the engine is not loaded');
        const r = await benchMatMul(ort, backend.name, req.url, req.size, req.runs);
        post({ status: 'benchMatMul', id: req.id, ...r });
        return;
      }
      case 'loseDevice':
        if (!gpuDevice) throw new Error('no GPU device to lose (not on WebGPU, or the runtime does not expose it)');
        gpuDevice.destroy();
        return;
    }
  } catch (e) {
    const err = e as Error;
    const id = 'id' in req ? req.id : undefined;
    // On WebGPU an error from a run is treated as a lost device: the client recreates everything.
    if (backend?.name === 'webgpu' && (req.type === 'step' || req.type === 'anchor') && !(err instanceof RangeError)) {
      if (!lost) {
        lost = true;
        post({ status: 'deviceLost', reason: err.message });
      }
      return;
    }
    post({ status: 'error', id, message: err.message, fatal: req.type === 'load' });
  }
}

function need(): WorldModelCore {
  if (!core) throw new Error('the engine is not loaded yet');
  return core;
}

self.onmessage = (ev: MessageEvent<EngineRequest>) => {
  // Not queued: the download starts at once, and its sessions are built in the queue later.
  if (ev.data.type === 'loadTeacher') {
    teacherWanted = true;
    startTeacher();
    return;
  }
  queue = queue.then(() => handle(ev.data));
};
