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

test('the memory view shows where the model copies: the copy gate per token, by kind of slot', async ({ page }) => {
  await openPlayground(page, `?model=student&backend=wasm&pose=${START}&views=memory`);
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await waitForPredictions(page, 4);
  await expect(page.getByTestId('map-copy')).toBeVisible();
  const said = page.getByTestId('copy-share');
  await expect(said).toHaveText(/of this frame: \d+% copied from true frames, \d+% from its own, \d+% from the atlas, \d+% generated/);
  // The gate is the graph's: per token a distribution over generating and each slot.
  const ins = await page.evaluate(() => (window as any).__wmp.insight());
  const K = 1 + ins.slots.length;
  expect(ins.copyGate.length % 256).toBe(0);
  for (let t = 0; t < 256; t += 17) {
    const row = ins.copyGate.slice((t * ins.copyGate.length) / 256, ((t + 1) * ins.copyGate.length) / 256);
    expect(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1)).toBeLessThan(1e-3);
  }
  expect(ins.copyGate.length / 256).toBeGreaterThanOrEqual(K);
  // Standing where it was anchored, the true frame re-projects exactly: much of the frame is copied from it.
  const truth = Number(/(\d+)% copied from true frames/.exec((await said.textContent()) ?? '')?.[1]);
  expect(truth).toBeGreaterThan(20);
  await page.getByTestId('memory-strip').screenshot({ path: test.info().outputPath('copy-map.png') });
});
