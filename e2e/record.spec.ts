/**
 * Record and share: a few seconds recorded to video and GIF and read back from the files, and a
 * share link that replays the run with the same frames, bit for bit.
 */
import type { Page } from '@playwright/test';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { expect, test } from './guard';
import { modelInfo, openPlayground } from './helpers';

test.describe.configure({ timeout: 150_000 });
const START = '4,1.7,6,0.3,-0.05';

async function ready(page: Page, query: string) {
  await openPlayground(page, query);
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await expect
    .poll(async () => (await page.evaluate(() => (window as any).__wmp.predictedVersion())) as number, { timeout: 30_000 })
    .toBeGreaterThan(2);
}

/** Records while walking and turning for `ms`; returns the downloaded file's bytes and the panel's numbers. */
async function record(page: Page, format: string, ms: number) {
  await page.getByTestId('record-format').selectOption(format);
  await page.getByTestId('record-start').click();
  await expect(page.getByTestId('record-status')).toBeVisible();
  await page.locator('body').focus();
  await page.keyboard.down('KeyW');
  await page.keyboard.down('KeyE');
  await page.waitForTimeout(ms);
  await page.keyboard.up('KeyE');
  await page.keyboard.up('KeyW');
  await page.getByTestId('record-stop').click();
  const link = page.getByTestId('record-download');
  await expect(link).toBeVisible({ timeout: 30_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return { bytes: new Uint8Array(readFileSync(path)), text: (await link.textContent()) ?? '', name: download.suggestedFilename() };
}

test('a recording reads back as video: the frames it says it holds, at the step rate', async ({ page }) => {
  await ready(page, `?model=student&backend=wasm&pose=${START}`);
  for (const format of ['webm', 'mp4']) {
    const r = await record(page, format, 3000);
    const frames = Number(/(\d+) frames/.exec(r.text)![1]);
    expect(frames).toBeGreaterThan(10);
    expect(r.name).toBe(`world-model-run.${format}`);
    const input = new Input({ formats: ALL_FORMATS, source: new BufferSource(r.bytes) });
    expect((await input.getFormat()).name.toLowerCase()).toContain(format === 'webm' ? 'webm' : 'mp4');
    const track = (await input.getPrimaryVideoTrack())!;
    expect(track.displayWidth).toBe(520);
    expect(track.displayHeight).toBe(284);
    let packets = 0;
    for await (const packet of new EncodedPacketSink(track).packets()) if (packet.byteLength > 0) packets++;
    expect(packets).toBe(frames);
    expect(await input.computeDuration()).toBeCloseTo(frames / 15, 1);
  }
});

test('a GIF recording reads back with one image per recorded frame', async ({ page }) => {
  await ready(page, `?model=student&backend=wasm&pose=${START}`);
  const r = await record(page, 'gif', 2000);
  const frames = Number(/(\d+) frames/.exec(r.text)![1]);
  const b = r.bytes;
  expect(String.fromCharCode(...b.slice(0, 6))).toBe('GIF89a');
  expect(b[6]! | (b[7]! << 8)).toBe(264); // 2 x 128 + gap
  let images = 0;
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 0x21 && b[i + 1] === 0xf9 && b[i + 2] === 0x04) images++;
  expect(images).toBe(frames);
});

test('a share link replays the run: the same frames, bit for bit, sampling included', async ({ page, context }) => {
  await ready(page, `?model=student&backend=wasm&pose=${START}&temperature=0.8&seed=3&anchor=20`);
  await record(page, 'webm', 4000);
  const live = (await page.evaluate(() => (window as any).__wmp.records())) as { hash: number }[];
  const url = await page.getByTestId('share-link').inputValue();
  expect(url).toContain('trace=');
  const other = await context.newPage();
  await other.goto(url.replace(/^https?:\/\/[^/]+/, ''));
  await expect.poll(() => other.evaluate(() => (window as any).__wmp?.replay()), { timeout: 90_000 }).toBe('done');
  const again = (await other.evaluate(() => (window as any).__wmp.records())) as { hash: number }[];
  expect(live.length).toBeGreaterThan(20);
  expect(again.map((r) => r.hash)).toEqual(live.map((r) => r.hash));
  await expect(other.getByTestId('pause')).toHaveText(/Resume/);
});

test('a damaged share link says so and leaves the app usable', async ({ page }) => {
  await openPlayground(page, `?model=student&backend=wasm&pose=${START}&trace=AAAA`);
  await expect(page.getByRole('alert').or(page.locator('.notices'))).toContainText(/shared run cannot be replayed/, { timeout: 30_000 });
});
