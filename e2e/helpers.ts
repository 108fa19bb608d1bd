import type { BrowserContext, Page } from '@playwright/test';
import { expect } from './guard';
import type { Pose } from '../src/sim/contract';

/** Opens the app; tests of the world alone leave the model off unless the query asks for one. */
export async function openPlayground(page: Page, query = ''): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (!/[?&]model=/.test(query)) query = query ? `${query}&model=off` : '?model=off';
  await page.goto(`/${query}`);
  await expect.poll(() => page.evaluate(() => (window as any).__wmp?.groundTruth()?.version ?? 0)).toBeGreaterThan(0);
  expect(errors).toEqual([]);
}

export const pose = (page: Page): Promise<Pose> => page.evaluate(() => (window as any).__wmp.pose());

export async function groundTruth(page: Page): Promise<{ width: number; height: number; data: number[] }> {
  return page.evaluate(() => (window as any).__wmp.groundTruth());
}

export async function readoutPose(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const k of ['x', 'y', 'z', 'yaw', 'pitch']) out[k] = Number(await page.getByTestId(`pose-${k}`).inputValue());
  return out;
}

export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}

/** Holds a key for a while; the loop turns it into ~15 actions per second. */
export async function hold(page: Page, key: string, ms: number): Promise<void> {
  await page.keyboard.down(key);
  await page.waitForTimeout(ms);
  await page.keyboard.up(key);
  await page.waitForTimeout(250);
}

export type ModelInfo = {
  phase: string;
  error: string | null;
  backend: { name: string; adapter: string; threads: number; student?: 'float32' | 'int8' } | null;
  teacherReady: boolean;
  model: string;
  hud: { stats: { runs: number; readbacks: number; readbackBytes: number; model: string } | null; psnr: number | null; tokens: unknown };
};
export const modelInfo = (page: Page): Promise<ModelInfo> => page.evaluate(() => (window as any).__wmp.model());
export const predictedVersion = (page: Page): Promise<number> => page.evaluate(() => (window as any).__wmp.predictedVersion());
export async function predicted(page: Page): Promise<{ width: number; height: number; data: number[] }> {
  return page.evaluate(() => (window as any).__wmp.predicted());
}

/** Waits until at least `count` more predicted frames have been shown. */
export async function waitForPredictions(page: Page, count: number, timeout = 60_000): Promise<void> {
  const v0 = await predictedVersion(page);
  await expect.poll(() => predictedVersion(page), { timeout }).toBeGreaterThanOrEqual(v0 + count);
}

/** Delays one shipped model file by `ms`, so that what the page shows while it loads can be seen. */
export async function slowModelFile(context: BrowserContext, file: string, ms: number): Promise<void> {
  await context.route(`**/models/wm-courtyard-v3/${file}`, async (route) => {
    const res = await route.fetch();
    await new Promise((r) => setTimeout(r, ms));
    await route.fulfill({ response: res });
  });
}
