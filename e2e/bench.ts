/**
 * The in-browser benchmark: serves the production build, drives headless Chromium through a fixed
 * action script on WASM and (where an adapter exists) WebGPU, and writes bench.json.
 *
 *   npm run bench                                   # build, then 300 steps on each backend
 *   npm run bench -- --steps 300 --webgpu-steps 30 --soak 10000 --webgpu-soak 60 --out e2e/bench.json
 *
 * wasm-serial is WASM without the decode pipeline (student and decoder in one worker), for comparison;
 * wasm-sampled is the default WASM set-up drawing samples (temperature 1) instead of the greedy average.
 * Per backend: time from navigation to the first predicted frame (cold cache, then warm: reload
 * with the model files in Cache Storage), the script stepped back to back (fps, p50/p95 ms per
 * stage, session runs and bytes read back per frame), JS heap of page and worker before and
 * after, and the achieved FLOP/s of a frame next to a plain 1024^3 MatMul on the same backend.
 * --soak N steps N more frames on WASM (--webgpu-soak on WebGPU) and samples the heap every N/10.
 * --teacher-steps N (default 4) then times the teacher, token by token, on WASM: ms a frame.
 * --merge re-measures the named backends and keeps the others' entries (each has its date).
 * The build goes to its own folder, so tests may rebuild dist/ while a long benchmark runs.
 */
import { execSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARGS } from '../models/data/chromium';
import { actionScript } from './actionScript';
import { readManifest } from '../models/export/ortNode';
import { MODEL_ID, studentDecodes } from '../src/engine/manifest';
import { STEP_RATE_HZ } from '../src/sim/contract';
import { cli } from '../models/cli';

interface Args {
  steps: number;
  repeats: number;
  webgpuSteps: number;
  soak: number;
  webgpuSoak: number;
  backends: string[];
  out: string;
  port: number;
  build: boolean;
  /** keep the other backends' entries of an existing --out file */
  merge: boolean;
  /** teacher frames timed on WASM */
  teacherSteps: number;
}

const USAGE =
  'npm run bench -- [--steps N] [--repeats N] [--webgpu-steps N] [--soak N] [--webgpu-soak N] [--teacher-steps N] [--backends wasm,wasm-serial,wasm-sampled,webgpu] [--port N] [--out FILE] [--no-build] [--merge]';

function benchArgs(argv: string[]): Args {
  const num = { type: 'string' } as const;
  const a = cli(
    USAGE,
    {
      steps: num,
      'webgpu-steps': num,
      repeats: num,
      soak: num,
      'webgpu-soak': num,
      'teacher-steps': num,
      port: num,
      out: { type: 'string', default: 'e2e/bench.json' },
      backends: { type: 'string', default: 'wasm,wasm-serial,webgpu' },
      'no-build': { type: 'boolean' },
      merge: { type: 'boolean' },
    },
    argv,
  );
  const backends = a.values.backends!.split(',');
  if (backends.some((b) => !['wasm', 'webgpu', 'wasm-serial', 'wasm-sampled'].includes(b)))
    a.fail(`--backends takes wasm, wasm-serial, wasm-sampled and/or webgpu, got '${a.values.backends}'`);
  return {
    steps: a.int('steps', 300, 10),
    repeats: a.int('repeats', 3, 1),
    webgpuSteps: a.int('webgpu-steps', 300),
    soak: a.int('soak', 0),
    webgpuSoak: a.int('webgpu-soak', 0),
    backends,
    out: a.values.out!,
    port: a.int('port', 4183, 1),
    build: !a.values['no-build'],
    merge: !!a.values.merge,
    teacherSteps: a.int('teacher-steps', 4),
  };
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const a = [...xs].sort((x, y) => x - y);
  return Math.round(a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]! * 100) / 100;
};
const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 100) / 100 : null);

const model = (page: Page): Promise<any> => page.evaluate(() => (window as any).__wmp.model());
const record = (page: Page, on: boolean) => page.evaluate((v) => (window as any).__wmp.recordSteps(v), on);

