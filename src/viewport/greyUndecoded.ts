/**
 * A frame in progress, as the teacher writes it: the patches of tokens not decoded yet (raster
 * positions >= done) fade to grey, so a learner sees where the frame stands instead of the
 * previous frame's pixels passing for finished ones.
 */
export const UNDECODED_GREY = 96;

export function greyUndecoded(rgb: Uint8Array, width: number, height: number, grid: number, done: number): Uint8Array {
  const out = rgb.slice();
  const ph = height / grid;
  const pw = width / grid;
  for (let t = Math.max(0, done); t < grid * grid; t++) {
    const y0 = Math.floor(t / grid) * ph;
    const x0 = (t % grid) * pw;
    for (let y = y0; y < y0 + ph; y++)
      for (let x = x0; x < x0 + pw; x++)
        for (let c = 0; c < 3; c++) {
          const i = (y * width + x) * 3 + c;
          out[i] = Math.round(0.25 * out[i]! + 0.75 * UNDECODED_GREY);
        }
  }
  return out;
}
