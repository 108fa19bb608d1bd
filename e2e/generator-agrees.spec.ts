import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './guard';
import { generate, parseGenArgs } from '../models/data/generate';
import { readNpy } from '../models/data/npy';
import { groundTruth, openPlayground } from './helpers';

const RES = 128;
const dir = mkdtempSync(join(tmpdir(), 'gen-e2e-'));

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await generate(parseGenArgs(['--out', dir, '--frames', '96', '--episode-len', '48', '--shard-episodes', '1', '--seed', '7', '--quiet']));
});

test('the generator writes numpy-readable shards with a self-describing meta.json', () => {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  expect(meta.counts).toEqual({ frames: 96, episodes: 2, shards: 2 });
  expect(meta.contract.version).toBe(1);
  expect(meta.shards.every((s: { complete: boolean }) => s.complete)).toBe(true);
  const frames = readNpy(join(dir, 'frames-00001.npy'));
  expect(frames.dtype).toBe('u1');
  expect(frames.shape).toEqual([48, RES, RES, 3]);
  expect(readNpy(join(dir, 'poses-00001.npy')).shape).toEqual([48, 5]);
  expect(Array.from(readNpy(join(dir, 'episode-00001.npy')).data as Int32Array).every((e) => e === 1)).toBe(true);
});

test('every generated view shows structure: no empty-sky or single-colour frames', () => {
  for (const shard of [0, 1]) {
    const f = readNpy(join(dir, `frames-0000${shard}.npy`)).data as Uint8Array;
    const px = RES * RES;
    for (let i = 0; i < f.length / (px * 3); i++) {
      const frame = f.subarray(i * px * 3, (i + 1) * px * 3);
      let sky = 0;
      const colours = new Set<number>();
      for (let p = 0; p < px; p++) {
        const [r, g, b] = [frame[p * 3]!, frame[p * 3 + 1]!, frame[p * 3 + 2]!];
        if (b > 150 && b > r + 30 && b >= g) sky++;
        colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
      }
      expect(sky / px, `frame ${i} of shard ${shard} is mostly sky`).toBeLessThan(0.7);
      expect(colours.size, `frame ${i} of shard ${shard} has almost no structure`).toBeGreaterThan(40);
    }
  }
});

test("a frame the generator wrote for pose P matches the app's own render of P", async ({ page }) => {
  const frames = readNpy(join(dir, 'frames-00000.npy')).data as Uint8Array;
  const poses = readNpy(join(dir, 'poses-00000.npy')).data as Float32Array;
  const worst: number[] = [];
  for (const i of [0, 17, 47]) {
    const p = Array.from(poses.subarray(i * 5, i * 5 + 5));
    await openPlayground(page, `?world=0&pose=${p.join(',')}`);
    const app = await groundTruth(page);
    const gen = frames.subarray(i * RES * RES * 3, (i + 1) * RES * RES * 3);
    let sum = 0;
    let bad = 0;
    for (let k = 0; k < gen.length; k++) {
      const d = Math.abs(gen[k]! - app.data[k]!);
      sum += d;
      if (d > 24) bad++;
    }
    // The generator renders the float64 pose and stores float32: allow a few edge pixels to differ.
    expect(sum / gen.length, `mean abs difference at frame ${i}`).toBeLessThan(0.5);
    expect(bad / gen.length, `share of clearly different values at frame ${i}`).toBeLessThan(0.003);
    worst.push(sum / gen.length);
  }
  test.info().annotations.push({ type: 'mean abs diff', description: worst.map((w) => w.toFixed(4)).join(', ') });
});
