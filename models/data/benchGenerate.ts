/**
 * Measures the dataset generator's throughput and writes the figures as JSON:
 *
 *   npm run bench:data                          (20,000 frames at 128x128, into a temp folder)
 *   npm run bench:data -- --frames 5000 --out models/data/generator-bench.json
 *
 * Each configuration runs the real generator end to end (browser start excluded, writing
 * included) into a fresh temporary folder that is deleted afterwards.
 */
import { cpus, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generate, parseGenArgs } from './generate';

const { values } = parseArgs({
  options: { frames: { type: 'string', default: '20000' }, res: { type: 'string', default: '128' }, out: { type: 'string', default: 'models/data/generator-bench.json' }, pages: { type: 'string', default: '1,2,3' } },
  strict: true,
});
const frames = Number(values.frames);
const pagesList = String(values.pages).split(',').map(Number);
if (!Number.isInteger(frames) || frames < 64 || pagesList.some((p) => !Number.isInteger(p) || p < 1 || p > 8)) {
  console.error('usage: npm run bench:data -- [--frames N>=64] [--res R] [--pages 1,2,3] [--out FILE]');
  process.exit(2);
}

const runs = [];
for (const pages of pagesList) {
  const dir = mkdtempSync(join(tmpdir(), 'genbench-'));
  try {
    const cfg = parseGenArgs(['--out', dir, '--frames', String(frames), '--res', String(values.res), '--pages', String(pages), '--quiet']);
    const r = await generate(cfg);
    console.error(`pages=${pages}: ${r.fps} frames/s (${r.frames} frames in ${r.seconds} s)`);
    runs.push({ pages, batch: cfg.batch, ...r });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const best = runs.reduce((a, b) => (b.fps > a.fps ? b : a));
const report = {
  what: 'dataset generator throughput, end to end (render in headless Chromium, transfer, write .npy)',
  command: `npm run bench:data -- --frames ${frames} --res ${values.res}`,
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gib: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
  resolution: Number(values.res),
  frames_per_run: frames,
  runs,
  best_fps: best.fps,
  default_pages: parseGenArgs(['--out', 'x']).pages,
};
writeFileSync(String(values.out), JSON.stringify(report, null, 2) + '\n');
console.error(`wrote ${values.out}: best ${best.fps} frames/s with ${best.pages} pages`);
