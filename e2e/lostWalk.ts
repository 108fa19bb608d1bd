/**
 * Lesson 5's protocol, shared by its end-to-end test and e2e/reanchorGain.ts: from a start, dream
 * a walk until a prediction is at least LOST_DB below the first (the lesson's "fallen 6 dB"), then
 * take 4 steps, press R, and take 4 more, standing still or walking on.
 */
import type { Page } from 'playwright-core';

export const LOST_DB = 6;
export const MAX_WALK = 300;
/** starts all over the courtyard: x, y, z, yaw, pitch */
export const STARTS = [
  [4, 1.7, 6, 0.3, -0.05],
  [-12, 1.7, 3, 2.0, 0],
  [10, 2.0, -14, -1.2, 0],
  [-5, 1.5, -20, 3.0, 0.05],
  [18, 1.7, 12, 0.9, 0],
];
const CHUNK = 5;
const walk = (from: number) => Array.from({ length: CHUNK }, (_, i) => [0.8, 0, 0, 0.4 * Math.sin((from + i) / 6), 0]);
export const AROUND_R = {
  'standing still': Array.from({ length: 4 }, () => [0, 0, 0, 0, 0]),
  walking: Array.from({ length: 4 }, () => [0.8, 0, 0, 0.3, 0]),
};

/** Runs normalized actions (from `start`, a jump, when given) and returns their predictions' PSNR. */
export const runPsnrs = (page: Page, script: number[][], start: number[] | null): Promise<number[]> =>
  page.evaluate(
    async ([s, p]) => {
      const w = (window as any).__wmp;
      await w.runScript(s, p && { x: p[0], y: p[1], z: p[2], yaw: p[3], pitch: p[4] });
      return w.records().map((r: { psnr: number }) => Math.min(r.psnr, 99)) as number[];
    },
    [script, start] as const,
  );

/** Dreams a walk from `start` until the lesson's fall (at least minSteps); the PSNR of every step. */
export async function dreamUntilLost(page: Page, start: number[], minSteps: number): Promise<number[]> {
  const dream = await runPsnrs(page, walk(0), start);
  while (dream.length < MAX_WALK && (dream.length < minSteps || dream[0]! - Math.min(...dream) < LOST_DB))
    dream.push(...(await runPsnrs(page, walk(dream.length), null)));
  return dream;
}
