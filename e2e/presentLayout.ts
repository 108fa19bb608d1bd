/**
 * Where each lesson's text and view land on a projector's first screen: every lesson at 1024x768
 * and 1920x1080, in the normal layout and (when the build has it) presentation mode. Records the
 * top and bottom of the lesson text, its first view and both frames, the lesson's body text size,
 * and whether all of it is inside the first screen (no scrolling).
 *
 *   npm run build && npx tsx e2e/presentLayout.ts [--out docs/workshop/present-layout.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { LESSONS } from '../src/teach/lessons';
import { runMain, withBuild } from './withBuild';

const PORT = 4198;
const SIZES = [
  [1024, 768],
  [1920, 1080],
] as const;

type Box = { top: number; bottom: number } | null;

/** Boxes in page coordinates (scroll included), so "inside the first screen" means bottom <= the viewport's height. */
async function measure(page: Page) {
  return page.evaluate(() => {
    const box = (el: Element | null | undefined) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return null;
      // an element inside a scrolled column counts where it is clipped, not where it would be
      let top = r.top;
      let bottom = r.bottom;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (/(auto|scroll|hidden)/.test(s.overflowY)) {
          const c = p.getBoundingClientRect();
          if (r.bottom > c.bottom + 1) bottom = Infinity;
          if (r.top < c.top - 1) top = -Infinity;
        }
      }
      return { top: Math.round(top + scrollY), bottom: bottom === Infinity ? 1e9 : Math.round(bottom + scrollY) };
    };
    const view = document.querySelector('.insides > :not(header)');
    const p = document.querySelector('[data-testid=lesson] p');
    return {
      lesson: box(document.querySelector('[data-testid=lesson]')),
      view: box(view),
      gt: box(document.querySelector('[data-testid=gt-view]')),
      pred: box(document.querySelector('[data-testid=pred-view]')),
      textPx: p ? parseFloat(getComputedStyle(p).fontSize) : null,
      hudPx: (() => {
        const h = document.querySelector('[data-testid=hud-psnr]');
        return h ? parseFloat(getComputedStyle(h).fontSize) : null;
      })(),
      chartPx:
        (document.querySelector('[data-testid=psnr-chart] canvas') as HTMLCanvasElement | null)?.getBoundingClientRect().height ?? null,
      pageHeight: document.documentElement.scrollHeight,
    };
  });
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/workshop/present-layout.json' } } });
  const rows: Record<string, unknown>[] = [];
  await withBuild(PORT, async (browser, base) => {
    for (const [width, height] of SIZES) {
      for (const present of [false, true]) {
        const page = await browser.newPage({ viewport: { width, height } });
        await page.addInitScript('window.__name = (f) => f'); // tsx names the functions it passes to evaluate
        for (const l of LESSONS) {
          await page.goto(`${base}/?backend=wasm&model=student&lesson=${l.id}${present ? '&present=1' : ''}`);
          await page.waitForFunction(() => document.querySelector('[data-testid=lesson-status]')?.textContent !== 'setting up…', null, {
            timeout: 120_000,
          });
          await page.waitForTimeout(1500);
          const supported = !present || (await page.locator('.app.present').count()) > 0;
          if (!supported) break;
          const m = await measure(page);
          const inside = (b: Box) => b !== null && b.bottom <= height;
          rows.push({
            size: `${width}x${height}`,
            present,
            id: l.id,
            ...m,
            first_screen: {
              lesson: inside(m.lesson),
              view: l.setup.views.length === 0 ? m.view === null : inside(m.view),
              frames: inside(m.gt) && inside(m.pred),
            },
          });
          console.log(
            `${width}x${height} ${present ? 'present' : 'normal '} ${l.id}: lesson ${JSON.stringify(m.lesson)} view ${JSON.stringify(m.view)}`,
          );
        }
        await page.close();
      }
    }
  });
  const summary = Object.fromEntries(
    [...new Set(rows.map((r) => `${r.size} ${r.present ? 'present' : 'normal'}`))].map((k) => {
      const rs = rows.filter((r) => `${r.size} ${r.present ? 'present' : 'normal'}` === k);
      const fs = rs.map((r) => r.first_screen as Record<string, boolean>);
      return [
        k,
        {
          lessons_fully_on_first_screen: fs.filter((f) => f.lesson && f.view && f.frames).length,
          of: rs.length,
          lesson_text_top_px: Math.min(...rs.map((r) => (r.lesson as Box)?.top ?? 1e9)),
          worst_view_bottom_px: Math.max(...rs.map((r) => (r.view as Box)?.bottom ?? 0)),
          text_px: rs[0]?.textPx,
          hud_px: rs[0]?.hudPx,
        },
      ];
    }),
  );
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(
    values.out!,
    JSON.stringify({ what: 'lesson text, view and frames on the first screen, per lesson and screen', summary, rows }, null, 1) + '\n',
  );
  console.log(JSON.stringify(summary, null, 1));
}

runMain(main);
