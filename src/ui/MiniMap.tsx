import { useEffect, useRef } from 'react';
import type { StepLoop } from '../session/stepLoop';
import { useApp } from '../store/store';
import { drawMiniMap } from '../viewport/miniMap';

export function MiniMap({ loop }: { loop: StepLoop | null }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || !loop) return;
    // Redraw on pose changes through a store subscription, not React renders.
    const draw = () => drawMiniMap(ctx, loop.world, loop.trail, useApp.getState().pose);
    draw();
    return useApp.subscribe((s, prev) => {
      if (s.pose !== prev.pose || s.worldSeed !== prev.worldSeed) draw();
    });
  }, [loop]);
  return (
    <section className="panel minimap" aria-label="Map">
      <h3>Map <span className="subtitle">top view, trail of the last 40 s</span></h3>
      <canvas ref={ref} width={240} height={240} data-testid="minimap" />
    </section>
  );
}
