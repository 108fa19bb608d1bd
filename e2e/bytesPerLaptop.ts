/**
 * What one laptop downloads to run the playground (workshop Wi-Fi planning): every response body
 * from opening the built app on WASM until the student predicts and, separately, until the teacher
 * is loaded too. No cache, no service worker: a first visit.
 *
 *   npm run build && npx tsx e2e/bytesPerLaptop.ts     # -> docs/workshop/bytes-per-laptop.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runMain, withBuild } from './withBuild';

runMain(() =>
  withBuild(4197, async (browser, base) => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const files: { url: string; bytes: number }[] = [];
    page.on(
      'response',
      (r) =>
        void r.body().then(
          (b) => files.push({ url: new URL(r.url()).pathname, bytes: b.length }),
          () => {},
        ),
    );
    await page.goto(`${base}/?backend=wasm&model=student`);
    await page.waitForFunction(() => (window as any).__wmp?.model()?.firstFrameAt != null, null, { timeout: 180_000, polling: 200 });
    await page.waitForTimeout(500);
    const predicting = files.reduce((a, f) => a + f.bytes, 0);
    await page.evaluate(() => (window as any).__wmp.loadTeacher()); // as choosing the teacher or its views would
    await page.waitForFunction(() => (window as any).__wmp.model().teacherReady, null, { timeout: 180_000, polling: 200 });
    await page.waitForTimeout(500);
    const all = files.reduce((a, f) => a + f.bytes, 0);
    const by = (re: RegExp) => files.filter((f) => re.test(f.url)).reduce((a, f) => a + f.bytes, 0);
    const mb = (b: number) => +(b / 1e6).toFixed(1);
    const out = {
      what: 'bytes one laptop downloads on a first visit (WASM backend), from response bodies',
      until_first_prediction_mb: mb(predicting),
      with_the_teacher_mb: mb(all),
      wasm_runtime_mb: mb(by(/\.wasm$/)),
      model_files_mb: mb(by(/^\/models\//)),
      app_code_mb: mb(by(/\.(js|css|html)$/)),
      for_30_laptops_gb: +((all * 30) / 1e9).toFixed(2),
      files: files.sort((a, b) => b.bytes - a.bytes).slice(0, 15),
    };
    mkdirSync('docs/workshop', { recursive: true });
    writeFileSync('docs/workshop/bytes-per-laptop.json', JSON.stringify(out, null, 1) + '\n');
    console.log(JSON.stringify({ ...out, files: undefined }));
  }),
);
