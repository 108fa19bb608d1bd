import { expect, test } from './guard';

test('the built app is cross-origin isolated (needed for multi-threaded WASM)', async ({ page }) => {
  const res = await page.goto('/');
  expect(res?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(res?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await page.evaluate(() => window.crossOriginIsolated && typeof SharedArrayBuffer === 'function')).toBe(true);
});

test('every path is served with the Content-Security-Policy, and the page cannot reach another host', async ({ page, request, guard }) => {
  const res = await page.goto('/?model=off');
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  const asset = await page.evaluate(() => (document.querySelector('script[type=module]') as HTMLScriptElement).src);
  for (const path of [new URL(asset).pathname, '/models/wm-courtyard-v3/manifest.json', '/favicon.svg', '/no-such-page']) {
    expect((await request.get(path)).headers()['content-security-policy'], path).toBe(csp);
  }
  guard.allow(/Content Security Policy|CSP violation/);
  const blocked = await page.evaluate(() =>
    fetch('https://example.com/x').then(
      () => 'fetched',
      (e: Error) => `refused: ${e.message}`,
    ),
  );
  expect(blocked).toMatch(/^refused/);
});
