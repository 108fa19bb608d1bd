/**
 * Three maps over the predicted frame's 16 x 16 token grid: the tokens themselves (the frame,
 * gridded; pick a cell), the model's uncertainty per token (entropy of its distribution over the
 * 4,096 codes) and its error per pixel against the truth. Drawn from the insight holder on
 * animation frames, never through React state.
 */
import { type KeyboardEvent, useRef } from 'react';
import { insightHolder } from '../../store/insightHolder';
import { useApp } from '../../store/store';
import { INFERNO, VIRIDIS, cssColor, paint } from './colormap';
import { pixelError } from './errorMap';
import { useHolderDraw } from './useHolder';
import { rgbImage } from '../../viewport/rgbImage';

const SIZE = 256;
/** entropy colour scale, nats: fixed so frames compare (a token certain of its code: 0) */
export const ENTROPY_MAX = 4;
/** error colour scale: mean |RGB difference| */
export const ERROR_MAX = 96;

function drawGrid(ctx: CanvasRenderingContext2D, g: number, cell: number | null) {
  const s = SIZE / g;
  ctx.strokeStyle = 'rgba(255,255,255,0.22)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 1; i < g; i++) {
    ctx.moveTo(i * s + 0.5, 0);
    ctx.lineTo(i * s + 0.5, SIZE);
    ctx.moveTo(0, i * s + 0.5);
    ctx.lineTo(SIZE, i * s + 0.5);
  }
  ctx.stroke();
  if (cell !== null) {
    ctx.strokeStyle = '#ffd23f';
    ctx.lineWidth = 2;
    ctx.strokeRect((cell % g) * s + 1, Math.floor(cell / g) * s + 1, s - 2, s - 2);
  }
}

/** One small canvas and pixel buffer per picture size, reused frame after frame. */
const scratch = new Map<
  string,
  { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D; img: ImageData; values: Float32Array }
>();
function scratchOf(kind: string, w: number, h: number) {
  const key = `${kind}:${w}x${h}`;
  let s = scratch.get(key);
  if (!s) {
    const canvas = new OffscreenCanvas(w, h);
    s = { canvas, ctx: canvas.getContext('2d')!, img: new ImageData(w, h), values: new Float32Array(w * h) };
    scratch.set(key, s);
  }
  return s;
}

/** Draws the scratch picture scaled to the canvas, crisp. */
function blit(ctx: CanvasRenderingContext2D, s: ReturnType<typeof scratchOf>) {
  s.ctx.putImageData(s.img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(s.canvas, 0, 0, SIZE, SIZE);
}

type Kind = 'tokens' | 'confidence' | 'error';

function draw(kind: Kind, ctx: CanvasRenderingContext2D, g: number, cell: number | null) {
  const n = insightHolder.now;
  ctx.fillStyle = '#111418';
  ctx.fillRect(0, 0, SIZE, SIZE);
  const p = n.predicted;
  if (!p) return;
  if (kind === 'tokens') {
    const s = scratchOf(kind, p.width, p.height);
    rgbImage(p.data, p.width, p.height, s.img);
    blit(ctx, s);
  } else if (kind === 'confidence') {
    if (!n.entropy) return;
    const s = scratchOf(kind, g, g);
    for (let i = 0; i < g * g; i++) s.values[i] = n.entropy[i]! / ENTROPY_MAX;
    paint(s.values, INFERNO, s.img.data);
    blit(ctx, s);
  } else {
    if (!n.truth) return;
    const s = scratchOf(kind, p.width, p.height);
    const e = pixelError(p, n.truth);
    for (let i = 0; i < e.length; i++) s.values[i] = e[i]! / ERROR_MAX;
    paint(s.values, VIRIDIS, s.img.data);
    blit(ctx, s);
  }
  drawGrid(ctx, g, cell);
}

const LABEL: Record<Kind, string> = {
  tokens: 'predicted tokens: the frame cut into its 16 × 16 codes; pick one to inspect',
  confidence: 'uncertainty per token: entropy of the model’s distribution over its code (dark: sure)',
  error: 'error per pixel: |prediction − truth| (dark: right)',
};

export function TokenMap({ kind, grid }: { kind: Kind; grid: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const cell = useApp((s) => s.cell);
  useHolderDraw(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx) draw(kind, ctx, grid, useApp.getState().cell);
  }, [kind, grid]);
  // the selection redraws at once, not at the next frame
  const redraw = () => {
    const ctx = ref.current?.getContext('2d');
    if (ctx) draw(kind, ctx, grid, useApp.getState().cell);
  };
  const pick = (x: number, y: number) => {
    const r = ref.current!.getBoundingClientRect();
    const j = Math.min(grid - 1, Math.max(0, Math.floor(((x - r.left) / r.width) * grid)));
    const i = Math.min(grid - 1, Math.max(0, Math.floor(((y - r.top) / r.height) * grid)));
    if (useApp.getState().cell === i * grid + j) return;
    useApp.getState().setCell(i * grid + j);
    redraw();
  };
  const onKey = (e: KeyboardEvent) => {
    const c = cell ?? 0;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -grid, ArrowDown: grid };
    const d = moves[e.key];
    if (d === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    const next = c + d;
    if (next < 0 || next >= grid * grid || (Math.abs(d) === 1 && Math.floor(next / grid) !== Math.floor(c / grid))) return;
    useApp.getState().setCell(next);
    redraw();
  };
  return (
    <figure className="token-map">
      <canvas
        ref={ref}
        width={SIZE}
        height={SIZE}
        data-testid={`map-${kind}`}
        tabIndex={0}
        role="img"
        aria-label={`${LABEL[kind]}. Arrow keys move the selected cell.`}
        onPointerDown={(e) => pick(e.clientX, e.clientY)}
        onPointerMove={(e) => e.pointerType === 'mouse' && e.buttons === 0 && pick(e.clientX, e.clientY)}
        onKeyDown={onKey}
      />
      <figcaption>
        {LABEL[kind]}
        {kind !== 'tokens' && <Legend kind={kind} />}
      </figcaption>
    </figure>
  );
}

function Legend({ kind }: { kind: 'confidence' | 'error' }) {
  const lut = kind === 'confidence' ? INFERNO : VIRIDIS;
  const max = kind === 'confidence' ? `≥${ENTROPY_MAX} nats` : `≥${ERROR_MAX}`;
  const stops = Array.from({ length: 6 }, (_, i) => cssColor(lut, i / 5)).join(', ');
  return (
    <span className="legend">
      0 <span className="ramp" style={{ background: `linear-gradient(90deg, ${stops})` }} /> {max}
    </span>
  );
}
