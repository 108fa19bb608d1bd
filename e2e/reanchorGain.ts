/**
 * Lesson 5's promise, measured in the built app (WASM, dream mode, atlas as shipped): after the
 * model is lost, how much does a re-anchor (R) bring the prediction back? From five starts, walk
 * 45 dreamed steps, then either stand still or keep walking: 4 steps, R, 4 more steps. The gain is
 * the mean PSNR of the 4 frames after R minus that of the 4 before.
 *
 *   npm run build && npx tsx e2e/reanchorGain.ts [--out e2e/reanchor-gain.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { serveBuild } from './serveBuild';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'e2e/reanchor-gain.json' } } });
const PORT = 4195;
const STARTS = [
  [4, 1.7, 6, 0.3, -0.05],
  [-12, 1.7, 3, 2.0, 0],
  [10, 2.0, -14, -1.2, 0],
  [-5, 1.5, -20, 3.0, 0.05],
  [18, 1.7, 12, 0.9, 0],
];
const WALK = Array.from({ length: 45 }, (_, i) => [0.8, 0, 0, 0.4 * Math.sin(i / 6), 0]);
const STILL = Array.from({ length: 4 }, () => [0, 0, 0, 0, 0]);
const MOVING = Array.from({ length: 4 }, () => [0.8, 0, 0, 0.3, 0]);

async function main() {
  const server = await serveBuild(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const rows: { start: number[]; kind: string; before: number; after: number; gain: number }[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm&model=student&anchor=0`);
    await page.waitForFunction(() => (window as any).__wmp?.model()?.firstFrameAt != null, null, { timeout: 180_000, polling: 200 });
    await page.evaluate(() => (window as any).__wmp.recordSteps(true));
    const psnrs = (script: number[][], start: number[] | null) =>
      page.evaluate(
        async ([s, p]) => {
          const w = (window as any).__wmp;
          await w.runScript(s, p && { x: p[0], y: p[1], z: p[2], yaw: p[3], pitch: p[4] });
          return w.records().map((r: { psnr: number }) => Math.min(r.psnr, 99)) as number[];
        },
        [script, start] as const,
      );
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    for (const start of STARTS)
      for (const [kind, steps] of [
        ['standing still', STILL],
        ['walking', MOVING],
      ] as const) {
        await psnrs(WALK, start);
        const before = mean(await psnrs(steps, null));
        await page.evaluate(() => (window as any).__wmp.reanchor());
        const after = mean(await psnrs(steps, null));
        rows.push({ start, kind, before: +before.toFixed(2), after: +after.toFixed(2), gain: +(after - before).toFixed(2) });
        console.log(kind, start.join(','), `${before.toFixed(1)} -> ${after.toFixed(1)} dB`);
      }
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
  const by = (k: string) => rows.filter((r) => r.kind === k).map((r) => r.gain);
  const summary = Object.fromEntries(
    ['standing still', 'walking'].map((k) => [
      k,
      { min_gain: Math.min(...by(k)), mean_gain: +(by(k).reduce((a, b) => a + b, 0) / 5).toFixed(2) },
    ]),
  );
  writeFileSync(
    values.out!,
    JSON.stringify({ what: 'mean PSNR of the 4 frames after R minus the 4 before, dB', summary, rows }, null, 1) + '\n',
  );
  console.log(JSON.stringify(summary));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
