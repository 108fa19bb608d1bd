/**
 * The copy view for the docs, from the production build (WASM, dream mode): after a dreamed turn
 * away and back, the memory view shows which remembered frame each token of the prediction was
 * copied from (docs/teach/copy-map.png). Writes the frame's copy shares there and, before the
 * turn, standing where it was anchored, to docs/teach/copy-map.json.
 *
 *   npm run build && npx tsx e2e/copyMapScreenshot.ts
 */
import { writeFileSync } from 'node:fs';
import { runMain, withBuild } from './withBuild';

const START = [4, 1.7, 6, 0.3, -0.05];
const OUT = 'docs/teach/copy-map.png';

runMain(() =>
  withBuild(4197, async (browser, base) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(`${base}/?backend=wasm&model=student&views=memory&pose=${START.join(',')}`);
    await page.waitForFunction(() => (window as any).__wmp?.model()?.firstFrameAt != null, null, { timeout: 180_000 });
    await page.getByTestId('pause').click();
    const shares = () => page.getByTestId('copy-share').textContent();
    // standing where it was anchored: a few steps with no action
    await page.evaluate(
      ([p]) =>
        (window as any).__wmp.runScript(
          [
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
          ],
          { x: p[0], y: p[1], z: p[2], yaw: p[3], pitch: p[4] },
        ),
      [START] as const,
    );
    await page.waitForTimeout(500);
    const atAnchor = await shares();
    // 12 steps turning left, 12 back: the last view is the first one again, seen 24 steps earlier
    const turn = [...Array.from({ length: 12 }, () => [0, 0, 0, 0.8, 0]), ...Array.from({ length: 12 }, () => [0, 0, 0, -0.8, 0])];
    await page.evaluate(([s, p]) => (window as any).__wmp.runScript(s, { x: p[0], y: p[1], z: p[2], yaw: p[3], pitch: p[4] }), [
      turn,
      START,
    ] as const);
    await page.waitForTimeout(500);
    const afterTurn = await shares();
    await page.getByTestId('frame-memory').screenshot({ path: OUT });
    const out = {
      what: "the memory view's copy shares of the newest prediction (dream mode, WASM)",
      start: START,
      at_anchor: atAnchor,
      after_turn_away_and_back: afterTurn,
    };
    writeFileSync(OUT.replace('.png', '.json'), JSON.stringify(out, null, 1) + '\n');
    console.log(JSON.stringify(out), OUT);
  }),
);
