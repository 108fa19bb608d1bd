/** One observation: RGB bytes, row-major, top row first (what numpy's [H, W, 3] expects). */
export interface Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export function createFrame(width: number, height: number): Frame {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** Where an average of PSNRs caps an identical frame's Infinity (the HUD's mean, the chart, the lessons' means). */
export const PSNR_CAP_DB = 99;

/** PSNR in dB of two same-sized frames (Infinity when identical). */
export function psnr(a: Frame, b: Frame): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('frames differ in size');
  let se = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = (a.data[i] as number) - (b.data[i] as number);
    se += d * d;
  }
  const mse = se / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Mean squared image gradient (forward differences over RGB): models/export/scoring.py's gradient_energy. */
export function gradientEnergy(f: Frame): number {
  const { width: w, height: h, data } = f;
  let gx = 0;
  let gy = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * w + x) * 3 + c;
        const v = data[i] as number;
        if (x + 1 < w) gx += ((data[i + 3] as number) - v) ** 2;
        if (y + 1 < h) gy += ((data[i + 3 * w] as number) - v) ** 2;
      }
  return gx / Math.max(1, h * (w - 1) * 3) + gy / Math.max(1, (h - 1) * w * 3);
}

/** Sharpness ratio: the prediction's gradient energy over the truth's (1 = as sharp, < 1 = blurred). */
export function sharpness(pred: Frame, truth: Frame): number {
  if (pred.width !== truth.width || pred.height !== truth.height) throw new RangeError('frames differ in size');
  return gradientEnergy(pred) / Math.max(gradientEnergy(truth), 1e-9);
}
