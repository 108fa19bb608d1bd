/**
 * Accessibility: axe over the states of the page (loading, predicting, model off, errors; the phone
 * layout in phone.spec.ts), zero serious or critical violations; the controls work by keyboard
 * with a visible focus ring; live readouts are not announced every frame.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './guard';
import { openPlayground, slowModelFile, waitForPredictions } from './helpers';

async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('no serious or critical axe violations while the model loads, predicts, and when it is off', async ({ page, context }) => {
  await slowModelFile(context, 'student_int8.onnx', 2000); // the student WASM runs
  await openPlayground(page, '?model=student&backend=wasm');
  await expect(page.getByTestId('model-loading')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await waitForPredictions(page, 3);
  expect(await seriousViolations(page)).toEqual([]);
  // While it predicts, nothing at all (of any impact): the closing note's figure comes from here.
  expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => `${v.id} (${v.impact})`)).toEqual([]);
  await page.getByTestId('model-select').selectOption('off');
  expect(await seriousViolations(page)).toEqual([]);
});

test('axe is clean on the error states: a bad manifest, and a model with problems', async ({ page, context }) => {
  await context.route('**/models/wm-courtyard-v3/manifest.json', async (route) => {
    const json = await (await route.fetch()).json();
    json.tokens.grid = [16, 'sixteen'];
    json.student.slots = -1;
    await route.fulfill({ json });
  });
  await openPlayground(page, '?model=student');
  await expect(page.getByTestId('model-error')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('model-problems').locator('li')).toHaveCount(2);
  expect(await seriousViolations(page)).toEqual([]);
});

test('Tab reaches every control with a visible focus ring, keys steer from a focused button, readouts are not live regions', async ({
  page,
}) => {
  await openPlayground(page, '?model=student&backend=wasm');
  await waitForPredictions(page, 1);
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      return {
        id: el.dataset.testid ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 20) ?? el.tagName,
        ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
      };
    });
    if (!f) continue;
    expect(f.ring, `focus ring on ${f.id}`).toBe(true);
    if (seen.includes(f.id)) break; // wrapped round
    seen.push(f.id);
  }
  for (const id of [
    'world-seed',
    'upscale',
    'model-select',
    'temperature',
    'topk',
    'sampling-seed',
    'anchor-mode',
    'reanchor',
    'model-files',
    'pose-x',
    'pose-pitch',
  ]) {
    expect(seen, `Tab reaches ${id}`).toContain(id);
  }
  // Keys steer while focus is on a button (not while typing in a field).
  await page.getByTestId('reanchor').focus();
  const before = await page.evaluate(() => (window as any).__wmp.pose());
  await page.keyboard.down('KeyW');
  await page.waitForTimeout(600);
  await page.keyboard.up('KeyW');
  const after = await page.evaluate(() => (window as any).__wmp.pose());
  expect(Math.hypot(after.x - before.x, after.z - before.z)).toBeGreaterThan(0.3);
  // The HUD changes several times a second: it must not be announced.
  expect(await page.getByTestId('hud').evaluate((el) => !!el.closest('[aria-live], [role=status], [role=alert], [role=log]'))).toBe(false);
});

test('axe is clean in presentation mode: a lesson, an enlarged view, the controls drawer, the wrap-up', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await openPlayground(page, '?model=student&backend=wasm&lesson=learned-vs-seen&present=1');
  await expect(page.getByTestId('lesson-status')).toHaveText('Not yet.', { timeout: 60_000 });
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByTestId('enlarge-memory').click();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByTestId('enlarge-memory').click();
  await page.getByTestId('controls-toggle').click();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByTestId('controls-toggle').click();
  await page.goto('/?model=student&backend=wasm&lesson=wrap-up&present=1');
  await expect(page.getByTestId('wrap-up')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
