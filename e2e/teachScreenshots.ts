/**
 * Screenshots of the teaching mode for the docs, from the production build in headless Chromium
 * (WASM): every live view, the model card, recording, and every lesson as it opens.
 *
 *   npm run build && npx tsx e2e/teachScreenshots.ts      # -> docs/teach/*.png
 */
import { mkdirSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { LESSONS } from '../src/teach/lessons';
import { actionScript } from './actionScript';
import { serveBuild } from './serveBuild';

const PORT = 4193;
const OUT = 'docs/teach';
const START = { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 };
const Q = `backend=wasm&pose=${[START.x, START.y, START.z, START.yaw, START.pitch].join(',')}`;

const w = (page: Page, fn: string, ...a: unknown[]) =>
  page.evaluate(([f, x]) => (window as any).__wmp[f as string](...(x as unknown[])), [fn, a] as const);

async function open(browser: Browser, query: string, teacher = false, height = 900): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height } });
  await page.goto(`http://127.0.0.1:${PORT}/?${query}`);
  await page.waitForFunction(
    (t) => {
      const m = (window as any).__wmp?.model();
      return m && m.firstFrameAt !== null && (!t || m.teacherReady);
    },
    teacher,
    { timeout: 180_000, polling: 100 },
  );
  return page;
}

async function shot(page: Page, testId: string, name: string) {
  await page.getByTestId(testId).screenshot({ path: `${OUT}/${name}.png` });
  console.log(`${OUT}/${name}.png`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const server = await serveBuild(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    // The live views after 60 steps of walking in dream mode, a token picked.
    let page = await open(browser, `${Q}&views=grid,confidence,error,chart,memory`);
    await page.getByTestId('pause').click();
    await w(page, 'runScript', actionScript(60), START);
    await page.getByTestId('map-tokens').click({ position: { x: 8 * 16 + 8, y: 6 * 16 + 8 } });
    await page.getByTestId('cell-truth-code').filter({ hasText: 'digits' }).waitFor();
    await page.waitForTimeout(600);
    await shot(page, 'insides', 'views');
    await page.screenshot({ path: `${OUT}/app-with-views.png`, fullPage: true });
    // Record and share, after two seconds of recording.
    await page.getByTestId('pause').click();
    await page.getByTestId('record-start').click();
    await page.getByTestId('record-status').waitFor();
    await page.keyboard.down('KeyW');
    await page.waitForTimeout(2000);
    await page.keyboard.up('KeyW');
    await page.getByTestId('record-stop').click();
    await page.getByTestId('record-download').waitFor({ timeout: 60_000 });
    await shot(page, 'record', 'record');
    // The model card.
    await page.getByTestId('model-card-open').click();
    await page.getByTestId('model-card').screenshot({ path: `${OUT}/model-card.png` });
    console.log(`${OUT}/model-card.png`);
    await page.close();

    // The teacher step by step, five tokens in; then teacher vs student.
    page = await open(browser, `${Q}&views=decoding,compare,grid`, true);
    await page.getByTestId('pause').click();
    await w(page, 'runScript', actionScript(10), START);
    for (let i = 0; i < 21; i++) await page.getByTestId('teacher-next').click();
    await page.getByTestId('teacher-kv').filter({ hasText: '21' }).waitFor();
    await page.getByTestId('compare-run').click();
    await page.getByTestId('compare-agreement').waitFor({ timeout: 60_000 });
    await shot(page, 'insides', 'teacher-and-compare');
    await page.close();

    // Rewind and branch: 24 steps forward, back 12, then 12 turning left.
    page = await open(browser, `${Q}&views=timeline&temperature=0.7&seed=5`);
    await page.getByTestId('pause').click();
    const fwd = Array.from({ length: 24 }, () => [0.8, 0, 0, 0, 0]);
    await w(page, 'runScript', fwd, START);
    await page.getByTestId('timeline-slider').fill('11');
    await page.getByTestId('timeline-rewind').click();
    await w(
      page,
      'runScript',
      Array.from({ length: 12 }, () => [0, 0, 0, 1, 0]),
      null,
    );
    await page.getByTestId('branch-b').waitFor();
    await page.waitForTimeout(500);
    await shot(page, 'insides', 'rewind-branch');
    await page.close();

    // Why dreams blur: the same 20 dreamed steps greedy and with three seeds.
    page = await open(browser, `${Q}&views=blur&anchor=0`);
    await page.getByTestId('blur-run').click();
    await page.getByTestId('blur-score-3').waitFor({ timeout: 180_000 });
    await shot(page, 'blur-lab', 'why-blur');
    await page.close();

    // Every lesson as it opens, set up.
    for (const l of LESSONS) {
      page = await open(browser, `${Q}&lesson=${l.id}`, false, 1250);
      await page.getByTestId('lesson-status').filter({ hasText: 'Not yet' }).waitFor({ timeout: 60_000 });
      await page.waitForTimeout(800);
      await page.screenshot({ path: `${OUT}/lesson-${l.id}.png` });
      console.log(`${OUT}/lesson-${l.id}.png`);
      await page.close();
    }
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
