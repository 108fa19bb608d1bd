/**
 * Dataset generator: renders seeded steering trajectories through the app's own scene code in
 * headless Chromium and writes numpy-readable shards.
 *
 *   npm run data -- --frames 100000 --res 128 --seed 0 --out data/train
 *
 * Output (documented in models/README.md):
 *   meta.json                      contract, world seed, resolution, counts, shard list, episodes
 *   frames-00000.npy   uint8   [n, H, W, 3]   RGB, top row first
 *   poses-00000.npy    float32 [n, 5]         x, y, z, yaw, pitch
 *   actions-00000.npy  float32 [n, 5]         effective action from frame t to t+1 (0 at episode end)
 *   commands-00000.npy float32 [n, 5]         what the driver asked for at t (before collisions)
 *   episode-00000.npy  int32   [n]            global episode index of each frame
 * Shards hold whole episodes and are written atomically, so an interrupted run resumes where it
 * stopped (rerun the same command); trajectories depend only on (world seed, seed, episode index).
 */
import { createServer as createHttpServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { createServer as createViteServer } from 'vite';
import { ACTION_KEYS, POSE_KEYS, actionToArray, contractJson, poseToArray } from '../../src/sim/contract';
import { mixSeed } from '../../src/sim/rng';
import { LOOPS_VERSION, TRAJECTORY_VERSION, generateEpisode, generateLoopEpisode } from '../../src/sim/trajectory';
import { TOUR_VERSION, generateTourEpisode } from '../../src/sim/tour';
import { WORLD_VERSION, buildWorld } from '../../src/sim/world';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { writeNpy } from './npy';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// ----------------------------------------------------------------------------- defaults
const DEFAULTS = {
  frames: 1024,
  res: 128,
  seed: 0,
  'world-seed': 0,
  'episode-len': 128,
  'shard-episodes': 16,
  pages: 2,
  batch: 64,
  style: 'steer',
};
const STYLES = ['steer', 'loops', 'tour'] as const;

const USAGE = `usage: npm run data -- --out DIR [--frames N] [--res R] [--seed S] [--world-seed W]
                       [--episode-len L] [--shard-episodes K] [--pages P] [--batch B] [--style steer|loops|tour] [--quiet]
  --out DIR           output folder (created; an existing dataset there with the same settings is resumed)
  --frames N          total frames (default ${DEFAULTS.frames}); the last episode is cut short if needed
  --res R             square frame size in pixels, 16..512 (default ${DEFAULTS.res})
  --seed S            trajectory seed (default ${DEFAULTS.seed}); use different seeds for train/val/test
  --world-seed W      which world to render (default ${DEFAULTS['world-seed']})
  --episode-len L     frames per episode, >= 2 (default ${DEFAULTS['episode-len']})
  --shard-episodes K  episodes per shard file (default ${DEFAULTS['shard-episodes']})
  --pages P           browser pages rendering in parallel, 1..8 (default ${DEFAULTS.pages})
  --batch B           frames per render call, 1..1024 (default ${DEFAULTS.batch})
  --style S           steer: a person steering (default); loops: scripted revisits for loop-closure tests
                      (a 375-degree turn on the spot, or out, half turn, back 1 m past the start, half turn);
                      tour: the designed tour of the courtyard (src/sim/tour.ts), one episode, all of it
                      (--frames and --episode-len are its length)`;

export interface GenConfig {
  out: string;
  frames: number;
  res: number;
  seed: number;
  worldSeed: number;
  episodeLen: number;
  shardEpisodes: number;
  pages: number;
  batch: number;
  style: (typeof STYLES)[number];
  quiet: boolean;
}

class UsageError extends Error {}

function intArg(values: Record<string, unknown>, name: Exclude<keyof typeof DEFAULTS, 'style'>, lo: number, hi: number): number {
  const raw = values[name];
  if (raw === undefined) return DEFAULTS[name];
  const v = Number(raw);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`--${name} must be an integer in [${lo}, ${hi}], got '${String(raw)}'`);
  return v;
}

export function parseGenArgs(argv: string[]): GenConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' }, frames: { type: 'string' }, res: { type: 'string' }, seed: { type: 'string' },
        'world-seed': { type: 'string' }, 'episode-len': { type: 'string' }, 'shard-episodes': { type: 'string' },
        pages: { type: 'string' }, batch: { type: 'string' }, style: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  if (!v.out) throw new UsageError('--out is required');
  const style = (v.style ?? DEFAULTS.style) as GenConfig['style'];
  if (!STYLES.includes(style)) throw new UsageError(`--style must be one of ${STYLES.join(', ')}, got '${String(v.style)}'`);
  const worldSeed = intArg(v, 'world-seed', 0, 2 ** 31 - 1);
  const tourLength = style === 'tour' ? generateTourEpisode(buildWorld(worldSeed)).poses.length : 0;
  return {
    out: resolve(v.out),
    frames: tourLength || intArg(v, 'frames', 1, 10_000_000),
    res: intArg(v, 'res', 16, 512),
    seed: intArg(v, 'seed', 0, 2 ** 31 - 1),
    worldSeed,
    episodeLen: tourLength || intArg(v, 'episode-len', 2, 100_000),
    shardEpisodes: intArg(v, 'shard-episodes', 1, 10_000),
    pages: intArg(v, 'pages', 1, 8),
    batch: intArg(v, 'batch', 1, 1024),
    style,
    quiet: Boolean(v.quiet),
  };
}

