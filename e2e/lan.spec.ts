/**
 * Served to a room: the build on a plain HTTP static server, opened by a LAN host name (not
 * localhost), as a workshop host naturally tries it. The browser then withholds crypto.subtle,
 * threads (no cross-origin isolation), caches and service workers; the app must still load,
 * predict, and say once what is lost.
 */
import type { Server } from 'node:http';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { expect, test } from './guard';
import { staticServer } from './staticServer';

const PORT = 4199;
const HOST = 'classroom.lan';
let server: Server;

test.use({
  baseURL: `http://${HOST}:${PORT}`,
  launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`] },
});
test.beforeAll(async () => {
  server = await staticServer('dist', PORT);
});
test.afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('opened over plain HTTP by a LAN name, the app loads, predicts on one thread and says what is lost', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/?model=student');
  expect(await page.evaluate(() => [window.isSecureContext, window.crossOriginIsolated, location.hostname])).toEqual([false, false, HOST]);
  await expect(page.getByTestId('hud-fps')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('hud-backend')).toContainText('WASM');
  await expect(page.getByTestId('hud-backend')).toContainText('1 thread');
  await expect(page.getByTestId('hud-psnr')).toContainText(/PSNR \d+\.\d dB/, { timeout: 60_000 });
  await expect(page.getByText(/not served over HTTPS or from localhost/)).toBeVisible();
});
