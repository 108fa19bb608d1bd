/**
 * The world model in the browser on WASM: loading with progress, the live loop beside the truth,
 * PSNR, the teacher, and clear errors for a corrupted model file or manifest.
 */
import { expect, test } from './guard';
import {
  groundTruth,
  hold,
  meanAbsDiff,
  modelInfo,
  openPlayground,
  predicted,
  predictedVersion,
  slowModelFile,
  waitForPredictions,
} from './helpers';

test('loads with visible progress, then predicts beside the ground truth with PSNR in the HUD', async ({ page, context }) => {
  // Slow one file down so the progress is on screen long enough to see.
  await slowModelFile(context, 'student_int8.onnx', 1500); // the student WASM runs
  await openPlayground(page, '?model=student&backend=wasm');
  await expect(page.getByTestId('model-loading')).toBeVisible();
  await expect(page.getByTestId('load-progress')).toBeVisible();
  await expect(page.getByTestId('hud-backend')).toContainText('WASM', { timeout: 60_000 });
  await waitForPredictions(page, 5);
  await expect(page.getByTestId('model-loading')).toHaveCount(0);
  await expect(page.getByTestId('hud-psnr')).toContainText(/PSNR \d+\.\d dB/);
  const info = await modelInfo(page);
  expect(info.backend?.name).toBe('wasm');
  expect(info.backend?.student).toBe('int8');
  await expect(page.getByTestId('hud-backend')).toContainText('int8 student');
  expect(info.hud.stats?.runs).toBe(2); // student + decoder
  const p = await predicted(page);
  expect(p.width).toBe(128);
  // A real image, not a blank: many distinct values.
  expect(new Set(p.data).size).toBeGreaterThan(50);
});

test('precision=float32 runs the float student, which decodes in the same run', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm&precision=float32&anchor=0');
  await waitForPredictions(page, 4);
  const info = await modelInfo(page);
  expect(info.backend?.student).toBe('float32');
  await expect(page.getByTestId('hud-backend')).not.toContainText('int8');
  expect(info.hud.stats?.runs).toBe(1); // the decoder is fused into student.onnx
  expect(new Set((await predicted(page)).data).size).toBeGreaterThan(50);
  await expect(page.getByTestId('hud-psnr')).toContainText(/PSNR \d+\.\d dB/);
});

test('steering changes the predicted frames the way it changes the ground truth', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm&anchor=1&pose=0,1.7,0,0,0');
  await waitForPredictions(page, 5);
  const gt0 = await groundTruth(page);
  const pr0 = await predicted(page);
  await hold(page, 'KeyW', 1500);
  await waitForPredictions(page, 2);
  const gt1 = await groundTruth(page);
  const pr1 = await predicted(page);
  const gtMoved = meanAbsDiff(gt0.data, gt1.data);
  const prMoved = meanAbsDiff(pr0.data, pr1.data);
  expect(gtMoved).toBeGreaterThan(3);
  expect(prMoved).toBeGreaterThan(3);
  // The prediction follows the truth: closer to where the camera is now than to where it was.
  expect(meanAbsDiff(pr1.data, gt1.data)).toBeLessThan(meanAbsDiff(pr1.data, gt0.data));

  // Dream: after the anchor the model sees only its own frames, and still moves when steered.
  await page.getByTestId('anchor-mode').selectOption('0');
  await page.getByTestId('reanchor').click();
  await waitForPredictions(page, 3);
  const d0 = await predicted(page);
  await hold(page, 'ArrowLeft', 1000);
  await waitForPredictions(page, 2);
  expect(meanAbsDiff(d0.data, (await predicted(page)).data)).toBeGreaterThan(3);
});

