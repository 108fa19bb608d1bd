import { type Page, expect } from '@playwright/test';
import type { Pose } from '../src/sim/contract';

export async function openPlayground(page: Page, query = ''): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
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
