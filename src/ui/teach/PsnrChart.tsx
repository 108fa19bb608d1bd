/**
 * PSNR of every prediction against the truth over time, with the model's mean uncertainty on a
 * second axis and each anchor (a look at the truth) as a vertical line: in dream mode the error
 * compounds between anchors. uPlot draws it (made for streaming series); data go in a few times
 * a second straight from the insight holder.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { insightHolder, subscribeInsight } from '../../store/insightHolder';
import { throttled } from './useHolder';
import { useApp } from '../../store/store';

const HZ = 4;
/** frames shown: the last WINDOW (about 40 s at the step rate) */
const WINDOW = 600;

/** The plot's height comes from the stylesheet (--chart-h: taller in presentation mode and enlarged). */
const heightOf = (el: HTMLElement) => parseFloat(getComputedStyle(el).getPropertyValue('--chart-h')) || 170;

export function PsnrChart() {
  const ref = useRef<HTMLDivElement>(null);
  // axis text follows the page's type size, so the plot is made again when presentation mode changes it
  const present = useApp((s) => s.present);
  useEffect(() => {
    const el = ref.current!;
    const px = Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.86);
    const font = `${px}px system-ui, sans-serif`;
    const labelFont = `bold ${px}px system-ui, sans-serif`;
    const axis = { stroke: '#8b96a5', font, labelFont, labelSize: px + 8, size: px * 3 + 10 };
    const anchorLines: uPlot.Plugin = {
      hooks: {
        draw: (u) => {
          const { ctx } = u;
          const top = u.bbox.top;
          const bottom = u.bbox.top + u.bbox.height;
          ctx.save();
          ctx.strokeStyle = 'rgba(34, 211, 238, 0.85)';
          ctx.setLineDash([4, 3]);
          ctx.lineWidth = 1.5 * uPlot.pxRatio;
          for (const a of insightHolder.history.anchors) {
            const x = u.valToPos(a, 'x', true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, bottom);
            ctx.stroke();
          }
          ctx.restore();
        },
      },
    };
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: heightOf(el),
      plugins: [anchorLines],
      scales: { x: { time: false }, db: { range: [5, 40] }, nats: { range: [0, 5] } },
      axes: [
        { ...axis, grid: { stroke: '#2a323d' }, label: 'frame', size: px * 2 + 10 },
        { ...axis, scale: 'db', grid: { stroke: '#2a323d' }, label: 'PSNR dB' },
        { ...axis, scale: 'nats', side: 1, grid: { show: false }, label: 'entropy nats' },
      ],
      series: [
        { label: 'frame' },
        { label: 'PSNR vs truth (dB)', scale: 'db', stroke: '#ffd23f', width: 1.5, points: { show: false } },
        { label: 'mean uncertainty (nats)', scale: 'nats', stroke: '#e879f9', width: 1, points: { show: false } },
      ],
      legend: { live: false },
    };
    const h = insightHolder.history;
    const slice = (): uPlot.AlignedData => {
      const from = Math.max(0, h.frame.length - WINDOW);
      return [h.frame.slice(from), h.psnr.slice(from), h.entropy.slice(from).map((v) => (Number.isFinite(v) ? v : null))];
    };
    const plot = new uPlot(opts, slice(), el);
    let seen = h.version;
    const off = throttled(
      subscribeInsight,
      HZ,
    )(() => {
      if (h.version === seen) return;
      seen = h.version;
      plot.setData(slice());
    });
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height: heightOf(el) }));
    ro.observe(el);
    return () => {
      off();
      ro.disconnect();
      plot.destroy();
    };
  }, [present]);
  return (
    <figure className="psnr-chart">
      <div
        ref={ref}
        data-testid="psnr-chart"
        role="img"
        aria-label="PSNR of each prediction against the truth over time, with anchors as dashed lines"
      />
      <figcaption>
        Each prediction against the truth. Dashed lines: anchors, where the model is shown the truth again. In dream mode (anchor: never)
        the error compounds; re-anchoring resets it.
      </figcaption>
    </figure>
  );
}