test('turning all the way round in a dream brings back what the model saw, and the map and HUD show its memory', async ({ page }) => {
  // The session's own memory alone (the atlas test is below).
  await openPlayground(page, '?model=student&backend=wasm&anchor=0&atlas=off');
  await waitForPredictions(page, 2);
  await expect(page.getByTestId('world-note')).toContainText('Trained on this world (seed 0)');
  // 72 steps at full yaw speed: 371 degrees on the spot, dreaming after the one ground-truth start.
  await page.evaluate(() => (window as any).__wmp.recordSteps(true));
  const turn = Array.from({ length: 72 }, () => [0, 0, 0, 1, 0]);
  await page.evaluate((a) => (window as any).__wmp.runScript(a, { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 }), turn);
  const recs: { psnr: number; stats: { slots: { step: number; level: number; atlas?: number }[]; step: number } }[] = await page.evaluate(
    () => (window as any).__wmp.records(),
  );
  expect(recs.length).toBe(72);
  const last = recs.at(-1)!;
  expect(recs.every((r) => r.stats.slots.every((s) => s.atlas === undefined))).toBe(true);
  // The start frame (ground truth, level 0) is among the frames the last prediction used, 72 steps later.
  expect(last.stats.slots.some((s) => s.level === 0 && last.stats.step - s.step >= 70)).toBe(true);
  // Halfway round the model imagines a view it never saw; back at the start it re-projects what it saw.
  expect(last.psnr).toBeGreaterThan(recs[35]!.psnr + 2);
  await expect(page.getByTestId('hud-memory')).toContainText(/memory \d of \d+ · ages /);
});

test('in a world it was not trained on the model says so, and its atlas is off there', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm&world=3');
  await expect(page.getByTestId('world-note')).toContainText('learned world 0 only: in world 3');
  await expect(page.getByTestId('world-note')).toContainText('atlas of world 0 is off here');
  await expect(page.getByTestId('atlas-state')).toHaveText('off');
});

/** PSNR of a dreamed half turn from one true frame (the views it never saw), with the atlas as the URL says. */
async function halfTurn(page: import('@playwright/test').Page, atlas: 'on' | 'off') {
  await openPlayground(page, `?model=student&backend=wasm&anchor=0&atlas=${atlas}`);
  await waitForPredictions(page, 2);
  await page.evaluate(() => (window as any).__wmp.recordSteps(true));
  const turn = Array.from({ length: 36 }, () => [0, 0, 0, 1, 0]);
  await page.evaluate((a) => (window as any).__wmp.runScript(a, { x: 4, y: 1.7, z: 6, yaw: 0.3, pitch: -0.05 }), turn);
  const recs: { psnr: number; stats: { slots: { atlas?: number }[] } }[] = await page.evaluate(() => (window as any).__wmp.records());
  return {
    psnr: recs.slice(18).reduce((a, r) => a + r.psnr, 0) / 18,
    atlasSlots: recs.reduce((a, r) => a + r.stats.slots.filter((s) => s.atlas !== undefined).length, 0),
  };
}

test('with its atlas the model recalls the learned world where the session saw nothing', async ({ page }) => {
  const off = await halfTurn(page, 'off');
  const on = await halfTurn(page, 'on');
  await expect(page.getByTestId('atlas-state')).toContainText(/on \([\d,]+ frames\)/);
  expect(off.atlasSlots).toBe(0);
  expect(on.atlasSlots).toBeGreaterThan(18);
  // The second half of the turn looks where the one true frame never did: memory of the world helps there.
  expect(on.psnr).toBeGreaterThan(off.psnr + 1);
  await expect(page.getByTestId('memory-legend')).toContainText('atlas');
});

