import { expect, it } from 'vitest';
import { TIMELINE_STEPS, Timeline, type TimelineEntry, compareBranches } from './timeline';

const entry = (key: number): TimelineEntry => ({
  key,
  pose: { x: key, y: 1.7, z: 0, yaw: 0, pitch: 0 },
  t: key,
  action: [0, 0, 0, 0, 0],
  predicted: { width: 1, height: 1, data: new Uint8Array(3) },
  tokens: new Int32Array(1),
  psnr: 20,
  session: { recent: [], needAnchor: false, resetMemory: false, sinceAnchor: key, scored: key, psnrSum: 0, firstAfterAnchor: null },
});

it('forks: the steps after the rewind point become branch A, the new ones branch B', () => {
  const t = new Timeline();
  for (let k = 0; k < 10; k++) t.push(entry(k));
  t.fork(5);
  expect(t.entries.map((e) => e.key)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(t.branchA.map((e) => e.key)).toEqual([6, 7, 8, 9]);
  t.push(entry(10));
  t.push(entry(11));
  expect(t.branchB.map((e) => e.key)).toEqual([10, 11]);
  expect(() => t.fork(99)).toThrow(/no longer on the timeline/);
});

it('keeps only the last steps', () => {
  const t = new Timeline();
  for (let k = 0; k < TIMELINE_STEPS + 20; k++) t.push(entry(k));
  expect(t.entries.length).toBe(TIMELINE_STEPS);
  expect(t.entries[0]!.key).toBe(20);
});

it('compares two branches step for step: their actions, and their frames where both have been', () => {
  const step = (key: number, action: number[], px: number) => ({
    ...entry(key),
    action,
    predicted: { width: 1, height: 1, data: new Uint8Array([px, px, px]) },
  });
  const a = [step(1, [1, 0, 0, 0, 0], 100), step(2, [1, 0, 0, 0, 0], 110), step(3, [1, 0, 0, 0, 0], 120)];
  const same = [step(4, [1, 0, 0, 0, 0], 100), step(5, [1, 0, 0, 0, 0], 110)];
  expect(compareBranches(a, same)).toEqual({ steps: 2, actionsDiffer: false, pixelDiff: 0 });
  const turned = [step(4, [0, 0, 0, 1, 0], 100), step(5, [0, 0, 0, 1, 0], 150)];
  expect(compareBranches(a, turned)).toEqual({ steps: 2, actionsDiffer: true, pixelDiff: 40 });
  expect(compareBranches(a, []).steps).toBe(0);
});
