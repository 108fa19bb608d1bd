/**
 * `npm run classroom`: the build served to the LAN over HTTPS with a certificate made on the
 * spot. A student's browser accepts the warning once (ignoreHTTPSErrors here); the page is then a
 * secure, cross-origin-isolated context, so it predicts with every feature on, and the server
 * counts the device.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { expect, test } from './guard';

const PORT = 4198;
let server: ChildProcess;

test.use({ baseURL: `https://127.0.0.1:${PORT}`, ignoreHTTPSErrors: true });
test.beforeAll(async () => {
  server = spawn('npx', ['vite', 'preview', '--mode', 'classroom', '--port', String(PORT), '--strictPort'], {
    stdio: 'pipe',
    detached: true,
  });
  let log = '';
  server.stdout?.on('data', (d) => (log += String(d)));
  for (let i = 0; i < 150 && !log.includes('Network'); i++) await new Promise((r) => setTimeout(r, 200));
  expect(log).toContain('accept the warning once');
  expect(log).toMatch(/fingerprint, to read out: ([0-9a-f]{2}:){19}[0-9a-f]{2}/);
});
test.afterAll(() => {
  if (server.pid) process.kill(-server.pid);
});

test('served by npm run classroom over HTTPS: a secure, isolated page that predicts, and the server counts it', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  expect(await (await request.get('/__classroom.json')).json()).toEqual({ devices: 0 });
  await page.goto('/?model=student&backend=wasm');
  expect(await page.evaluate(() => [window.isSecureContext, window.crossOriginIsolated])).toEqual([true, true]);
  await expect(page.getByTestId('hud-psnr')).toContainText(/PSNR \d+\.\d dB/, { timeout: 150_000 });
  await expect(page.getByText(/not served over HTTPS or from localhost/)).toHaveCount(0);
  expect(await (await request.get('/__classroom.json')).json()).toEqual({ devices: 1 });
});
