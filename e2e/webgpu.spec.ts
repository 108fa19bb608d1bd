/**
 * The same loop on WebGPU, through SwiftShader (a CPU pretending to be a GPU: correct, slow; speed
 * is measured on WASM by npm run bench). Checks what only WebGPU has: tensors kept on the device
 * (1 run a frame: the decoder is fused into the student graph, and one packed tensor, the pixels
 * and the 1 KB of token ids for the model's memory, comes back), the copy gate read back only when
 * the memory view asks, and recovery from a lost device.
 */
import { expect, test } from './guard';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARGS } from '../models/data/chromium';
import { modelInfo, openPlayground, predicted, waitForPredictions } from './helpers';

test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS] } });
test.setTimeout(480_000);

test('on WebGPU a student frame is 1 run and 1 readback, and a lost device is recovered', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=auto');
  await expect(page.getByTestId('hud-backend')).toContainText('WebGPU', { timeout: 180_000 });
  await waitForPredictions(page, 2, 180_000);
  const info = await modelInfo(page);
  expect(info.backend?.name).toBe('webgpu');
  expect(info.hud.stats?.runs).toBe(1);
  expect(info.hud.stats?.readbacks).toBe(1);
  expect(info.hud.stats?.readbackBytes).toBe(128 * 128 * 3 * 4 + 16 * 16 * 4); // the decoded pixels and the tokens, nothing else
  expect(new Set((await predicted(page)).data).size).toBeGreaterThan(50);
  await expect(page.getByTestId('hud-psnr')).toContainText(/PSNR \d+\.\d dB/);

  // The memory view asks for the copy gate: it stays on the GPU until then, and comes back a distribution per token.
  await page.getByTestId('view-memory').check();
  await expect(page.getByTestId('copy-share')).toHaveText(/\d+% copied from true frames/, { timeout: 120_000 });
  const gate = (await page.evaluate(() => (window as any).__wmp.insight())).copyGate as number[];
  const K = gate.length / 256;
  expect(K).toBe(5);
  for (let t = 0; t < 256; t += 31) expect(Math.abs(gate.slice(t * K, (t + 1) * K).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-3);
  await page.getByTestId('view-memory').uncheck();

  await page.evaluate(() => (window as any).__wmp.loseDevice());
  await expect(page.getByTestId('notice').filter({ hasText: 'GPU device was lost' })).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 180_000 }).toBe('ready');
  await waitForPredictions(page, 1, 180_000);
  expect((await modelInfo(page)).backend?.name).toBe('webgpu');

  // A second failure: the model moves to WASM, says so, and keeps predicting.
  await page.evaluate(() => (window as any).__wmp.loseDevice());
  await expect(page.getByTestId('notice').filter({ hasText: 'switched to WASM' })).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => (await modelInfo(page)).backend?.name, { timeout: 120_000 }).toBe('wasm');
  await waitForPredictions(page, 3, 120_000);
  await expect(page.getByTestId('hud-backend')).toContainText('WASM');
});
