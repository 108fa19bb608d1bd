/**
 * The copy view for the docs, from the production build (WASM, dream mode): after a dreamed turn
 * away and back, the memory view shows which remembered frame each token of the prediction was
 * copied from (docs/teach/copy-map.png), and prints the frame's copy shares.
 *
 *   npm run build && npx tsx e2e/copyMapScreenshot.ts
 */
import { runMain, withBuild } from './withBuild';

const START = [4, 1.7, 6, 0.3, -0.05];
const OUT = 'docs/teach/copy-map.png';

runMain(() =>
  withBuild(4197, async (browser, base) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(`${base}/?backend=wasm&model=student&views=memory&pose=${START.join(',')}`);
    await page.waitForFunction(() => (window as any).__wmp?.model()?.firstFrameAt != null, null, { timeout: 180_000 });
    await page.getByTestId('pause').click();
    // 12 steps turning left, 12 back: the last view is the first one again, seen 24 steps earlier
    const turn = [...Array.from({ length: 12 }, () => [0, 0, 0, 0.8, 0]), ...Array.from({ length: 12 }, () => [0, 0, 0, -0.8, 0])];
    await page.evaluate(([s, p]) => (window as any).__wmp.runScript(s, { x: p[0], y: p[1], z: p[2], yaw: p[3], pitch: p[4] }), [
      turn,
      START,
    ] as const);
    await page.waitForTimeout(500);
    console.log(await page.getByTestId('copy-share').textContent());
    await page.getByTestId('frame-memory').screenshot({ path: OUT });
    console.log(OUT);
  }),
);
