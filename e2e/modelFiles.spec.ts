/**
 * Model files over a bad network and from other places: a download that drops resumes where it
 * stopped, a file larger than the manifest says is refused before it is read, a full Cache Storage
 * runs uncached and says so; another model opens from this origin (?modelUrl=) or from files
 * (chosen or dropped), with every problem of a bad one named and the current model kept.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from './guard';
import { modelInfo, openPlayground, slowModelFile, waitForPredictions } from './helpers';

const DIR = resolve(import.meta.dirname, '../models/wm-courtyard-v3');
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));
const INT8_MB = (MANIFEST.files.student_int8.bytes / 1e6).toFixed(1); // the notice's figure, from the manifest
const ONNX = ['encoder', 'decoder', 'student', 'teacher_prev', 'teacher_step'].map((k) => MANIFEST.files[k].path as string);

/** A model folder in a temp dir: the shipped graphs (linked) and this manifest. */
function modelFolder(manifest: unknown, skip: string[] = []): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'wmp-model-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const f of ONNX) if (!skip.includes(f)) symlinkSync(join(DIR, f), join(dir, f));
  return ['manifest.json', ...ONNX.filter((f) => !skip.includes(f))].map((f) => join(dir, f));
}

test('a download that drops mid-file says so and resumes where it stopped', async ({ page, context }) => {
  const ranges: (string | null)[] = [];
  await context.route('**/models/wm-courtyard-v3/student_int8.onnx', async (route) => {
    ranges.push(route.request().headers()['range'] ?? null);
    if (ranges.length > 1) return route.continue();
    const res = await route.fetch();
    await route.fulfill({ status: 200, body: (await res.body()).subarray(0, 3_000_000), contentType: 'application/octet-stream' });
  });
  await openPlayground(page, '?model=student&backend=wasm');
  await expect(
    page.getByTestId('notice').filter({ hasText: `student_int8.onnx: the connection closed after 3.0 MB of ${INT8_MB} MB; resuming` }),
  ).toBeVisible({ timeout: 30_000 });
  await waitForPredictions(page, 3);
  expect(ranges).toEqual([null, 'bytes=3000000-']);
});

test('a network that stays down ends in a clear error, and the world keeps running', async ({ page, context, guard }) => {
  guard.allow(/ERR_CONNECTION_RESET|Failed to load resource/);
  await context.route('**/models/wm-courtyard-v3/decoder.onnx', (route) => route.abort('connectionreset'));
  await openPlayground(page, '?model=student&backend=wasm');
  await expect(page.getByTestId('model-error')).toContainText(
    /decoder\.onnx: the connection dropped .* 5 times\. Check the network and reload/,
    { timeout: 30_000 },
  );
  const v = await page.evaluate(() => (window as any).__wmp.stepsTaken());
  await expect.poll(() => page.evaluate(() => (window as any).__wmp.stepsTaken())).toBeGreaterThan(v);
});

test('a model file the server says is 10x the manifest size is refused before it is read', async ({ page, context }) => {
  const spec = MANIFEST.files.teacher_prev;
  await context.route(`**/models/wm-courtyard-v3/${spec.path}`, (route) =>
    route.fulfill({ status: 200, body: Buffer.alloc(spec.bytes * 10), contentType: 'application/octet-stream' }),
  );
  await openPlayground(page, '?model=teacher&backend=wasm');
  await expect(page.getByTestId('teacher-error')).toContainText(
    `${spec.path}: the server says it is ${spec.bytes * 10} bytes, the manifest says ${spec.bytes}: refused before downloading it`,
    { timeout: 60_000 },
  );
  // The student is unaffected.
  await page.getByTestId('model-select').selectOption('student');
  await waitForPredictions(page, 2);
});

test('when Cache Storage is full the model runs uncached and says so', async ({ page, context }) => {
  const cdp = await context.newCDPSession(page);
  await page.goto('/?model=off');
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 1_000_000 });
  await openPlayground(page, '?model=student&backend=wasm');
  await expect(
    page.getByTestId('notice').filter({ hasText: 'storage for this page is full: the model runs, but the next visit downloads it again' }),
  ).toBeVisible({ timeout: 60_000 });
  await waitForPredictions(page, 3);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin }); // back to the browser's own quota
});