test('the teacher loads when chosen, fills a frame in token by token, and switching models keeps the page', async ({ page }) => {
  const teacherFiles: string[] = [];
  page.on('request', (r) => /teacher_(prev|step)\.onnx/.test(r.url()) && teacherFiles.push(r.url()));
  await openPlayground(page, '?model=student&backend=wasm');
  await waitForPredictions(page, 2);
  // The teacher loads only once something needs it (~11 MB a laptop saved): nothing has asked yet.
  await page.waitForTimeout(6000);
  expect((await modelInfo(page)).teacherReady).toBe(false);
  expect(teacherFiles).toEqual([]);
  // A page reload would drop this marker (URL updates use replaceState, not navigation).
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByTestId('model-select').selectOption('teacher');
  await expect.poll(async () => (await modelInfo(page)).teacherReady, { timeout: 60_000 }).toBe(true);
  expect(teacherFiles).toHaveLength(2);
  await expect(page.getByTestId('hud-tokens')).toContainText(/token \d+ \/ 256/, { timeout: 60_000 });
  await expect.poll(async () => (await modelInfo(page)).hud.stats?.model, { timeout: 90_000 }).toBe('teacher');
  const runs = (await modelInfo(page)).hud.stats!.runs;
  expect(runs).toBeGreaterThan(256); // one run per token, plus prefills and decodes
  await page.getByTestId('model-select').selectOption('student');
  await expect.poll(async () => (await modelInfo(page)).hud.stats?.model, { timeout: 60_000 }).toBe('student');
  await waitForPredictions(page, 3);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('a corrupted model file gives a clear error, and the world keeps running', async ({ page, context }) => {
  await context.route('**/models/wm-courtyard-v3/decoder.onnx', async (route) => {
    const res = await route.fetch();
    const body = Buffer.from(await res.body());
    body[1000] = (body[1000]! + 1) % 256; // one flipped byte
    await route.fulfill({ response: res, body });
  });
  await openPlayground(page, '?model=student&backend=wasm');
  await expect(page.getByTestId('model-error')).toContainText('decoder.onnx: sha256', { timeout: 60_000 });
  await expect(page.getByTestId('model-error')).toContainText('corrupted or replaced');
  const v = (await groundTruth(page)) && (await page.evaluate(() => (window as any).__wmp.groundTruth().version));
  await hold(page, 'KeyW', 500);
  expect(await page.evaluate(() => (window as any).__wmp.groundTruth().version)).toBeGreaterThan(v);
  expect(await predictedVersion(page)).toBe(0);
});

test('a malformed manifest is named and explained before any model file is fetched', async ({ page, context }) => {
  const fetched: string[] = [];
  page.on('request', (r) => r.url().endsWith('.onnx') && fetched.push(r.url()));
  await context.route('**/models/wm-courtyard-v3/manifest.json', async (route) => {
    const json = await (await route.fetch()).json();
    json.tokens.grid = [16, 'sixteen'];
    await route.fulfill({ json });
  });
  await openPlayground(page, '?model=student');
  await expect(page.getByTestId('model-error')).toContainText('tokens.grid.1', { timeout: 30_000 });
  expect(fetched).toEqual([]);

  await context.unroute('**/models/wm-courtyard-v3/manifest.json');
  await context.route('**/models/wm-courtyard-v3/manifest.json', (route) =>
    route.fulfill({ body: '{"format": ', contentType: 'application/json' }),
  );
  await page.reload();
  await expect(page.getByTestId('model-error')).toContainText('manifest.json is not valid JSON', { timeout: 30_000 });
});

test('the same seed, start and actions give the same frames; another seed gives others', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm&temperature=1&topk=4&seed=3');
  await waitForPredictions(page, 2);
  const start = { x: 0, y: 1.7, z: 0, yaw: 0, pitch: 0 };
  const actions = Array.from({ length: 12 }, (_, i) => [0.6, 0, 0, i % 4 < 2 ? 0.4 : -0.4, 0]);
  const run = async () => {
    await page.evaluate(() => (window as any).__wmp.recordSteps(true));
    // From the same start (a jump: the model re-anchors there), nothing else stepping meanwhile.
    await page.evaluate(([a, p]) => (window as any).__wmp.runScript(a, p), [actions, start] as const);
    return (await page.evaluate(() => (window as any).__wmp.records())).map((r: { hash: number }) => r.hash) as number[];
  };
  const a = await run();
  const b = await run();
  expect(a.length).toBeGreaterThanOrEqual(actions.length);
  expect(b.slice(0, actions.length)).toEqual(a.slice(0, actions.length));
  await page.getByTestId('sampling-seed').fill('4');
  await page.getByTestId('sampling-seed').press('Enter');
  const c = await run();
  expect(c.slice(0, actions.length)).not.toEqual(a.slice(0, actions.length));
});
