/** RGB bytes (a Frame's layout) as RGBA ImageData for a 2D canvas; `out` is reused when given. */
export function rgbImage(rgb: ArrayLike<number>, width: number, height: number, out = new ImageData(width, height)): ImageData {
  const d = out.data;
  for (let i = 0, n = width * height; i < n; i++) {
    d[i * 4] = rgb[i * 3]!;
    d[i * 4 + 1] = rgb[i * 3 + 1]!;
    d[i * 4 + 2] = rgb[i * 3 + 2]!;
    d[i * 4 + 3] = 255;
  }
  return out;
}
