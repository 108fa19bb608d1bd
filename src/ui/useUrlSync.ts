import { useEffect } from 'react';
import { useApp } from '../store/store';
import { serializeUrlState } from '../store/urlState';

/** Mirrors shareable state into the URL (replaceState, at most every 500 ms: no history spam while steering). */
export function useUrlSync(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsub = useApp.subscribe((s, prev) => {
      if (s.worldSeed === prev.worldSeed && s.upscale === prev.upscale && s.pose === prev.pose) return;
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        const { worldSeed, upscale, pose } = useApp.getState();
        const q = serializeUrlState({ world: worldSeed, upscale, pose });
        if (q !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${q}${window.location.hash}`);
      }, 500);
    });
    return () => {
      clearTimeout(timer);
      unsub();
    };
  }, []);
}
