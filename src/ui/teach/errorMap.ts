/**
 * Where the prediction is wrong: per pixel, the mean |prediction - truth| over RGB (a token's
 * error is this over its patch). Numbers, not pictures, so a test can check them.
 */
import type { Frame } from '../../sim/frame';

/** Per pixel mean absolute RGB error in [0, 255]. */
export function pixelError(pred: Frame, truth: Frame): Float32Array {
  if (pred.width !== truth.width || pred.height !== truth.height) throw new RangeError('prediction and truth differ in size');
  const n = pred.width * pred.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i * 3;
    out[i] =
      (Math.abs(pred.data[k]! - truth.data[k]!) +
        Math.abs(pred.data[k + 1]! - truth.data[k + 1]!) +
        Math.abs(pred.data[k + 2]! - truth.data[k + 2]!)) /
      3;
  }
  return out;
}
