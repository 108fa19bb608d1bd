import { beforeEach, expect, it } from 'vitest';
import { insightHolder, markAnchor, pushHistory, remember, resetHistory, thumbnail } from './insightHolder';

beforeEach(() => {
  resetHistory();
  insightHolder.remembered.clear();
});

it('box-filters a frame into a thumbnail', () => {
  const data = new Uint8Array(4 * 4 * 3);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data.fill(x < 2 ? 0 : 200, (y * 4 + x) * 3, (y * 4 + x + 1) * 3);
  const t = thumbnail({ width: 4, height: 4, data }, 2);
  expect(Array.from(t)).toEqual([0, 0, 0, 200, 200, 200, 0, 0, 0, 200, 200, 200]);
});

it('keeps a bounded history and drops anchors that fell out of it', () => {
  markAnchor(0);
  for (let i = 0; i < 2100; i++) pushHistory(i, i === 5 ? Infinity : 20, 3);
  const h = insightHolder.history;
  expect(h.frame.length).toBe(2000);
  expect(h.frame[0]).toBe(100);
  expect(h.anchors).toEqual([]);
  expect(Math.max(...h.psnr)).toBe(20);
});

it('forgets the oldest remembered frames beyond the memory capacity', () => {
  const f = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
  const cap = insightHolder.capacity;
  insightHolder.capacity = 3;
  for (let s = 0; s < 5; s++) remember(s, f, [0, 0, 0, 0, 0], 0);
  expect([...insightHolder.remembered.keys()]).toEqual([2, 3, 4]);
  insightHolder.capacity = cap;
});
