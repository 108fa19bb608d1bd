/**
 * One recorded frame: the truth and the prediction side by side, each SCALE x, with a HUD line
 * under them (frame, model, PSNR, uncertainty), drawn on a 2D canvas the encoders read.
 */
import type { Frame } from '../sim/frame';
import { rgbImage } from '../viewport/rgbImage';

export interface HudLine {
  frame: number;
  model: string;
  psnr: number;
  entropy: number | null;
  lost: boolean;
}

const GAP = 8;
const HUD = 28;

export function composeSize(frameW: number, frameH: number, scale: number): { width: number; height: number } {
  // even sizes: video encoders want them
  const even = (v: number) => v + (v % 2);
  return { width: even(frameW * scale * 2 + GAP), height: even(frameH * scale + HUD) };
}

export class Composer {
  readonly canvas: OffscreenCanvas;
  private ctx: OffscreenCanvasRenderingContext2D;
  private tile: OffscreenCanvas;
  private tileCtx: OffscreenCanvasRenderingContext2D;
  private tileImg: ImageData;

  constructor(
    private frameW: number,
    private frameH: number,
    private scale: number,
  ) {
    const { width, height } = composeSize(frameW, frameH, scale);
    this.canvas = new OffscreenCanvas(width, height);
    this.ctx = this.canvas.getContext('2d')!;
    this.tile = new OffscreenCanvas(frameW, frameH);
    this.tileCtx = this.tile.getContext('2d')!;
    this.tileImg = new ImageData(frameW, frameH);
  }

  draw(truth: Frame, pred: Frame, hud: HudLine): void {
    const { ctx, scale } = this;
    const w = this.frameW * scale;
    const h = this.frameH * scale;
    ctx.fillStyle = '#0f1216';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.imageSmoothingEnabled = false;
    for (const [f, x] of [
      [truth, 0],
      [pred, w + GAP],
    ] as const) {
      this.tileCtx.putImageData(rgbImage(f.data, f.width, f.height, this.tileImg), 0, 0);
      ctx.drawImage(this.tile, x, 0, w, h);
    }
    ctx.fillStyle = '#e6e9ee';
    ctx.font = `${Math.round(11 * Math.max(1, scale / 1.5))}px sans-serif`;
    ctx.textBaseline = 'middle';
    const y = h + HUD / 2;
    ctx.fillText('truth', 4, y);
    const ps = Number.isFinite(hud.psnr) ? `${hud.psnr.toFixed(1)} dB` : '∞ dB';
    const en = hud.entropy === null || !Number.isFinite(hud.entropy) ? '' : ` · uncertainty ${hud.entropy.toFixed(2)} nats`;
    ctx.fillText(`${hud.model} · frame ${hud.frame} · PSNR ${ps}${en}${hud.lost ? ' · LOST' : ''}`, w + GAP + 4, y);
  }
}
