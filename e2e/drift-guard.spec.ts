/**
 * The drift guard in the built app: walking in dream mode, the model's own uncertainty rises and the
 * HUD says it is lost; set to re-anchor, it re-anchors by itself.
 */
import { expect, test } from './guard';
import { modelInfo, openPlayground, waitForPredictions } from './helpers';
import { actionScript } from './actionScript';

test.describe.configure({ timeout: 150_000 });
const START = { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 };

test('warns when the model is lost, and re-anchors by itself when asked to', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm&guard=warn');
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await waitForPredictions(page, 1); // the start's anchor is in `before`
  await page.getByTestId('pause').click();
  const anchors = async () => (await page.evaluate(() => (window as any).__wmp.history())).anchors.length as number;
  const before = await anchors();
  await page.evaluate(([a, s]) => (window as any).__wmp.runScript(a, s), [actionScript(120), START] as const);
  await expect(page.getByTestId('hud-lost')).toBeVisible();
  await expect(page.getByTestId('hud-lost')).toContainText('press R');
  expect(await anchors()).toBe(before + 1); // warn only: the one anchor at the start

  await page.getByTestId('drift-guard').selectOption('reanchor');
  const mid = await anchors();
  await page.evaluate(([a, s]) => (window as any).__wmp.runScript(a, s), [actionScript(120), START] as const);
  // the start's anchor, then at least one the guard asked for
  expect(await anchors()).toBeGreaterThanOrEqual(mid + 2);
});
