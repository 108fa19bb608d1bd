import { expect, it } from 'vitest';
import { cellMean, pixelError } from './errorMap';
import { INFERNO, cssColor } from './colormap';

it('measures where the prediction is wrong, per pixel and per token cell', () => {
  const w = 4;
  const truth = { width: w, height: w, data: new Uint8Array(w * w * 3) };
  const pred = { width: w, height: w, data: new Uint8Array(w * w * 3) };
  pred.data.fill(90, 0, 3); // top-left pixel wrong by 90 in every channel
  const e = pixelError(pred, truth);
  expect(e[0]).toBe(90);
  expect(e.slice(1).every((v) => v === 0)).toBe(true);
  const cells = cellMean(e, w, w, 2);
  expect(Array.from(cells)).toEqual([22.5, 0, 0, 0]);
  expect(() => pixelError(pred, { width: 2, height: 2, data: new Uint8Array(12) })).toThrow(/size/);
});

it('colours from a perceptual map: dark when sure, bright when not', () => {
  expect(cssColor(INFERNO, 0)).toBe('rgb(0, 0, 4)');
  const bright = cssColor(INFERNO, 1).match(/\d+/g)!.map(Number);
  expect(bright[0]! + bright[1]! + bright[2]!).toBeGreaterThan(600);
});
