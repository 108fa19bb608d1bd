/**
 * Where the prediction is wrong: per pixel, the mean |prediction - truth| over RGB; per token
 * cell, the mean over its patch. Numbers, not pictures, so a test can check them.
 */
import type { Frame } from '../../sim/frame';

/** Per pixel mean absolute RGB error in [0, 255]. */
export function pixelError(pred: Frame, truth: Frame): Float32Array {
  if (pred.width !== truth.width || pred.height !== truth.height) throw new RangeError('prediction and truth differ in size');
  const n = pred.width * pred.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i * 3;
    out[i] = (Math.abs(pred.data[k]! - truth.data[k]!) + Math.abs(pred.data[k + 1]! - truth.data[k + 1]!) + Math.abs(pred.data[k + 2]! - truth.data[k + 2]!)) / 3;
  }
  return out;
}

/** Per token cell (g x g grid over the frame) mean of a per-pixel map. */
export function cellMean(map: Float32Array, width: number, height: number, g: number): Float32Array {
  const out = new Float32Array(g * g);
  const ch = height / g;
  const cw = width / g;
  for (let y = 0; y < height; y++) {
    const i = Math.floor(y / ch);
    for (let x = 0; x < width; x++) out[i * g + Math.floor(x / cw)]! += map[y * width + x]!;
  }
  const area = ch * cw;
  for (let k = 0; k < out.length; k++) out[k]! /= area;
  return out;
}
