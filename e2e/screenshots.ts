/**
 * What a person sees: screenshots of the playground in dream mode, taken from the production build
 * in headless Chromium (WASM), with the PSNR of every predicted frame beside them.
 *
 *   npm run build && npx tsx e2e/screenshots.ts        # -> docs/dream-30s.png, docs/dream-turn.png, docs/screenshots.json,
 *                                                      #    docs/phone-390x844.png, docs/tablet-820x1180.png
 *   npx tsx e2e/screenshots.ts --devices               # the phone and tablet screenshots only
 *
 * dream-30s: 30 s (450 steps at 15 steps/s) of walking and looking around after one ground-truth
 * frame; dream-turn: a 371-degree turn on the spot after one ground-truth frame. The phone and
 * tablet shots: touch screens (emulated), 30 steps of walking and turning into a dream.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { actionScript } from './actionScript';
import { cli } from '../models/cli';

const PORT = 4191;
const START = { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 };

async function serve(): Promise<ChildProcess> {
  const p = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return p;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  p.kill();
  throw new Error('vite preview did not start (run npm run build first)');
}

async function main() {
  const devicesOnly = !!cli('npx tsx e2e/screenshots.ts [--devices]', { devices: { type: 'boolean' } }).values.devices;
  const server = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const out: Record<string, unknown> = {};
  try {
    mkdirSync('docs', { recursive: true });
    for (const [name, width, height] of [
      ['phone-390x844', 390, 844],
      ['tablet-820x1180', 820, 1180],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      await page.goto(`http://127.0.0.1:${PORT}/?model=student&backend=wasm&anchor=0`);
      await page.waitForFunction(() => (window as any).__wmp?.model().firstFrameAt !== null, null, { timeout: 120_000 });
      await page.evaluate((a) => (window as any).__wmp.runScript(a.actions, a.start), { actions: actionScript(30), start: START });
      await page.waitForTimeout(600);
      await page.screenshot({ path: `docs/${name}.png` });
      console.log(`${name}: written`);
      await page.close();
    }
    if (devicesOnly) return;
    for (const [name, actions] of [
      ['dream-30s', actionScript(450)],
      ['dream-turn', Array.from({ length: 72 }, () => [0, 0, 0, 1, 0])],
    ] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`http://127.0.0.1:${PORT}/?model=student&backend=wasm&anchor=0`);
      await page.waitForFunction(() => (window as any).__wmp?.model().firstFrameAt !== null, null, { timeout: 120_000 });
      await page.evaluate(() => (window as any).__wmp.recordSteps(true));
      await page.evaluate((a) => (window as any).__wmp.runScript(a.actions, a.start), { actions, start: START });
      await page.waitForTimeout(600); // the HUD refreshes a few times a second
      // The last frames are the script's (a frame of the live loop may land just before it starts).
      const all: number[] = await page.evaluate(() => (window as any).__wmp.records().map((r: any) => Math.round(r.psnr * 100) / 100));
      const psnr = all.slice(-actions.length);
      await page.screenshot({ path: `docs/${name}.png` });
      out[name] = {
        steps: actions.length,
        start: START,
        psnr_first: psnr[0],
        psnr_last: psnr.at(-1),
        psnr_mean: Math.round((psnr.reduce((s, x) => s + x, 0) / psnr.length) * 100) / 100,
        psnr,
      };
      console.log(`${name}: ${psnr.length} frames, PSNR first ${psnr[0]} last ${psnr.at(-1)} dB`);
      await page.close();
    }
    writeFileSync(
      'docs/screenshots.json',
      JSON.stringify({ what: 'dream mode from one ground-truth frame, WASM, greedy; PSNR per predicted frame', ...out }, null, 1),
    );
  } finally {
    await browser.close();
    server.kill();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
