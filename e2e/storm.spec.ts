/**
 * A seeded input storm: thousands of random keys, drags, joystick pushes, gamepad readings (a
 * broken pad's NaN included), pose edits (garbage included), world and model switches, respawns,
 * re-anchors and reloads with random URLs. Afterwards: no uncaught error (the guard), the pose is
 * finite and inside the world, nothing is stuck (the camera rests once the input stops, and moves
 * again when steered), and the model still predicts.
 */
import type { Page } from '@playwright/test';
import { BOUNDS, type Pose } from '../src/sim/contract';
import { createRng } from '../src/sim/rng';
import { expect, test } from './guard';
import { hold, modelInfo, openPlayground, pose, waitForPredictions } from './helpers';

test.setTimeout(300_000);
const EVENTS = Number(process.env.STORM_EVENTS ?? 2000);

const KEYS = [
  'KeyW',
  'KeyA',
  'KeyS',
  'KeyD',
  'KeyQ',
  'KeyE',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'Space',
  'ShiftLeft',
  'KeyC',
  'KeyR',
  'KeyX',
  'Tab',
];
const GARBAGE = ['NaN', '1e309', '-1e309', '', '  ', 'abc', '-0', '0x1f', '99999', '-45', '3.5', '1,5', '∞'];
const URLS = [
  '?model=student&backend=wasm',
  '?world=abc&pose=1,2',
  '?pose=999,-5,NaN,0,0&model=student&backend=wasm',
  '?model=teacher&temperature=9&backend=wasm',
  '?world=5&anchor=1&topk=3&temperature=0.7&backend=wasm',
];

function assertPoseSane(p: Pose, where: string): void {
  for (const k of ['x', 'y', 'z', 'yaw', 'pitch'] as const) expect(Number.isFinite(p[k]), `${where}: pose.${k} = ${p[k]}`).toBe(true);
  expect(Math.abs(p.x)).toBeLessThanOrEqual(BOUNDS.halfExtent + 1e-6);
  expect(Math.abs(p.z)).toBeLessThanOrEqual(BOUNDS.halfExtent + 1e-6);
  expect(p.y).toBeGreaterThanOrEqual(BOUNDS.yMin - 1e-6);
  expect(p.y).toBeLessThanOrEqual(BOUNDS.yMax + 1e-6);
  expect(p.pitch).toBeGreaterThanOrEqual(BOUNDS.pitchMin - 1e-6);
  expect(p.pitch).toBeLessThanOrEqual(BOUNDS.pitchMax + 1e-6);
}

async function setPad(page: Page, axes: number[] | null, buttons: number[] = []): Promise<void> {
  await page.evaluate(([a, b]) => ((window as any).__pad = a ? { axes: a, buttons: b } : null), [axes, buttons] as const);
}

test('a seeded storm of every input leaves a sane, responsive app', async ({ page, context, guard }) => {
  guard.allow(/Failed to load resource/); // reloads abort model downloads in flight
  // A gamepad the test controls (there is no real one in a headless browser).
  await context.addInitScript(() => {
    (window as any).__pad = null;
    navigator.getGamepads = () => {
      const p = (window as any).__pad;
      if (!p) return [null];
      return [
        {
          connected: true,
          id: 'storm pad',
          index: 0,
          mapping: 'standard',
          timestamp: performance.now(),
          axes: p.axes,
          buttons: p.buttons.map((v: number) => ({ value: v, pressed: v > 0.5, touched: v > 0 })),
        } as unknown as Gamepad,
      ];
    };
  });
  const rng = createRng(1234); // the simulator's own seeded generator
  const rnd = rng.next;
  const pick = rng.pick;
  await openPlayground(page, '?model=student&backend=wasm');
  const held = new Set<string>();
  let boxes: Record<string, { x: number; y: number; width: number; height: number } | null> = {};
  let events = 0;
  for (let i = 0; i < EVENTS; i++) {
    const r = rnd();
    events++;
    if (r < 0.45) {
      const k = pick(KEYS);
      if (held.has(k)) {
        await page.keyboard.up(k);
        held.delete(k);
      } else {
        await page.keyboard.down(k);
        held.add(k);
      }
    } else if (r < 0.6) {
      const view = pick(['gt-view', 'pred-view', 'joystick']);
      const b = (boxes[view] ??= await page.getByTestId(view).boundingBox());
      if (!b) continue;
      const x = b.x + rnd() * b.width;
      const y = b.y + rnd() * b.height;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + (rnd() - 0.5) * 400, y + (rnd() - 0.5) * 400, { steps: 2 });
      if (rnd() < 0.8) await page.mouse.up();
    } else if (r < 0.75) {
      const axis = () => (rnd() < 0.03 ? NaN : (rnd() - 0.5) * 3);
      await setPad(
        page,
        rnd() < 0.2 ? null : [axis(), axis(), axis(), axis()],
        Array.from({ length: 8 }, () => (rnd() < 0.2 ? rnd() : 0)),
      );
    } else if (r < 0.85) {
      const field = pick(['x', 'y', 'z', 'yaw', 'pitch']);
      const input = page.getByTestId(`pose-${field}`);
      await input.fill(rnd() < 0.5 ? pick(GARBAGE) : String((rnd() - 0.5) * 200));
      await input.press('Enter');
    } else if (r < 0.9) {
      await page.waitForTimeout(rnd() * 150); // let steps run under whatever is held
    } else if (r < 0.95) {
      const what = pick(['model', 'model', 'world', 'respawn', 'reanchor', 'anchor']);
      if (what === 'model')
        await page
          .getByTestId('model-select')
          .selectOption(pick(['student', 'off', 'student', 'teacher']), { force: true })
          .catch(() => {});
      else if (what === 'world') {
        await page.getByTestId('world-seed').fill(pick(['0', '1', '7', '-1', 'x', '2147483648']));
        await page.getByTestId('world-seed').press('Enter');
      } else if (what === 'respawn') await page.getByRole('button', { name: 'respawn' }).click();
      else if (what === 'reanchor')
        await page
          .getByTestId('reanchor')
          .click({ trial: false, force: true })
          .catch(() => {});
      else await page.getByTestId('anchor-mode').selectOption(pick(['0', '1', '15', '45']));
    } else if (r < 0.96) {
      await page.goto(`/${pick(URLS)}`);
      await expect.poll(() => page.evaluate(() => (window as any).__wmp?.groundTruth()?.version ?? 0)).toBeGreaterThan(0);
      held.clear();
      boxes = {};
    } else {
      assertPoseSane(await pose(page), `event ${i}`);
    }
  }
  // Input stops: release everything, and the camera must come to rest once the queued look (at
  // most half a second of steps) has played out; a stuck key or stick would keep it moving.
  for (const k of held) await page.keyboard.up(k);
  await page.mouse.up();
  await setPad(page, null);
  await expect
    .poll(
      async () => {
        const a = await pose(page);
        await page.waitForTimeout(700);
        return JSON.stringify(await pose(page)) === JSON.stringify(a);
      },
      { timeout: 20_000, message: 'the camera keeps moving after every input stopped' },
    )
    .toBe(true);
  assertPoseSane(await pose(page), 'after the storm');
  // Still steerable, and the model still predicts.
  await openPlayground(page, '?model=student&backend=wasm&pose=0,1.7,0,0,0');
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await waitForPredictions(page, 3);
  const before = await pose(page);
  await hold(page, 'KeyW', 800);
  const after = await pose(page);
  expect(Math.hypot(after.x - before.x, after.z - before.z)).toBeGreaterThan(0.3);
  expect(events).toBe(EVENTS);
});
