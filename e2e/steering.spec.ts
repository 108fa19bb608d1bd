import { expect, test } from './guard';
import { BOUNDS, headingVectors, wrapAngle } from '../src/sim/contract';
import { groundTruth, hold, meanAbsDiff, openPlayground, pose, readoutPose } from './helpers';

test('keyboard steering moves the camera as the action says, and the view and readout follow', async ({ page }) => {
  // A clear spot in world 0, facing along -z, where walking 1 s forward hits nothing.
  await openPlayground(page, '?pose=0,1.7,0,0,0');
  const p0 = await pose(page);
  expect(p0.x).toBeCloseTo(0, 6);
  const f0 = await groundTruth(page);
  expect(f0.width).toBe(128);

  await hold(page, 'KeyW', 1000);
  const p1 = await pose(page);
  const moved = Math.hypot(p1.x - p0.x, p1.z - p0.z);
  expect(moved).toBeGreaterThan(1.0); // ~15 steps/s x 0.25 m
  const { fx, fz } = headingVectors(p0.yaw);
  // Displacement lies along the heading, and nothing else changed.
  expect(((p1.x - p0.x) * fx + (p1.z - p0.z) * fz) / moved).toBeGreaterThan(0.999);
  expect(p1.yaw).toBeCloseTo(p0.yaw, 9);
  expect(p1.y).toBeCloseTo(p0.y, 9);
  const f1 = await groundTruth(page);
  expect(meanAbsDiff(f0.data, f1.data)).toBeGreaterThan(2);
  const shown = await readoutPose(page);
  expect(shown.z).toBeCloseTo(p1.z, 1);
  expect(shown.x).toBeCloseTo(p1.x, 1);

  await hold(page, 'ArrowLeft', 600);
  const p2 = await pose(page);
  expect(wrapAngle(p2.yaw - p1.yaw)).toBeGreaterThan(0.3); // left turns are positive yaw
  expect(Math.hypot(p2.x - p1.x, p2.z - p1.z)).toBeLessThan(1e-9);
  expect(meanAbsDiff(f1.data, (await groundTruth(page)).data)).toBeGreaterThan(2);
  expect((await readoutPose(page)).yaw).toBeCloseTo((p2.yaw * 180) / Math.PI, 0);

  await hold(page, 'ArrowUp', 500);
  const p3 = await pose(page);
  expect(p3.pitch).toBeGreaterThan(p2.pitch + 0.1);

  await hold(page, 'Space', 3000);
  expect((await pose(page)).y).toBeCloseTo(BOUNDS.yMax, 6); // rises, then stops at the ceiling

  // The action meter shows the action while a key is held.
  await page.keyboard.down('KeyD');
  await expect(page.getByTestId('action-strafe')).toHaveAttribute('data-value', '1.000');
  await page.keyboard.up('KeyD');
  await expect(page.getByTestId('action-strafe')).toHaveAttribute('data-value', '0.000');
});

test('mouse drag looks around and the touch joystick walks', async ({ page }) => {
  await openPlayground(page, '?pose=0,1.7,0,0,0');
  const canvas = page.getByTestId('gt-view');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7 + 100, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForTimeout(800);
  expect((await pose(page)).yaw).toBeLessThan(-0.3); // dragging right turns right

  const before = await pose(page);
  const stick = (await page.getByTestId('joystick').boundingBox())!;
  await page.mouse.move(stick.x + stick.width / 2, stick.y + stick.height / 2);
  await page.mouse.down();
  await page.mouse.move(stick.x + stick.width / 2, stick.y, { steps: 3 });
  await page.waitForTimeout(700);
  await page.mouse.up();
  const after = await pose(page);
  expect(Math.hypot(after.x - before.x, after.z - before.z)).toBeGreaterThan(0.5);
});

test('the pose readout is editable, clamps out-of-range values and rejects garbage', async ({ page }) => {
  await openPlayground(page, '?pose=0,1.7,0,0,0');
  const x = page.getByTestId('pose-x');
  await x.fill('5');
  await x.press('Enter');
  await expect.poll(async () => (await pose(page)).x).toBeCloseTo(5, 6);

  await x.fill('500');
  await x.press('Enter');
  await expect(page.getByTestId('pose-error')).toContainText('outside the world');
  await expect.poll(async () => (await pose(page)).x).toBeCloseTo(BOUNDS.halfExtent, 6);

  const y = page.getByTestId('pose-y');
  await y.fill('abc');
  await y.press('Enter');
  await expect(page.getByTestId('pose-error')).toContainText("'abc' is not a number");
  expect((await pose(page)).y).toBeCloseTo(1.7, 6);
});

test('bad URL parameters are reported and ignored; the URL tracks the pose', async ({ page }) => {
  await openPlayground(page, '?world=abc&pose=1,2');
  await expect(page.getByTestId('notice')).toHaveCount(2);
  await expect(page.getByTestId('notice').first()).toContainText('world=abc');
  await hold(page, 'KeyW', 500);
  await expect.poll(() => page.evaluate(() => location.search)).toMatch(/pose=/);
});

test('another world seed builds another world', async ({ page }) => {
  await openPlayground(page, '?pose=0,1.7,0,0,0');
  const a = await groundTruth(page);
  await page.getByTestId('world-seed').fill('5');
  await page.getByTestId('world-seed').press('Enter');
  await expect.poll(() => page.evaluate(() => (window as any).__wmp.worldSeed())).toBe(5);
  await page.getByTestId('pose-x').fill('0');
  await page.getByTestId('pose-x').press('Enter');
  await page.waitForTimeout(300);
  expect(meanAbsDiff(a.data, (await groundTruth(page)).data)).toBeGreaterThan(5);
  await expect.poll(() => page.evaluate(() => location.search)).toMatch(/world=5/);
});
