import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { insightChanges, subscribeInsight } from '../../store/insightHolder';

/**
 * A subscription that passes changes on at most `hz` times a second, and always the last one (a
 * trailing call), so a view that skips frames still ends on the newest.
 */
export function throttled(subscribe: (cb: () => void) => () => void, hz: number): (cb: () => void) => () => void {
  return (cb) => {
    let last = -Infinity;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = subscribe(() => {
      const wait = 1000 / hz - (performance.now() - last);
      if (wait <= 0) {
        last = performance.now();
        cb();
      } else if (timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          last = performance.now();
          cb();
        }, wait);
      }
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  };
}

/**
 * Re-renders when the insight holder changes, at most `hz` times a second: the numbers a panel
 * prints follow the model without every frame going through React state.
 */
export function useInsightTick(hz = 4): number {
  const subscribe = useMemo(() => throttled(subscribeInsight, hz), [hz]);
  return useSyncExternalStore(subscribe, insightChanges);
}

/** Calls draw once now and then on the animation frame after each change of the holder (or of `extra`). */
export function useHolderDraw(draw: () => void, extra: unknown[] = []): void {
  useEffect(() => {
    let raf = 0;
    const schedule = () => {
      if (!raf)
        raf = requestAnimationFrame(() => {
          raf = 0;
          draw();
        });
    };
    draw();
    const off = subscribeInsight(schedule);
    return () => {
      off();
      cancelAnimationFrame(raf);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, extra);
}
