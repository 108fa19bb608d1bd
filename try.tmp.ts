import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARGS } from '/work/main/models/data/chromium';
const backend = process.argv[2] ?? 'wasm';
const b = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(backend === 'webgpu' ? WEBGPU_ARGS : [])] });
const p = await b.newPage();
p.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
p.on('pageerror', (e) => console.log('pageerror', e.message));
const t0 = Date.now();
await p.goto(`http://127.0.0.1:4180/?backend=${backend}`);
for (let i = 0; i < 120; i++) {
  const m = await p.evaluate(() => (window as any).__wmp?.model());
  const v = await p.evaluate(() => (window as any).__wmp?.predictedVersion());
  if (i % 4 === 0) console.log(((Date.now() - t0) / 1000).toFixed(1), JSON.stringify({ ...m, hud: { ...m?.hud, stats: m?.hud?.stats } }).slice(0, 600), 'v', v);
  if (m?.phase === 'error' || (v > 40 && m?.teacherReady)) break;
  await p.waitForTimeout(500);
}
await p.screenshot({ path: `/tmp/shot-${backend}.png` });
await b.close();