test('the teacher says it is loading instead of a blank view', async ({ page, context }) => {
  // Slow one of the teacher's graphs down so that the wait is long enough to look at.
  await slowModelFile(context, 'teacher_step.onnx', 4000);
  await openPlayground(page, '?model=teacher&backend=wasm');
  await expect(page.getByTestId('teacher-loading')).toContainText('Loading the teacher', { timeout: 90_000 });
  await expect(page.getByTestId('teacher-loading')).toHaveCount(0, { timeout: 90_000 });
  await expect(page.getByTestId('hud-tokens')).toContainText(/token \d+ \/ 256/, { timeout: 60_000 });
});

test('another model opens from files, every problem of a bad one is named, and the bundled model comes back', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm');
  await waitForPredictions(page, 2);
  await expect(page.getByTestId('model-label')).toHaveText('wm-courtyard-v3 (bundled)');
  const fetched: string[] = [];
  page.on('request', (r) => r.url().endsWith('.onnx') && fetched.push(r.url()));

  // Three things wrong at once: all three are named; the running model stays.
  const bad = structuredClone(MANIFEST);
  bad.tokens.grid = [16, 'sixteen'];
  bad.student.slots = 0;
  bad.files.decoder.sha256 = 'not-a-hash';
  await page.getByTestId('model-files').setInputFiles(modelFolder(bad));
  const problems = page.getByTestId('open-problems').locator('li');
  await expect(problems).toHaveCount(3);
  await expect(page.getByTestId('open-problems')).toContainText('tokens.grid.1');
  await expect(page.getByTestId('open-problems')).toContainText('student.slots');
  await expect(page.getByTestId('open-problems')).toContainText('files.decoder.sha256');
  await waitForPredictions(page, 2);

  // A valid manifest whose folder lacks a graph.
  await page.getByTestId('model-files').setInputFiles(modelFolder(MANIFEST, ['decoder.onnx']));
  await expect(page.getByTestId('open-problems')).toContainText('decoder.onnx (files.decoder) is not among the dropped files');

  // Someone else's model: read from the files, not the network.
  const mine = { ...structuredClone(MANIFEST), id: 'my-courtyard' };
  await page.getByTestId('model-files').setInputFiles(modelFolder(mine));
  await expect(page.getByTestId('model-label')).toHaveText('my-courtyard (from chosen files)', { timeout: 30_000 });
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await waitForPredictions(page, 3);
  await expect(page.getByTestId('open-problems')).toHaveCount(0);
  expect(fetched).toEqual([]);

  await page.getByTestId('bundled-model').click();
  await expect(page.getByTestId('model-label')).toHaveText('wm-courtyard-v3 (bundled)');
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await waitForPredictions(page, 2);
});

test('a model folder dropped on the page is loaded', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm');
  await waitForPredictions(page, 1);
  // The files are made in the page (a drop cannot come from outside in a headless browser).
  await page.evaluate(async (paths) => {
    const dt = new DataTransfer();
    for (const p of ['manifest.json', ...paths]) {
      let blob = await (await fetch(`/models/wm-courtyard-v3/${p}`)).blob();
      if (p === 'manifest.json') blob = new Blob([JSON.stringify({ ...JSON.parse(await blob.text()), id: 'dropped-courtyard' })]);
      dt.items.add(new File([blob], p));
    }
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
  }, ONNX);
  await expect(page.getByTestId('model-label')).toHaveText('dropped-courtyard (from dropped files)', { timeout: 30_000 });
  await expect.poll(async () => (await modelInfo(page)).phase, { timeout: 60_000 }).toBe('ready');
  await waitForPredictions(page, 3);
});

test('?modelUrl= opens a model folder on this origin and refuses any other', async ({ page }) => {
  await openPlayground(page, '?model=student&backend=wasm&modelUrl=/models/wm-courtyard-v3/manifest.json');
  await expect(page.getByTestId('model-label')).toHaveText('wm-courtyard-v3 (from /models/wm-courtyard-v3/)');
  await waitForPredictions(page, 2);
  await openPlayground(page, '?model=student&modelUrl=https://models.example.com/wm/');
  await expect(page.getByTestId('model-error')).toContainText("modelUrl 'https://models.example.com/wm/' is on another origin");
});
