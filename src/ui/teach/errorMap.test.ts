import { expect, it } from 'vitest';
import { pixelError } from './errorMap';
import { meanOf } from '../../store/insightHolder';
import { INFERNO, cssColor } from './colormap';

it('measures where the prediction is wrong, per pixel and per token cell', () => {
  const w = 4;
  const truth = { width: w, height: w, data: new Uint8Array(w * w * 3) };
  const pred = { width: w, height: w, data: new Uint8Array(w * w * 3) };
  pred.data.fill(90, 0, 3); // top-left pixel wrong by 90 in every channel
  const e = pixelError(pred, truth);
  expect(e[0]).toBe(90);
  expect(e.slice(1).every((v) => v === 0)).toBe(true);
  // the top-left 2 x 2 patch (a token's cell) averages to 22.5
  const patch = (f: typeof pred) => ({
    width: 2,
    height: 2,
    data: Uint8Array.from([...f.data.subarray(0, 6), ...f.data.subarray(12, 18)]),
  });
  expect(meanOf(pixelError(patch(pred), patch(truth)))).toBe(22.5);
  expect(() => pixelError(pred, { width: 2, height: 2, data: new Uint8Array(12) })).toThrow(/size/);
});

it('colours from a perceptual map: dark when sure, bright when not', () => {
  expect(cssColor(INFERNO, 0)).toBe('rgb(0, 0, 4)');
  const bright = cssColor(INFERNO, 1).match(/\d+/g)!.map(Number);
  expect(bright[0]! + bright[1]! + bright[2]!).toBeGreaterThan(600);
});
