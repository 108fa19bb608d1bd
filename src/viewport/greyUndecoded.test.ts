import { describe, expect, it } from 'vitest';
import { UNDECODED_GREY, greyUndecoded } from './greyUndecoded';

describe('greyUndecoded', () => {
  it('fades the patches from the first undecoded token on, in raster order, and keeps the rest', () => {
    // 4 x 4 pixels, a 2 x 2 token grid: token 0 is the top-left 2 x 2 patch.
    const rgb = new Uint8Array(4 * 4 * 3).fill(200);
    const out = greyUndecoded(rgb, 4, 4, 2, 1);
    const px = (x: number, y: number) => out[(y * 4 + x) * 3]!;
    expect(px(0, 0)).toBe(200);
    expect(px(1, 1)).toBe(200);
    const faded = Math.round(0.25 * 200 + 0.75 * UNDECODED_GREY);
    expect([px(2, 0), px(3, 1), px(0, 2), px(3, 3)]).toEqual([faded, faded, faded, faded]);
    expect(rgb[(0 * 4 + 2) * 3]).toBe(200); // the input is not touched
    expect(greyUndecoded(rgb, 4, 4, 2, 4)).toEqual(rgb);
  });
});
