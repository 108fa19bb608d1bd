import { useEffect, useState } from 'react';
import { insightHolder } from '../../store/insightHolder';

/**
 * Re-renders at most `hz` times a second while the insight holder has news: the numbers a panel
 * prints follow the model without every frame going through React.
 */
export function useInsightTick(hz = 4): number {
  const [v, setV] = useState(insightHolder.now.version);
  useEffect(() => {
    const id = setInterval(() => {
      if (insightHolder.now.version !== v) setV(insightHolder.now.version);
    }, 1000 / hz);
    return () => clearInterval(id);
  }, [v, hz]);
  return v;
}

/** Calls draw on every animation frame where the holder (or `extra`) changed. */
export function useHolderDraw(draw: () => void, extra: unknown[] = []): void {
  useEffect(() => {
    let seen = -1;
    let raf = 0;
    const tick = () => {
      raf = requestAnimationFrame(tick);
      if (insightHolder.now.version === seen) return;
      seen = insightHolder.now.version;
      draw();
    };
    tick();
    return () => cancelAnimationFrame(raf);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, extra);
}
