/**
 * The atlas, seen in the app: the same dreamed half turn from one true frame with the atlas off
 * and on (frames, HUD, memory strip with the amber atlas slots, the map with its legend), from the
 * production build in headless Chromium (WASM).
 *
 *   npm run build && npx tsx e2e/atlasScreenshots.ts      # -> docs/atlas-off.png, docs/atlas-on.png, docs/atlas-shots.json
 */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { serveBuild } from './serveBuild';

const PORT = 4194;
const START = { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 };

async function main() {
  const server = await serveBuild(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const out: Record<string, unknown> = { what: 'a dreamed 36-step half turn from one true frame at the lesson pose, atlas off and on' };
  try {
    for (const atlas of ['off', 'on'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
      await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm&anchor=0&atlas=${atlas}&views=memory`);
      await page.waitForFunction(() => (window as any).__wmp?.model()?.firstFrameAt != null, null, { timeout: 180_000, polling: 100 });
      await page.getByTestId('pause').click();
      await page.evaluate(() => (window as any).__wmp.recordSteps(true));
      const turn = Array.from({ length: 36 }, () => [0, 0, 0, 1, 0]);
      await page.evaluate(([a, s]) => (window as any).__wmp.runScript(a, s), [turn, START] as const);
      const recs: { psnr: number }[] = await page.evaluate(() => (window as any).__wmp.records());
      out[atlas] = {
        psnr_by_step: recs.map((r) => Math.round(r.psnr * 100) / 100),
        mean_last_18: recs.slice(18).reduce((a, r) => a + r.psnr, 0) / 18,
      };
      await page.waitForTimeout(800);
      await page.screenshot({ path: `docs/atlas-${atlas}.png`, fullPage: false });
      console.log(`docs/atlas-${atlas}.png`, JSON.stringify(out[atlas]).slice(0, 200));
      await page.close();
    }
    writeFileSync('docs/atlas-shots.json', JSON.stringify(out, null, 2) + '\n');
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

void main();