async function heap(page: Page): Promise<{ pageBytes: number | null; workerBytes: number | null; totalBytes: number | null }> {
  return page.evaluate(async () => {
    const p = performance as any;
    if (typeof p.measureUserAgentSpecificMemory === 'function') {
      try {
        const r = await p.measureUserAgentSpecificMemory();
        let pageBytes = 0;
        let workerBytes = 0;
        for (const b of r.breakdown) {
          const scope = b.attribution?.[0]?.scope ?? '';
          if (scope === 'DedicatedWorkerGlobalScope') workerBytes += b.bytes;
          else pageBytes += b.bytes;
        }
        return { pageBytes, workerBytes, totalBytes: r.bytes };
      } catch {
        // fall through
      }
    }
    return { pageBytes: p.memory?.usedJSHeapSize ?? null, workerBytes: null, totalBytes: null };
  });
}

/** Runs in the page: the teacher and (WASM) the decoder worker have loaded. */
const settled = () => {
  (window as any).__wmp.loadTeacher(); // the teacher loads on demand; the benchmark times it too
  const m = (window as any).__wmp.model();
  return m.teacherReady && (!m.backend?.pipeline || m.decoderReady);
};

async function waitReady(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const m = (window as any).__wmp?.model();
      return m && (m.phase === 'error' || m.firstFrameAt !== null);
    },
    null,
    { timeout, polling: 50 },
  );
  const m = await model(page);
  if (m.phase === 'error') throw new Error(`the model failed to load: ${m.error}`);
}

