/**
 * What the teaching mode costs and measures, in headless Chromium on WASM (production build):
 *
 *   npm run bench:teach                      # -> docs/teach-bench.json
 *   npx tsx e2e/teachBench.ts --steps 150 --repeats 3 --out docs/teach-bench.json --no-build
 *
 * 1. fps with the live views off and on (all of them: token map, uncertainty, error, PSNR chart,
 *    memory strip), alternating off/on runs of the same scripted steps in one page, so both see the
 *    same machine; the MatMul yardstick measured in the same page.
 * 2. the file size of a 10 s recording (150 frames at the step rate) as WebM, MP4 and GIF.
 * 3. the drift guard's rule (src/session/driftWatch.ts) on dream runs from two starts: how often it
 *    calls the model lost, and how often the model really is (PSNR under 15 dB) when it does.
 */
import { execSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { DriftWatch } from '../src/session/driftWatch';
import { actionScript } from './actionScript';
import { serveBuild } from './serveBuild';
import { cli } from '../models/cli';

const ALL_VIEWS = 'grid,confidence,error,chart,memory';
const LOST_DB = 15;

function args() {
  const a = cli('npx tsx e2e/teachBench.ts [--steps N>=10] [--repeats N>=1] [--out FILE] [--no-build]', {
    steps: { type: 'string' },
    repeats: { type: 'string' },
    out: { type: 'string', default: 'docs/teach-bench.json' },
    'no-build': { type: 'boolean' },
  });
  return { steps: a.int('steps', 150, 10), repeats: a.int('repeats', 3, 1), out: a.values.out!, build: !a.values['no-build'], port: 4185 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const w = (page: Page, fn: string, ...a: unknown[]) =>
  page.evaluate(([f, x]) => (window as any).__wmp[f as string](...(x as unknown[])), [fn, a] as const);

async function ready(page: Page, url: string) {
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const w = (window as any).__wmp;
      w?.loadTeacher(); // the teacher loads on demand; this benchmark wants it
      const m = w?.model();
      return m && m.teacherReady && m.decoderReady && m.firstFrameAt !== null;
    },
    null,
    { timeout: 180_000, polling: 100 },
  );
}

async function setViews(page: Page, on: boolean) {
  for (const v of ALL_VIEWS.split(',')) {
    const box = page.getByTestId(`view-${v}`);
    if ((await box.isChecked()) !== on) await box.click();
  }
}

async function fpsRun(page: Page, steps: number, start: unknown): Promise<number> {
  await w(page, 'recordSteps', true);
  const t0 = Date.now();
  await w(page, 'runScript', actionScript(steps), start);
  const s = (Date.now() - t0) / 1000;
  const n = ((await w(page, 'records')) as unknown[]).length;
  await w(page, 'recordSteps', false);
  return Math.round((n / s) * 100) / 100;
}

async function recordingSize(page: Page, format: string, frames: number): Promise<{ bytes: number; frames: number; codec: string }> {
  await page.getByTestId('record-format').selectOption(format);
  await page.getByTestId('record-start').click();
  await page.getByTestId('record-status').waitFor();
  await w(page, 'runScript', actionScript(frames), null);
  await page.getByTestId('record-stop').click();
  const link = page.getByTestId('record-download');
  const text = (await link.textContent({ timeout: 60_000 })) ?? '';
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const bytes = statSync((await download.path())!).size;
  return { bytes, frames: Number(/(\d+) frames/.exec(text)?.[1]), codec: /\((\w[\w.]*)\)/.exec(text)?.[1] ?? 'gif' };
}

async function main() {
  const a = args();
  const dir = join(tmpdir(), 'wmp-teach-bench-dist');
  if (a.build) execSync(`npx vite build --outDir ${dir} --emptyOutDir`, { stdio: 'inherit' });
  const server = await serveBuild(a.port, dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const base = `http://127.0.0.1:${a.port}/?backend=wasm&pose=4,1.7,6,0.3,-0.05`;
    await ready(page, base);
    const start = await w(page, 'pose');
    const off: number[] = [];
    const on: number[] = [];
    for (let r = 0; r < a.repeats; r++) {
      for (const views of [false, true]) {
        await setViews(page, views);
        const fps = await fpsRun(page, a.steps, start);
        (views ? on : off).push(fps);
        console.log(`[views ${views ? 'on' : 'off'}] ${fps} fps`);
      }
    }
    const mm = (await w(page, 'benchMatMul', 10)) as { flops: number; ms: number[] };
    const gflops = Math.round((mm.flops / (median(mm.ms) / 1000) / 1e9) * 100) / 100;
    await setViews(page, false);
    const recordings: Record<string, unknown> = {};
    for (const f of ['webm', 'mp4', 'gif']) {
      recordings[f] = await recordingSize(page, f, 150);
      console.log(`[record ${f}] ${JSON.stringify(recordings[f])}`);
    }
    // The drift guard's rule on dream runs (anchored once at the start).
    const drift: { frames: number; psnr: number; lost: boolean }[] = [];
    for (const s of [start, { x: -10, y: 1.7, z: -5, yaw: 2, pitch: 0 }]) {
      await page.getByTestId('view-chart').click(); // entropy is measured while a view reads it
      await w(page, 'runScript', actionScript(300), s);
      await page.getByTestId('view-chart').click();
      const h = (await w(page, 'history')) as { frame: number[]; psnr: number[]; entropy: number[]; anchors: number[] };
      const last = h.anchors[h.anchors.length - 1]!;
      const watch = new DriftWatch();
      h.frame.forEach((f, i) => {
        if (f < last) return;
        drift.push({ frames: f, psnr: h.psnr[i]!, lost: watch.push(h.entropy[i]!) });
      });
    }
    const lostTruly = drift.filter((d) => d.psnr < LOST_DB);
    const flagged = drift.filter((d) => d.lost);
    const out = {
      what: 'teaching mode on WASM in headless Chromium (e2e/teachBench.ts), production build, this machine',
      date: new Date().toISOString(),
      machine: { cores: (await import('node:os')).cpus().length },
      matmulGflopsPerSec: gflops,
      fps: {
        steps: a.steps,
        viewsOff: off,
        viewsOn: on,
        medianOff: median(off),
        medianOn: median(on),
        changePercent: Math.round(((median(on) - median(off)) / median(off)) * 1000) / 10,
        views: ALL_VIEWS,
        target: 'views on within 10% of off',
      },
      recording10s: {
        note: '150 frames at 15 steps/s = 10 s of video; 520x284 video (truth and prediction 2x, HUD line), 264x156 GIF',
        ...recordings,
      },
      driftGuard: {
        rule: 'src/session/driftWatch.ts',
        lostMeans: `PSNR under ${LOST_DB} dB`,
        frames: drift.length,
        lostFraction: Math.round((lostTruly.length / drift.length) * 1000) / 1000,
        flaggedFraction: Math.round((flagged.length / drift.length) * 1000) / 1000,
        precision: flagged.length ? Math.round((flagged.filter((d) => d.psnr < LOST_DB).length / flagged.length) * 1000) / 1000 : null,
        recall: lostTruly.length ? Math.round((lostTruly.filter((d) => d.lost).length / lostTruly.length) * 1000) / 1000 : null,
      },
    };
    writeFileSync(a.out, JSON.stringify(out, null, 2) + '\n');
    console.log(readFileSync(a.out, 'utf8'));
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
