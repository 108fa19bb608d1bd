import { expect, it } from 'vitest';
import { BASELINE_FRAMES, DriftWatch, FOUND_MARGIN, LOST_MARGIN, WINDOW } from './driftWatch';

it('calls the model lost only when its recent uncertainty climbs well above the post-anchor baseline', () => {
  const w = new DriftWatch();
  for (let i = 0; i < BASELINE_FRAMES; i++) expect(w.push(2)).toBe(false);
  for (let i = 0; i < WINDOW; i++) expect(w.push(2 + LOST_MARGIN * 0.9)).toBe(false);
  let lost = false;
  for (let i = 0; i < WINDOW && !lost; i++) lost = w.push(2 + LOST_MARGIN * 1.5);
  expect(lost).toBe(true);
  expect(w.excess).toBeGreaterThan(LOST_MARGIN);
});

it('stays lost until the uncertainty falls below the lower margin, and forgets on an anchor', () => {
  const w = new DriftWatch();
  for (let i = 0; i < BASELINE_FRAMES; i++) w.push(1);
  for (let i = 0; i < WINDOW; i++) w.push(1 + LOST_MARGIN + 0.5);
  expect(w.push(1 + LOST_MARGIN + 0.5)).toBe(true);
  for (let i = 0; i < WINDOW; i++) w.push(1 + (LOST_MARGIN + FOUND_MARGIN) / 2);
  expect(w.push(1 + (LOST_MARGIN + FOUND_MARGIN) / 2)).toBe(true);
  for (let i = 0; i < WINDOW; i++) w.push(1);
  expect(w.push(1)).toBe(false);
  w.anchored();
  expect(w.excess).toBeNull();
});