async function runBackend(
  browser: Browser,
  base: string,
  backend: string,
  steps: number,
  repeats: number,
  soak: number,
  teacherSteps: number,
) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // wasm-serial: WASM with student and decoder in one worker, one after the other (no pipeline).
  // wasm-sampled: the default WASM set-up drawing a sample (temperature 1) instead of the greedy average.
  const url =
    backend === 'wasm-serial'
      ? `${base}/?backend=wasm&pipeline=0`
      : backend === 'wasm-sampled'
        ? `${base}/?backend=wasm&temperature=1&seed=7`
        : `${base}/?backend=${backend}`;
  const timeout = backend === 'webgpu' ? 600_000 : 120_000;
  console.log(`[${backend}] cold load`);
  await page.goto(url);
  await waitReady(page, timeout);
  const cold = await model(page);
  // Let the teacher (and the WASM decoder worker) finish loading: files cached, nothing loading during the run.
  await page.waitForFunction(settled, null, { timeout });
  console.log(`[${backend}] warm load`);
  await page.goto(url);
  await waitReady(page, timeout);
  const warm = await model(page);
  if (warm.backend.name !== backend.replace(/-(serial|sampled)$/, ''))
    throw new Error(`asked for ${backend}, the app runs ${warm.backend.name}`);
  await page.waitForFunction(settled, null, { timeout });
  const heapBefore = await heap(page);
  // The script runs `repeats` times from the same start (this machine's speed varies run to
  // run); fps is the median run, the per-stage percentiles pool every frame.
  const runs: { fps: number; frames: number; seconds: number }[] = [];
  const recs: any[] = [];
  const start = await page.evaluate(() => (window as any).__wmp.pose());
  for (let r = 0; r < repeats; r++) {
    console.log(`[${backend}] ${steps} scripted steps (run ${r + 1} of ${repeats})`);
    await record(page, true);
    const t0 = Date.now();
    await page.evaluate(([a, p]) => (window as any).__wmp.runScript(a, p), [actionScript(steps), start] as const);
    const seconds = (Date.now() - t0) / 1000;
    await record(page, false);
    const got: any[] = await page.evaluate(() => (window as any).__wmp.records());
    runs.push({ fps: Math.round((got.length / seconds) * 100) / 100, frames: got.length, seconds });
    recs.push(...got);
  }
  const medianRun = [...runs].sort((x, y) => x.fps - y.fps)[Math.floor(runs.length / 2)]!;
  const heapAfter = await heap(page);
  const m = readManifest(`models/${MODEL_ID}`);
  // The float student.onnx holds the decoder (one run a frame); the int8 one does not.
  const fused = studentDecodes(m);
  const frameFlops =
    warm.backend.student === 'int8'
      ? (m.files.student_int8?.flops ?? 0) + (m.files.decoder.flops ?? 0)
      : (m.files.student.flops ?? 0) + (fused ? 0 : (m.files.decoder.flops ?? 0));
  const predictMs = recs.map((r) => r.stats.predictMs);
  const decodeMs = recs.map((r) => r.stats.decodeMs);
  const modelMs = recs.map((r) => r.stats.predictMs + r.stats.decodeMs);
  console.log(`[${backend}] MatMul yardstick`);
  const mm = await page.evaluate((runs) => (window as any).__wmp.benchMatMul(runs), backend === 'webgpu' ? 3 : 10);
  const mmFlops = mm.flops / (pct(mm.ms, 50)! / 1000);
  // Two ways to count: one frame's kernels (FLOPs over predict + decode time), and throughput
  // (FLOPs x frames per second), which is what overlapping stages (the WASM pipeline) raise.
  const frameFlopsPerSec = frameFlops / (pct(modelMs, 50)! / 1000);
  const throughputFlopsPerSec = frameFlops * medianRun.fps;
  let soakResult = null;
  if (soak > 0) {
    console.log(`[${backend}] soak: ${soak} steps`);
    const samples: { step: number; heap: Awaited<ReturnType<typeof heap>> }[] = [{ step: 0, heap: await heap(page) }];
    const chunk = Math.max(1, Math.floor(soak / 10));
    for (let done = 0; done < soak; done += chunk) {
      await page.evaluate((a) => (window as any).__wmp.runScript(a), actionScript(done + chunk).slice(done));
      samples.push({ step: done + chunk, heap: await heap(page) });
      console.log(`[${backend}] soak ${done + chunk}/${soak}: ${JSON.stringify(samples[samples.length - 1]!.heap)}`);
    }
    const first = samples[1]?.heap.totalBytes ?? samples[1]?.heap.pageBytes ?? 0;
    const last = samples[samples.length - 1]!.heap.totalBytes ?? samples[samples.length - 1]!.heap.pageBytes ?? 0;
    soakResult = { steps: soak, samples, growthBytesAfterFirstSample: last - first };
  }
  let teacher = null;
  if (teacherSteps > 0) {
    console.log(`[${backend}] teacher: ${teacherSteps} steps`);
    await page.goto(url + '&model=teacher');
    await waitReady(page, timeout);
    await page.waitForFunction(settled, null, { timeout });
    await record(page, true);
    await page.evaluate(([a, p]) => (window as any).__wmp.runScript(a, p), [actionScript(teacherSteps), start] as const);
    await record(page, false);
    const got: any[] = (await page.evaluate(() => (window as any).__wmp.records())).filter((r: any) => r.stats.model === 'teacher');
    teacher = {
      frames: got.length,
      predictMs: {
        p50: pct(
          got.map((r) => r.stats.predictMs),
          50,
        ),
        max: Math.max(...got.map((r) => r.stats.predictMs)),
      },
      stepWallMs: {
        p50: pct(
          got.map((r) => r.wallMs),
          50,
        ),
      },
      runsPerFrame: mean(got.map((r) => r.stats.runs)),
    };
  }
  await ctx.close();
  return {
    measuredAt: new Date().toISOString(),
    backend: warm.backend,
    steps,
    fps: medianRun.fps,
    runs,
    fpsPacedCap: STEP_RATE_HZ,
    firstFrameMs: {
      cold: Math.round(cold.firstFrameAt),
      warm: Math.round(warm.firstFrameAt),
      loadMsWarm: Math.round(warm.loadMs),
      workerPhasesWarm: warm.loadPhases,
      timelineWarm: {
        loadStartedAt: Math.round(warm.loadStartedAt),
        readyAt: Math.round(warm.readyAt),
        firstFrameAt: Math.round(warm.firstFrameAt),
      },
    },
    ms: {
      predict: { p50: pct(predictMs, 50), p95: pct(predictMs, 95) },
      decode: { p50: pct(decodeMs, 50), p95: pct(decodeMs, 95) },
      display: {
        p50: pct(
          recs.map((r) => r.displayMs),
          50,
        ),
        p95: pct(
          recs.map((r) => r.displayMs),
          95,
        ),
      },
      stepWall: {
        p50: pct(
          recs.map((r) => r.wallMs),
          50,
        ),
        p95: pct(
          recs.map((r) => r.wallMs),
          95,
        ),
      },
    },
    perFrame: {
      runsMean: mean(recs.map((r) => r.stats.runs)),
      runsMax: Math.max(...recs.map((r) => r.stats.runs)),
      readbacksMean: mean(recs.map((r) => r.stats.readbacks)),
      readbacksMax: Math.max(...recs.map((r) => r.stats.readbacks)),
      readbackBytesMean: mean(recs.map((r) => r.stats.readbackBytes)),
    },
    psnr: { mean: mean(recs.map((r) => Math.min(r.psnr, 99))), first: recs[0]?.psnr ?? null, anchor: 'dream (anchored once at the start)' },
    heap: { before: heapBefore, after: heapAfter },
    flops: {
      perFrame: frameFlops,
      frameGflopsPerSec: Math.round(frameFlopsPerSec / 1e7) / 100,
      throughputGflopsPerSec: Math.round(throughputFlopsPerSec / 1e7) / 100,
      matmul: {
        n: 1024,
        flops: mm.flops,
        msP50: pct(mm.ms, 50),
        gflopsPerSec: Math.round(mmFlops / 1e7) / 100,
        threads: warm.backend.threads,
        note: 'timed in the engine worker, with its threads',
      },
      fractionOfMatMul: Math.round((frameFlopsPerSec / mmFlops) * 1000) / 1000,
      // The measure: what the whole page turns into frames, against both cores doing nothing
      // but MatMul (the engine's yardstick x the cores it had to share; on WASM the pipeline's engine
      // has 1 thread, so twice its yardstick stands for two threads, an upper bound).
      throughputFractionOfTwoThreadMatMul:
        Math.round((throughputFlopsPerSec / (mmFlops * (warm.backend.threads === 1 ? 2 : 1))) * 1000) / 1000,
    },
    soak: soakResult,
    teacher,
    pageErrors: errors,
  };
}

