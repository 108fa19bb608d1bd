/**
 * Where a scripted step's CPU goes in the browser: a Chrome trace (every process and thread: the
 * page's main thread, the inference and decoder workers, the GPU process that SwiftShader renders
 * WebGL in) over N scripted steps on WASM, summed per thread. Writes JSON.
 *
 *   npm run build && npx tsx e2e/profileStep.ts --steps 150 --out e2e/profile-step.json
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { actionScript } from './actionScript';
import { serveBuild } from './serveBuild';
import { cli } from '../models/cli';

/** CPU seconds (user + system) of every thread of every chromium process, by "process-type / thread name". */
function cpuByThread(): Map<string, number> {
  const out = new Map<string, number>();
  const tick = 100; // USER_HZ
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!/chrom/.test(cmd)) continue;
    const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${type} / ${name} / ${pid}:${tid}`;
        out.set(key, (Number(f[11]) + Number(f[12])) / tick);
      } catch {
        // thread ended
      }
    }
  }
  return out;
}

async function main() {
  const a = cli('tsx e2e/profileStep.ts [--steps N >= 10] [--query "backend=wasm"] [--out FILE] [--hide]', {
    steps: { type: 'string' },
    query: { type: 'string', default: 'backend=wasm' },
    out: { type: 'string' },
    hide: { type: 'boolean' },
  });
  const steps = a.int('steps', 150, 10);
  const query = a.values.query!;
  const port = 4191;
  const server = await serveBuild(port);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`http://127.0.0.1:${port}/?${query}`);
    await page.waitForFunction(
      () => {
        const w = (window as any).__wmp;
        w?.loadTeacher(); // the teacher loads on demand; this profile wants it
        const m = w?.model();
        return m && m.firstFrameAt !== null && m.teacherReady && (!m.backend?.pipeline || m.decoderReady);
      },
      null,
      { timeout: 120_000, polling: 100 },
    );
    const start = await page.evaluate(() => (window as any).__wmp.pose());
    // --hide: the page's canvases out of layout (what the frames' display costs, by difference)
    if (a.values.hide) await page.evaluate(() => document.querySelectorAll('canvas').forEach((c) => (c.style.display = 'none')));
    await page.evaluate(([a, p]) => (window as any).__wmp.runScript(a, p), [actionScript(30), start] as const); // warm
    const cpu0 = cpuByThread();
    const t0 = Date.now();
    await page.evaluate(([a, p]) => (window as any).__wmp.runScript(a, p), [actionScript(steps), start] as const);
    const seconds = (Date.now() - t0) / 1000;
    const cpu1 = cpuByThread();
    const cpu = [...cpu1.entries()]
      .map(([k, v]) => [k, v - (cpu0.get(k) ?? 0)] as const)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1]);
    const cpuTotal = cpu.reduce((s, [, v]) => s + v, 0);
    await page.evaluate(([a, p]) => (window as any).__wmp.runScript(a, p), [actionScript(30), start] as const); // between the two measurements
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel'] });
    await page.evaluate(([a, p]) => (window as any).__wmp.runScript(a, p), [actionScript(steps), start] as const);
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
    const events: any[] = trace.traceEvents ?? trace;
    const names = new Map<string, string>();
    for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
    const procs = new Map<number, string>();
    for (const e of events) if (e.ph === 'M' && e.name === 'process_name') procs.set(e.pid, e.args.name);
    // Busy time per thread: top-level task slices (ThreadControllerImpl::RunTask / RunTask), which nest everything run on it.
    const busy = new Map<string, number>();
    const top = new Map<string, Map<string, number>>();
    for (const e of events) {
      if (e.ph !== 'X' || typeof e.dur !== 'number') continue;
      const key = `${procs.get(e.pid) ?? e.pid} / ${names.get(`${e.pid}:${e.tid}`) ?? e.tid}`;
      if (e.name === 'ThreadControllerImpl::RunTask') busy.set(key, (busy.get(key) ?? 0) + e.dur / 1000);
      const m = top.get(key) ?? new Map<string, number>();
      m.set(e.name, (m.get(e.name) ?? 0) + e.dur / 1000);
      top.set(key, m);
    }
    const frames: number = await page.evaluate(() => (window as any).__wmp.records().length);
    const threads = [...busy.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([thread, ms]) => ({
        thread,
        msPerStep: Number((ms / steps).toFixed(2)),
        top: [...(top.get(thread) ?? new Map()).entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([n, t]) => `${n} ${(t / steps).toFixed(2)}`),
      }));
    const report = {
      what: 'where a scripted step goes in headless Chromium on this machine: CPU ms per step per thread (from /proc, the first run), and busy ms per step per thread (Chrome trace of a second run: tasks, which include waits)',
      query,
      steps,
      seconds,
      fps: Number((steps / seconds).toFixed(2)),
      frames,
      cpuMsPerStep: {
        total: Number(((cpuTotal * 1000) / steps).toFixed(1)),
        cores: 2,
        threads: cpu.slice(0, 14).map(([k, v]) => ({ thread: k.replace(/ \/ \d+:\d+$/, ''), ms: Number(((v * 1000) / steps).toFixed(1)) })),
      },
      traceBusyMsPerStep: threads,
    };
    console.log(JSON.stringify(report, null, 2));
    const out = a.values.out ?? '';
    if (out) writeFileSync(out, JSON.stringify(report, null, 2));
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
