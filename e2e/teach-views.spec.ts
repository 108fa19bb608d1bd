import { expect, test } from './guard';
import { modelInfo, openPlayground, predicted, waitForPredictions } from './helpers';

const START = '4,1.7,6,0.3,-0.05';

test('the live views show the running model: token maps, uncertainty, error, chart and memory', async ({ page }) => {
  await openPlayground(page, `?model=student&backend=wasm&pose=${START}&views=grid,confidence,error,chart,memory`);
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await waitForPredictions(page, 8);
  for (const v of ['tokens', 'confidence', 'error']) await expect(page.getByTestId(`map-${v}`)).toBeVisible();
  await expect(page.getByTestId('psnr-chart').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('memory-slot').first()).toBeVisible();
  // The uncertainty map is the model's own: non-uniform, from entropy the worker measured.
  const ins = await page.evaluate(() => (window as any).__wmp.insight());
  expect(ins.tokens.length).toBe(256);
  expect(ins.entropy.length).toBe(256);
  expect(Math.max(...ins.entropy)).toBeGreaterThan(Math.min(...ins.entropy));
  expect(Math.max(...ins.entropy)).toBeLessThanOrEqual(Math.log(4096) + 1e-3);
  // Pick a cell and read its code: the digits are those of the token on the grid.
  await page.getByTestId('pause').click();
  await page.getByTestId('map-tokens').click({ position: { x: 8 * 16 + 4, y: 5 * 16 + 4 } });
  const cell = 5 * 16 + 8;
  const now = await page.evaluate(() => (window as any).__wmp.insight());
  const id = now.tokens[cell];
  const digits = [0, 1, 2, 3].map((i) => Math.floor(id / 8 ** i) % 8);
  await expect(page.getByTestId('cell-code')).toContainText(`${id} = digits [${digits.join(', ')}]`);
  await expect(page.getByTestId('cell-truth-code')).toContainText(/\d+ = digits/);
  await page.screenshot({ path: test.info().outputPath('views.png'), fullPage: true });
  const before = await predicted(page);
  expect(before).not.toBeNull();
});
