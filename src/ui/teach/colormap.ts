/** Colour lookup tables for heatmaps, from d3-scale-chromatic's perceptual maps (no hand-picked ramps). */
import { interpolateInferno, interpolateViridis } from 'd3-scale-chromatic';

export type Lut = Uint8Array;

function lut(f: (t: number) => string): Lut {
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const c = f(i / 255);
    // d3 returns "rgb(r, g, b)" or "#rrggbb"
    const m = c.startsWith('#')
      ? [c.slice(1, 3), c.slice(3, 5), c.slice(5, 7)].map((h) => parseInt(h, 16))
      : (c.match(/\d+/g) ?? []).map(Number);
    out.set(m.slice(0, 3), i * 3);
  }
  return out;
}

/** uncertainty: dark = sure, bright = unsure */
export const INFERNO = lut(interpolateInferno);
/** error: dark = right, yellow = wrong */
export const VIRIDIS = lut(interpolateViridis);

/** v in [0, 1] -> the LUT's colour as a CSS string. */
export function cssColor(l: Lut, v: number): string {
  const i = Math.max(0, Math.min(255, Math.round(v * 255))) * 3;
  return `rgb(${l[i]}, ${l[i + 1]}, ${l[i + 2]})`;
}

/** Fills RGBA `out` (w*h*4) from values in [0, 1] through a LUT. */
export function paint(values: ArrayLike<number>, l: Lut, out: Uint8ClampedArray): void {
  for (let i = 0; i < values.length; i++) {
    const k = Math.max(0, Math.min(255, Math.round(values[i]! * 255))) * 3;
    out[i * 4] = l[k]!;
    out[i * 4 + 1] = l[k + 1]!;
    out[i * 4 + 2] = l[k + 2]!;
    out[i * 4 + 3] = 255;
  }
}
