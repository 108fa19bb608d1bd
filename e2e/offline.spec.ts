/**
 * Workshop Wi-Fi: after one visit the page reopens with no network at all, stays cross-origin
 * isolated (multi-threaded WASM), and predicts; the model files come from the worker's own cache,
 * not a second copy in the service worker's.
 */
import { expect, test } from './guard';
import { modelInfo, openPlayground, waitForPredictions } from './helpers';

test.use({ serviceWorkers: 'allow' });

test('loaded once, the app reopens offline, isolated, and predicts', async ({ page, context }) => {
  // pipeline=0: one engine worker with a thread per core, so the thread count shows isolation in the worker too
  // The comparison view needs the teacher, so all five graphs load (the teacher loads on demand).
  await openPlayground(page, '?model=student&backend=wasm&pipeline=0&views=compare');
  await waitForPredictions(page, 2);
  await expect(page.getByTestId('offline-badge')).toHaveText('available offline', { timeout: 90_000 });
  await expect.poll(async () => (await modelInfo(page)).teacherReady, { timeout: 90_000 }).toBe(true);
  const caches = await page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await window.caches.keys())
      out[name] = (await (await window.caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    return out;
  });
  const precache = Object.entries(caches).find(([n]) => n.startsWith('workbox-precache'))?.[1] ?? [];
  expect(precache.some((p) => p.endsWith('.wasm'))).toBe(true);
  expect(precache.some((p) => p.endsWith('/models/wm-courtyard-v3/manifest.json'))).toBe(true);
  expect(precache.filter((p) => p.endsWith('.onnx'))).toEqual([]); // stored once, in the model cache
  expect(caches['wmp-models-v1']).toHaveLength(6); // the five graphs the WASM engine loads, and the atlas

  // Chrome would offer to install it (web app manifest, icons, a service worker with a fetch handler).
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  // Playwright's contexts are incognito, where nothing installs; any other reason is the app's.
  expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([]);
  await cdp.detach();

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('offline-badge')).toHaveText('offline: running from this device');
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  await waitForPredictions(page, 3);
  const info = await modelInfo(page);
  expect(info.backend?.name).toBe('wasm');
  expect(info.backend?.threads ?? 0).toBeGreaterThan(1);
});
