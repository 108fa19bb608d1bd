import { expect, test } from '@playwright/test';

test('the built app is cross-origin isolated (needed for multi-threaded WASM)', async ({ page }) => {
  const res = await page.goto('/');
  expect(res?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(res?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await page.evaluate(() => window.crossOriginIsolated && typeof SharedArrayBuffer === 'function')).toBe(true);
});