async function main(): Promise<void> {
  const a = benchArgs(process.argv.slice(2));
  const outDir = join(tmpdir(), 'wmp-bench-dist');
  if (a.build || !existsSync(outDir)) execSync(`npx vite build --outDir ${outDir} --emptyOutDir`, { stdio: 'inherit' });
  const server = spawn('npx', ['vite', 'preview', '--outDir', outDir, '--port', String(a.port), '--strictPort', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const base = `http://127.0.0.1:${a.port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(base)).ok) break;
      } catch (e) {
        if (i > 150) throw new Error(`the preview server did not start (${(e as Error).message})`, { cause: e });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const previous = a.merge && existsSync(a.out) ? (JSON.parse(readFileSync(a.out, 'utf8')) as Record<string, unknown>) : {};
    const result: Record<string, unknown> = {
      ...previous,
      what: 'in-browser benchmark (e2e/bench.ts): headless Chromium on this machine, production build, default settings (student, greedy, dream), scripted steps back to back',
      date: new Date().toISOString(),
      machine: { cores: (await import('node:os')).cpus().length, chromium: execSync(`${CHROMIUM_PATH} --version`).toString().trim() },
      targets: {
        wasmFps: 30,
        wasmGflopPerFrameMax: 0.6,
        wasmThroughputFractionOfTwoThreadMatMul: 0.6,
        wasmFirstFrameWarmMs: 1500,
        wasmFirstFrameColdMs: 4000,
        teacherMsPerFrameWasm: 2000,
        webgpuRunsPerFrame: 1,
        webgpuReadbacksPerFrame: 1,
        webgpuGrowthBytesOver1000Frames: 0,
      },
    };
    for (const backend of a.backends) {
      const browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: [
          ...CHROMIUM_ARGS,
          ...(backend === 'webgpu' ? WEBGPU_ARGS : []),
          '--enable-precise-memory-info',
          '--enable-blink-features=ForceEagerMeasureMemory',
        ],
      });
      try {
        const steps = backend === 'webgpu' ? a.webgpuSteps : a.steps;
        const soak = backend === 'webgpu' ? a.webgpuSoak : backend === 'wasm' ? a.soak : 0;
        result[backend] = await runBackend(
          browser,
          base,
          backend,
          steps,
          backend === 'webgpu' ? 1 : a.repeats,
          soak,
          backend === 'wasm' ? a.teacherSteps : 0,
        );
      } catch (e) {
        result[backend] = { error: (e as Error).message };
      } finally {
        await browser.close();
      }
      writeFileSync(a.out, JSON.stringify(result, null, 2) + '\n');
      console.log(`[${backend}] ${JSON.stringify(result[backend]).slice(0, 400)}`);
    }
    console.log(`wrote ${a.out}`);
  } finally {
    if (server.pid) process.kill(-server.pid);
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
