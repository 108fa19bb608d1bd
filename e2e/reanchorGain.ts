/**
 * Lesson 5's promise, measured in the built app (WASM, dream mode, atlas as shipped): after the
 * model is lost, how much does a re-anchor (R) bring the prediction back? From five starts, walk as
 * the lesson says, until a prediction is at least 6 dB below the first (at least --min-walk and at most
 * 300 dreamed steps), then either stand still or keep walking: 4 steps, R, 4 more steps. The gain is
 * the mean PSNR of the 4 frames after R minus that of the 4 before, as the lesson scores it.
 *
 *   npm run build && npx tsx e2e/reanchorGain.ts [--min-walk 20] [--out e2e/reanchor-gain.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { AROUND_R, dreamUntilLost, runPsnrs, STARTS } from './lostWalk';
import { serveBuild } from './serveBuild';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'e2e/reanchor-gain.json' }, 'min-walk': { type: 'string', default: '20' } },
});
const PORT = 4195;
const MIN_WALK = Number(values['min-walk']);

async function main() {
  const server = await serveBuild(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const rows: { start: number[]; kind: string; walked: number; fallen: number; before: number; after: number; gain: number }[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm&model=student&anchor=0`);
    await page.waitForFunction(() => (window as any).__wmp?.model()?.firstFrameAt != null, null, { timeout: 180_000, polling: 200 });
    await page.evaluate(() => (window as any).__wmp.recordSteps(true));
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    for (const start of STARTS)
      for (const [kind, steps] of Object.entries(AROUND_R)) {
        const dream = await dreamUntilLost(page, start, MIN_WALK);
        const fallen = dream[0]! - Math.min(...dream);
        const before = mean(await runPsnrs(page, steps, null));
        await page.evaluate(() => (window as any).__wmp.reanchor());
        const after = mean(await runPsnrs(page, steps, null));
        rows.push({
          start,
          kind,
          walked: dream.length,
          fallen: +fallen.toFixed(2),
          before: +before.toFixed(2),
          after: +after.toFixed(2),
          gain: +(after - before).toFixed(2),
        });
        console.log(
          kind,
          start.join(','),
          `${dream.length} steps, fell ${fallen.toFixed(1)} dB; ${before.toFixed(1)} -> ${after.toFixed(1)} dB`,
        );
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
