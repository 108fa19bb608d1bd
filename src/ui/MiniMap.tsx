import { useEffect, useRef } from 'react';
import type { StepLoop } from '../session/stepLoop';
import { useApp } from '../store/store';
import { MEMORY_COLOURS, drawMiniMap, memoryKind } from '../viewport/miniMap';

export function MiniMap({ loop }: { loop: StepLoop | null }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || !loop) return;
    // Redraw on pose changes through a store subscription, not React renders.
    const draw = () => {
      const s = useApp.getState();
      const slots = s.model === 'off' ? [] : (s.hud.stats?.slots ?? []);
      drawMiniMap(
        ctx,
        loop.world,
        loop.trail,
        s.pose,
        slots.map((m) => ({ pose: m.pose, kind: memoryKind(m) })),
      );
    };
    draw();
    return useApp.subscribe((s, prev) => {
      if (s.pose !== prev.pose || s.worldSeed !== prev.worldSeed || s.hud.stats !== prev.hud.stats) draw();
    });
  }, [loop]);
  return (
    <section className="panel minimap" aria-label="Map">
      <h3>
        Map <span className="subtitle">top view, trail of the last 40 s; ticks: the remembered frames the model used</span>
      </h3>
      <canvas ref={ref} width={240} height={240} data-testid="minimap" />
      <ul className="memory-legend" data-testid="memory-legend">
        <li>
          <span style={{ background: MEMORY_COLOURS.truth }} /> truth this session saw
        </li>
        <li>
          <span style={{ background: MEMORY_COLOURS.own }} /> its own frames
        </li>
        <li>
          <span style={{ background: MEMORY_COLOURS.atlas }} /> atlas: the world it learned
        </li>
      </ul>
    </section>
  );
}