// ----------------------------------------------------------------------------- planning
interface ShardPlan {
  index: number;
  episodes: { index: number; length: number; start: number }[];
  frames: number;
}

function planShards(cfg: GenConfig): ShardPlan[] {
  const shards: ShardPlan[] = [];
  let done = 0;
  let ep = 0;
  while (done < cfg.frames) {
    const shard: ShardPlan = { index: shards.length, episodes: [], frames: 0 };
    while (shard.episodes.length < cfg.shardEpisodes && done < cfg.frames) {
      const length = Math.min(cfg.episodeLen, cfg.frames - done);
      shard.episodes.push({ index: ep++, length, start: done });
      shard.frames += length;
      done += length;
    }
    shards.push(shard);
  }
  return shards;
}

const shardName = (kind: string, i: number): string => `${kind}-${String(i).padStart(5, '0')}.npy`;
const SHARD_KINDS = ['frames', 'poses', 'actions', 'commands', 'episode'] as const;

/** The settings that make two runs produce the same bytes; a resume must match them. */
function identity(cfg: GenConfig) {
  return {
    frames: cfg.frames, res: cfg.res, seed: cfg.seed, world_seed: cfg.worldSeed,
    episode_len: cfg.episodeLen, shard_episodes: cfg.shardEpisodes, world_version: WORLD_VERSION,
    style: cfg.style, trajectory_version: TRAJECTORY_VERSION,
    ...(cfg.style === 'loops' ? { loops_version: LOOPS_VERSION } : {}),
    ...(cfg.style === 'tour' ? { tour_version: TOUR_VERSION } : {}),
  };
}

// ----------------------------------------------------------------------------- browser side
async function startRenderFarm(cfg: GenConfig) {
  const vite = await createViteServer({
    root: ROOT, configFile: false, logLevel: 'error', appType: 'custom',
    server: { middlewareMode: true, hmr: false, watch: null },
    optimizeDeps: { include: ['three', 'three/examples/jsm/utils/BufferGeometryUtils.js'] },
  });
  const server = createHttpServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.url === '/generator.html') {
      // appType 'custom' serves modules, not HTML: the page is one module script.
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/models/data/generatorPage.ts"></script>');
      return;
    }
    vite.middlewares(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const pages: Page[] = [];
  let gpu = '';
  for (let i = 0; i < cfg.pages; i++) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[page ${i}] ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') console.error(`[page ${i}] ${m.text()}`); });
    await page.goto(`http://127.0.0.1:${port}/generator.html`);
    await page.waitForFunction(() => document.title === 'generator ready', undefined, { timeout: 60_000 });
    gpu = await page.evaluate(([w, r]) => (window as any).generator.init(w, r), [cfg.worldSeed, cfg.res] as const);
    pages.push(page);
  }
  const render = async (page: Page, poses: number[]): Promise<Uint8Array> =>
    page.evaluate((p) => (window as any).generator.renderBatch(p), poses);
  const close = async () => {
    await browser.close();
    server.close();
    await vite.close();
  };
  return { pages, render, close, gpu };
}

