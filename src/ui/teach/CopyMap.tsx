/**
 * Recall by copying, made visible: over the predicted frame's token grid, each token in the colour
 * of the kind of memory the student's copy gate gives it to most (cyan a true frame of this session,
 * magenta its own frame, amber the atlas) and as bright as the gate's share for copying; dark where
 * it generated. Beside it, how much of the frame each kind of slot supplied. Drawn from the
 * insight holder on animation frames, never through React state.
 */
import { useRef } from 'react';
import { type Insight, insightHolder } from '../../store/insightHolder';
import { MEMORY_COLOURS, type MemoryKind, memoryKind } from '../../viewport/miniMap';
import { useHolderDraw } from './useHolder';

const SIZE = 256;
const KINDS: MemoryKind[] = ['truth', 'own', 'atlas'];
const rgbOf = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const RGB = Object.fromEntries(KINDS.map((k) => [k, rgbOf(MEMORY_COLOURS[k])])) as Record<MemoryKind, number[]>;

/**
 * Per token: the kind of memory it copies from most (the gate's shares summed by kind, as the
 * caption's percentages are, so the colours and the numbers agree) and the gate's total share
 * for copying; and the frame's shares by kind.
 */
export function copyShares(n: Pick<Insight, 'copyGate' | 'slots'>, tokens: number) {
  const g = n.copyGate;
  if (!g || g.length % tokens !== 0) return null;
  const K = g.length / tokens; // 1 + slots
  const kinds = Array.from({ length: K - 1 }, (_, s) => (n.slots[s] ? memoryKind(n.slots[s]!) : null));
  const out = { kind: new Array<MemoryKind | null>(tokens), copy: new Float32Array(tokens), share: { truth: 0, own: 0, atlas: 0 } };
  for (let t = 0; t < tokens; t++) {
    const by = { truth: 0, own: 0, atlas: 0 };
    for (let s = 1; s < K; s++) {
      const k = kinds[s - 1];
      if (k) by[k] += g[t * K + s]!;
    }
    out.copy[t] = 1 - g[t * K]!;
    const best = KINDS.reduce((a, b) => (by[b] > by[a] ? b : a));
    out.kind[t] = by[best] > 0 ? best : null;
    for (const k of KINDS) out.share[k] += by[k] / tokens;
  }
  return out;
}

const pct = (x: number) => `${Math.round(100 * x)}%`;

export function CopyMap({ grid }: { grid: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const said = useRef<HTMLSpanElement>(null);
  useHolderDraw(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const n = insightHolder.now;
    const c = copyShares(n, grid * grid);
    ctx.fillStyle = '#111418';
    ctx.fillRect(0, 0, SIZE, SIZE);
    if (said.current)
      said.current.textContent = c
        ? `of this frame: ${pct(c.share.truth)} copied from true frames, ${pct(c.share.own)} from its own, ${pct(c.share.atlas)} from the atlas, ${pct(1 - c.share.truth - c.share.own - c.share.atlas)} generated`
        : n.tokens
          ? 'no copy gate for this frame (the teacher, an edit, or a model without a copy path)'
          : '';
    if (!c) return;
    const s = SIZE / grid;
    for (let t = 0; t < grid * grid; t++) {
      const k = c.kind[t];
      if (!k) continue;
      const [r, g, b] = RGB[k];
      const a = c.copy[t]!;
      ctx.fillStyle = `rgb(${Math.round(r! * a)},${Math.round(g! * a)},${Math.round(b! * a)})`;
      ctx.fillRect((t % grid) * s, Math.floor(t / grid) * s, s, s);
    }
  }, [grid]);
  return (
    <figure className="token-map copy-map">
      <canvas
        ref={ref}
        width={SIZE}
        height={SIZE}
        data-testid="map-copy"
        role="img"
        aria-label="where the model copies: each token in the colour of the remembered frame it copies, as bright as its copy gate; dark where it generated"
      />
      <figcaption>
        where it copies: each token in the colour of the memory it copies most (cyan: true frames, magenta: its own, amber: the atlas;
        brighter: surer), dark where it generated · <span data-testid="copy-share" ref={said} />
      </figcaption>
    </figure>
  );
}
