/** One observation: RGB bytes, row-major, top row first (what numpy's [H, W, 3] expects). */
export interface Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export function createFrame(width: number, height: number): Frame {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

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
