/**
 * Presentation mode for a projector: at 1024x768 and 1920x1080 the two frames, the lesson and the
 * lesson's own view are inside the first screen in body text of at least 18 px, the chart is taller,
 * any view can be enlarged, and a presenter drives it all from the keyboard.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './guard';
import { modelInfo, openPlayground } from './helpers';

test.describe.configure({ timeout: 180_000 });

async function openPresenting(page: Page, lesson: string) {
  await openPlayground(page, `?model=student&backend=wasm&lesson=${lesson}&present=1`);
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await expect(page.getByTestId('lesson-status')).toHaveText('Not yet.', { timeout: 60_000 });
}

/** The element's box lies inside the window, and inside every scrolling box around it (nothing hidden below a fold). */
async function onFirstScreen(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = el.getBoundingClientRect();
      if (r.height === 0 || r.top < 0 || r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5) return false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        if (!/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowY)) continue;
        const c = p.getBoundingClientRect();
        if (r.bottom > c.bottom + 0.5 || r.top < c.top - 0.5) return false;
      }
      return true;
    });
}

const px = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));

for (const [width, height] of [
  [1024, 768],
  [1920, 1080],
] as const) {
  test(`at ${width}x${height} the frames, the lesson and its view share the first screen in large type`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    for (const [lesson, view] of [
      ['learned-vs-seen', 'memory'],
      ['compounding', 'chart'],
      ['tokenizer', 'maps'],
    ] as const) {
      await openPresenting(page, lesson);
      for (const sel of ['[data-testid=gt-view]', '[data-testid=pred-view]', '[data-testid=lesson]', `[data-testid=frame-${view}]`])
        expect(await onFirstScreen(page, sel), `${lesson}: ${sel} on the first screen`).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(true);
      expect(await px(page, '[data-testid=lesson] p')).toBeGreaterThanOrEqual(18);
      expect(await px(page, '[data-testid=lesson-try]')).toBeGreaterThanOrEqual(18);
    }
    // the chart is taller than in the normal layout (170 px), its series named in the legend, which nothing covers
    // (until the plot went below the enlarge button, its canvas was pushed 23 px down over the legend)
    await openPresenting(page, 'compounding');
    const chart = page.getByTestId('psnr-chart');
    await expect.poll(async () => (await chart.locator('canvas').boundingBox())?.height ?? 0).toBeGreaterThan(200);
    const canvasBottom = (await chart.locator('canvas').boundingBox())!;
    const legend = (await chart.locator('.u-legend').boundingBox())!;
    expect(canvasBottom.y + canvasBottom.height).toBeLessThanOrEqual(legend.y + 0.5);
    await expect(chart).toContainText('PSNR vs truth (dB)');
    await expect(chart).toContainText('mean uncertainty (nats)');
  });
}

test('a presenter drives it by keyboard: change lessons, enlarge the view, open the controls, leave and come back', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await openPresenting(page, 'learned-vs-seen');
  await expect(page.getByTestId('lesson')).toContainText('9 of 10');
  await page.locator('body').focus();
  await page.keyboard.press('PageDown');
  await expect(page.getByTestId('lesson')).toContainText('Why dreams blur');
  await expect.poll(() => new URL(page.url()).searchParams.get('lesson')).toBe('why-blur');
  await page.keyboard.press('PageUp');
  await expect(page.getByTestId('lesson')).toContainText('What it learned vs what it sees');
  await expect(page.getByTestId('lesson-status')).toHaveText('Not yet.', { timeout: 60_000 });

  // V enlarges the lesson's first view over the page; Esc puts it back
  const memory = page.getByTestId('frame-memory');
  const small = (await memory.boundingBox())!.width;
  await page.keyboard.press('KeyV');
  await expect(page.getByRole('dialog', { name: /memory, enlarged/ })).toBeVisible();
  await expect.poll(async () => (await memory.boundingBox())!.width).toBeGreaterThan(Math.max(small * 1.3, width(page) * 0.9));
  await expect(page.getByTestId('enlarge-memory')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect.poll(async () => (await memory.boundingBox())!.width).toBeLessThan(small + 2);
  // any view, by its button
  await page.getByTestId('enlarge-chart').click();
  await expect(page.getByRole('dialog', { name: /PSNR over time, enlarged/ })).toBeVisible();
  await expect.poll(async () => (await page.getByTestId('psnr-chart').locator('canvas').boundingBox())?.height ?? 0).toBeGreaterThan(400);
  await page.getByTestId('enlarge-chart').click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // the lesson's control lives in the controls drawer, and the drawer's button points at it
  await expect(page.getByTestId('atlas')).toBeHidden();
  await expect(page.getByTestId('controls-toggle')).toHaveClass(/lesson-highlight/);
  await page.getByTestId('controls-toggle').click();
  await expect(page.getByTestId('atlas')).toBeVisible();
  await page.getByTestId('atlas').selectOption('on');
  await page.getByTestId('controls-toggle').click();
  await expect(page.getByTestId('atlas')).toBeHidden();

  // F leaves presentation mode (and the URL says so); the button brings it back
  await page.locator('body').focus();
  await page.keyboard.press('KeyF');
  await expect(page.locator('.app.present')).toHaveCount(0);
  await expect.poll(() => new URL(page.url()).searchParams.get('present')).toBeNull();
  expect(await px(page, '[data-testid=lesson] p')).toBeLessThan(18);
  await page.getByTestId('present-toggle').click();
  await expect(page.locator('.app.present')).toHaveCount(1);
  await expect.poll(() => new URL(page.url()).searchParams.get('present')).toBe('1');
});

const width = (page: Page) => page.viewportSize()!.width;
