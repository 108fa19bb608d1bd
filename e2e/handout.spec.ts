/**
 * The handout prints from the app: in print, only it shows (controls, lessons, glossary, the
 * model's own numbers), and it is one A4 page.
 */
import { GLOSSARY } from '../src/teach/glossary';
import { DEVICE_HELP, KEY_HELP } from '../src/input/keymap';
import { LESSONS } from '../src/teach/lessons';
import { expect, test } from './guard';
import { modelInfo, openPlayground } from './helpers';

test('printing the app gives the one-page handout: controls, lessons and glossary, nothing else', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm');
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  const handout = page.getByTestId('handout');
  await expect(handout).toBeHidden(); // on screen it is not there
  await expect(page.getByTestId('print-handout')).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(handout).toBeVisible();
  for (const id of ['gt-view', 'pred-view', 'lessons', 'insides']) await expect(page.getByTestId(id)).toBeHidden();
  await expect(handout.locator('.handout-keys > div')).toHaveCount(KEY_HELP.length + DEVICE_HELP.length);
  await expect(handout.locator('.handout-lessons > li')).toHaveCount(LESSONS.length);
  await expect(handout.locator('.handout-glossary > div')).toHaveCount(GLOSSARY.length);
  await expect(handout).toContainText('16 × 16 grid of codes'); // from the manifest
  await expect(handout).not.toContainText('{');
  const pdf = (await page.pdf({ format: 'A4', printBackground: true })).toString('latin1');
  expect(pdf.match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
});
