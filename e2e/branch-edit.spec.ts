/**
 * Rewind and branch, and editing what the model believes: scripted runs (seeded sampling) through
 * the built app, compared by the hashes of the predicted frames.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './guard';
import { modelInfo, openPlayground } from './helpers';

test.describe.configure({ timeout: 150_000 });
const START = { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 };
const fwd = (n: number) => Array.from({ length: n }, (_, i) => [0.8, 0, 0, i % 2 ? -0.4 : 0, 0]);
const left = (n: number) => Array.from({ length: n }, () => [0, 0, 0, 1, 0]);

async function ready(page: Page, views: string) {
  await openPlayground(page, `?model=student&backend=wasm&temperature=0.7&seed=5&views=${views}`);
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await page.getByTestId('pause').click();
}

async function run(page: Page, actions: number[][], start: object | null): Promise<number[]> {
  await page.evaluate(
    async ([a, s]) => {
      const w = (window as any).__wmp;
      w.recordSteps(true);
      await w.runScript(a, s);
    },
    [actions, start] as const,
  );
  return page.evaluate(() => (window as any).__wmp.records().map((r: { hash: number }) => r.hash));
}

test('rewind: the same actions give the same frames again; other actions branch, side by side', async ({ page }) => {
  await ready(page, 'timeline');
  const a = fwd(24);
  const first = await run(page, a, START);
  expect(first.length).toBe(24);
  const slider = page.getByTestId('timeline-slider');
  await expect(slider).toHaveAttribute('max', '23');
  await slider.fill('11'); // just after step 12
  await expect(page.getByTestId('timeline-position')).toContainText('12 steps back');
  await page.getByTestId('timeline-rewind').click();
  await expect(slider).toHaveAttribute('max', '11');
  // the fork's own frame is back on screen
  const again = await run(page, a.slice(12), null);
  expect(again).toEqual(first.slice(12));
  await slider.fill('11');
  await page.getByTestId('timeline-rewind').click();
  await expect(slider).toHaveAttribute('max', '11');
  const other = await run(page, left(12), null);
  expect(other.length).toBe(12);
  expect(other.filter((h, i) => h === first[12 + i]).length).toBeLessThan(3);
  await expect(page.getByTestId('branch-a').locator('li')).toHaveCount(12);
  await expect(page.getByTestId('branch-b').locator('li')).toHaveCount(12);
  await expect(page.getByTestId('branch-b')).toContainText('↺');
});

test('edit a token: the model continues from what it was told it saw', async ({ page }) => {
  await ready(page, 'grid');
  const a = fwd(8);
  const still = [[0, 0, 0, 0, 0]];
  const firstRun = await run(page, a, START);
  const plain = await run(page, still, null);
  const base = await run(page, a, START);
  expect(base).toEqual(firstRun);
  const before = await page.evaluate(() => (window as any).__wmp.predicted().data as number[]);
  // pick token (row 9, column 6) on the map and change its first digit
  await page.getByTestId('map-tokens').click({ position: { x: 6 * 16 + 8, y: 9 * 16 + 8 } });
  const digit = page.getByTestId('edit-digit-0');
  await digit.fill(String((Number(await digit.inputValue()) + 4) % 8));
  await page.getByTestId('edit-apply').click();
  await expect(page.getByTestId('cell-code')).toContainText('(edited)');
  const after = await page.evaluate(() => (window as any).__wmp.predicted().data as number[]);
  // the decoded frame changed, most around the edited patch (x 48-55, y 72-79)
  const diffAt = (x: number, y: number) =>
    [0, 1, 2].reduce((s, c) => s + Math.abs(after[(y * 128 + x) * 3 + c]! - before[(y * 128 + x) * 3 + c]!), 0);
  let inside = 0;
  let far = 0;
  for (let y = 0; y < 128; y++)
    for (let x = 0; x < 128; x++) {
      const d = diffAt(x, y);
      if (x >= 48 && x < 56 && y >= 72 && y < 80) inside += d / 64;
      else if (Math.abs(x - 52) > 24 || Math.abs(y - 76) > 24) far += d / (128 * 128);
    }
  expect(inside).toBeGreaterThan(10);
  expect(inside).toBeGreaterThan(far * 20);
  const edited = await run(page, still, null);
  expect(edited[0]).not.toBe(plain[0]);

  // Painting a patch red: the encoder's code for it makes the decoded patch redder.
  const redness = (d: number[]) => {
    let r = 0;
    for (let y = 72; y < 80; y++)
      for (let x = 48; x < 56; x++) r += d[(y * 128 + x) * 3]! - (d[(y * 128 + x) * 3 + 1]! + d[(y * 128 + x) * 3 + 2]!) / 2;
    return r / 64;
  };
  const unpainted = await page.evaluate(() => (window as any).__wmp.predicted().data as number[]);
  await page.getByTestId('paint-color').fill('#ff0000');
  await page.getByTestId('paint-apply').click();
  await expect
    .poll(async () => redness(await page.evaluate(() => (window as any).__wmp.predicted().data as number[])))
    .toBeGreaterThan(redness(unpainted) + 20);
});