// ----------------------------------------------------------------------------- main
/** `done` counts frames on disk (resumed ones included); the rate counts only this run's. */
function progress(cfg: GenConfig, done: number, renderedNow: number, t0: number): void {
  if (cfg.quiet || !process.stderr.isTTY) return;
  const secs = (performance.now() - t0) / 1000;
  const fps = renderedNow / Math.max(secs, 1e-6);
  const width = 30;
  const filled = Math.round((done / cfg.frames) * width);
  const eta = fps > 0 ? (cfg.frames - done) / fps : 0;
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${cfg.frames} frames  ${fps.toFixed(0)} fps  eta ${eta.toFixed(0)}s   `);
}

export async function generate(cfg: GenConfig) {
  mkdirSync(cfg.out, { recursive: true });
  const metaPath = join(cfg.out, 'meta.json');
  const shards = planShards(cfg);
  const world = buildWorld(cfg.worldSeed);
  const complete = new Set<number>();
  if (existsSync(metaPath)) {
    const old = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (JSON.stringify(old.settings) !== JSON.stringify(identity(cfg))) {
      throw new UsageError(`${cfg.out} holds a dataset made with other settings (${JSON.stringify(old.settings)}); choose another --out`);
    }
    for (const s of old.shards ?? []) if (s.complete && SHARD_KINDS.every((k) => existsSync(join(cfg.out, shardName(k, s.index))))) complete.add(s.index);
  }
  const writeMeta = (extra: Record<string, unknown> = {}) => {
    const meta = {
      format: 'world-model-playground dataset v1',
      contract: contractJson(),
      settings: identity(cfg),
      resolution: [cfg.res, cfg.res],
      counts: { frames: cfg.frames, episodes: shards.reduce((n, s) => n + s.episodes.length, 0), shards: shards.length },
      arrays: {
        frames: 'uint8 [n, H, W, 3] RGB, top row first',
        poses: `float32 [n, 5] ${POSE_KEYS.join(', ')}`,
        actions: `float32 [n, 5] ${ACTION_KEYS.join(', ')}: effective change from frame t to t+1 in frame t's heading frame; zero on an episode's last frame`,
        commands: `float32 [n, 5] ${ACTION_KEYS.join(', ')}: the driver's command at t, before collisions`,
        episode: 'int32 [n] global episode index',
      },
      episodes: shards.flatMap((s) => s.episodes.map((e) => ({ index: e.index, start: e.start, length: e.length, shard: s.index, seed: mixSeed(cfg.seed, e.index) }))),
      shards: shards.map((s) => ({
        index: s.index, frames: s.frames, complete: complete.has(s.index),
        files: Object.fromEntries(SHARD_KINDS.map((k) => [k, shardName(k, s.index)])),
      })),
      ...extra,
    };
    writeFileSync(metaPath + '.tmp', JSON.stringify(meta, null, 1));
    renameSync(metaPath + '.tmp', metaPath);
  };
  writeMeta();
  const todo = shards.filter((s) => !complete.has(s.index));
  const resumedFrames = cfg.frames - todo.reduce((n, s) => n + s.frames, 0);
  if (todo.length === 0) {
    if (!cfg.quiet) console.error(`${cfg.out}: already complete (${cfg.frames} frames)`);
    return { frames: 0, seconds: 0, fps: 0, bytes: 0, gpu: '' };
  }
  const farm = await startRenderFarm(cfg);
  const frameBytes = cfg.res * cfg.res * 3;
  let rendered = 0;
  let bytes = 0;
  const t0 = performance.now();
  try {
    for (const shard of todo) {
      const n = shard.frames;
      const frames = new Uint8Array(n * frameBytes);
      const poses = new Float32Array(n * 5);
      const actions = new Float32Array(n * 5);
      const commands = new Float32Array(n * 5);
      const episode = new Int32Array(n);
      let row = 0;
      for (const e of shard.episodes) {
        const seed = mixSeed(cfg.seed, e.index);
        const ep =
          cfg.style === 'loops'
            ? generateLoopEpisode(world, seed, e.length)
            : cfg.style === 'tour'
              ? generateTourEpisode(world, e.length)
              : generateEpisode(world, seed, { length: e.length });
        for (let t = 0; t < e.length; t++, row++) {
          poses.set(poseToArray(ep.poses[t]!), row * 5);
          actions.set(actionToArray(ep.actions[t]!), row * 5);
          commands.set(actionToArray(ep.commands[t]!), row * 5);
          episode[row] = e.index;
        }
      }
      // Batches go to whichever page is free; each lands at its own offset in the shard.
      let next = 0;
      const worker = async (page: Page) => {
        while (next < n) {
          const start = next;
          const count = Math.min(cfg.batch, n - start);
          next += count;
          const body = await farm.render(page, Array.from(poses.subarray(start * 5, (start + count) * 5)));
          if (body.length !== count * frameBytes) throw new Error(`render returned ${body.length} bytes, expected ${count * frameBytes}`);
          frames.set(body, start * frameBytes);
          rendered += count;
          progress(cfg, resumedFrames + rendered, rendered, t0);
        }
      };
      await Promise.all(farm.pages.map(worker));
      const files: [string, 'u1' | 'f4' | 'i4', number[], ArrayBufferView][] = [
        ['frames', 'u1', [n, cfg.res, cfg.res, 3], frames],
        ['poses', 'f4', [n, 5], poses],
        ['actions', 'f4', [n, 5], actions],
        ['commands', 'f4', [n, 5], commands],
        ['episode', 'i4', [n], episode],
      ];
      for (const [kind, dtype, shape, data] of files) {
        const path = join(cfg.out, shardName(kind, shard.index));
        writeNpy(path + '.tmp', dtype, shape, data);
        renameSync(path + '.tmp', path);
        bytes += statSync(path).size;
      }
      complete.add(shard.index);
      writeMeta();
    }
  } finally {
    await farm.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const summary = { frames: rendered, seconds: +seconds.toFixed(2), fps: +(rendered / seconds).toFixed(1), bytes, gpu: farm.gpu };
  writeMeta({ last_run: { ...summary, pages: cfg.pages, batch: cfg.batch } });
  if (!cfg.quiet) {
    process.stderr.write('\n');
    console.error(`wrote ${rendered} frames (${(bytes / 1e6).toFixed(1)} MB) to ${cfg.out} in ${seconds.toFixed(1)} s: ${summary.fps} frames/s` +
      (resumedFrames ? ` (resumed; ${resumedFrames} frames were already there)` : '') + ` [${farm.gpu}]`);
  }
  return summary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await generate(parseGenArgs(process.argv.slice(2)));
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) console.error(`error: ${e.message}`);
      console.error(USAGE);
      process.exit(2);
    }
    console.error(`error: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
}
