import { expect, test } from './guard';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';

test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--disable-3d-apis'] } });

test('a browser without WebGL gets a clear explanation, not a broken page', async ({ page, guard }) => {
  guard.allow(/WebGL/); // three.js reports the failed context itself
  await page.goto('/');
  await expect(page.getByRole('alert')).toContainText('WebGL 2 is unavailable');
  await expect(page.getByRole('alert')).toContainText('hardware acceleration');
});
