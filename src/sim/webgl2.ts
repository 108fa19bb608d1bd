/** The browser's WebGL 2, which the world's renderer and the views need. */
export class UnsupportedBrowserError extends Error {
  override name = 'UnsupportedBrowserError';
}

/**
 * WebGL 2 on an on-page canvas, which the views need. Checked up front because a browser may
 * allow it on OffscreenCanvas and not on the page (Chromium's --disable-3d-apis does exactly that).
 */
export function assertWebGL2(): void {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2');
  if (!gl)
    throw new UnsupportedBrowserError('This browser cannot show the world: WebGL 2 is unavailable (disabled, blocked, or not supported).');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
}
