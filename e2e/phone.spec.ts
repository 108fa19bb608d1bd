/**
 * A phone (390x844, touch): truth and prediction side by side without scrolling, the joystick
 * under them for the left thumb, drag-to-look by touch on either view, notices clear of the views.
 */
import AxeBuilder from '@axe-core/playwright';
import type { CDPSession, Page } from '@playwright/test';
import { expect, test } from './guard';
import { openPlayground, pose, waitForPredictions } from './helpers';

test.use({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });

/** A one-finger drag through the browser's touch input (pointer events with pointerType 'touch'). */
async function touchDrag(cdp: CDPSession, from: { x: number; y: number }, to: { x: number; y: number }, holdMs: number): Promise<void> {
  const point = (p: { x: number; y: number }) => [{ x: p.x, y: p.y, id: 1, radiusX: 8, radiusY: 8, force: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from) });
  for (let i = 1; i <= 5; i++) {
    const p = { x: from.x + ((to.x - from.x) * i) / 5, y: from.y + ((to.y - from.y) * i) / 5 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(p) });
  }
  await new Promise((r) => setTimeout(r, holdMs));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

const box = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())!;

test('on a phone both views fit side by side, the thumbs steer, notices stay clear, axe is clean', async ({ page, context }, info) => {
  await openPlayground(page, '?model=student&backend=wasm&pose=0,1.7,0,0,0&world=x');
  await waitForPredictions(page, 3);
  const gt = await box(page, 'gt-view');
  const pred = await box(page, 'pred-view');
  // Side by side, each at least a third of the width, both wholly on screen without scrolling.
  expect(Math.abs(gt.y - pred.y)).toBeLessThan(2);
  expect(pred.x).toBeGreaterThan(gt.x + gt.width - 1);
  expect(gt.width).toBeGreaterThan(390 / 3);
  expect(pred.y + pred.height).toBeLessThan(844);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  // The joystick is thumb-sized, on screen, and not over either view.
  const stick = await box(page, 'joystick');
  expect(stick.width).toBeGreaterThanOrEqual(110);
  expect(stick.y).toBeGreaterThan(gt.y + gt.height);
  expect(stick.y + stick.height).toBeLessThan(844);

  // The bad world seed in the URL made a notice: it must not cover either view or its title.
  const notice = page.getByTestId('notice').first();
  await expect(notice).toBeVisible();
  const n = (await notice.boundingBox())!;
  const title = (await page.getByRole('heading', { name: 'Model prediction' }).boundingBox())!;
  for (const r of [gt, pred, title]) expect(n.y > r.y + r.height || n.y + n.height < r.y, 'notice overlaps a view').toBe(true);

  await page.screenshot({ path: info.outputPath('phone.png') });
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  const cdp = await context.newCDPSession(page);
  // Left thumb: the joystick pushed up walks forward.
  const p0 = await pose(page);
  const c = { x: stick.x + stick.width / 2, y: stick.y + stick.height / 2 };
  await touchDrag(cdp, c, { x: c.x, y: stick.y + 4 }, 800);
  const p1 = await pose(page);
  expect(Math.hypot(p1.x - p0.x, p1.z - p0.z)).toBeGreaterThan(0.5);
  // Right thumb: dragging the prediction to the right turns right.
  const from = { x: pred.x + pred.width * 0.3, y: pred.y + pred.height / 2 };
  await touchDrag(cdp, from, { x: from.x + 90, y: from.y }, 100);
  await page.waitForTimeout(600);
  expect((await pose(page)).yaw).toBeLessThan(p1.yaw - 0.2);
});
