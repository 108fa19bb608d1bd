/**
 * The students' handout as a PDF, printed from the built app's print stylesheet.
 *
 *   npm run build && npx tsx e2e/handoutPdf.ts     # -> docs/workshop/handout.pdf
 */
import { writeFileSync } from 'node:fs';
import { runMain, withBuild } from './withBuild';

runMain(() =>
  withBuild(4196, async (browser, base) => {
    const page = await browser.newPage();
    await page.goto(`${base}/?backend=wasm&model=student`);
    await page.waitForFunction(() => (window as any).__wmp?.model()?.phase === 'ready', null, { timeout: 120_000, polling: 200 });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync('docs/workshop/handout.pdf', pdf);
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    console.log(JSON.stringify({ file: 'docs/workshop/handout.pdf', bytes: pdf.length, pages }));
  }),
);
