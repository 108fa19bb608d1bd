import { useEffect } from 'react';
import { type AppState, useApp } from '../store/store';
import { type UrlState, serializeUrlState } from '../store/urlState';
import { VIEW_NAMES } from '../store/views';

const urlOf = (s: AppState): UrlState => ({
  world: s.worldSeed,
  upscale: s.upscale,
  pose: s.pose,
  model: s.model,
  temperature: s.temperature,
  topk: s.topk,
  seed: s.seed,
  anchor: s.anchor,
  backend: s.backendChoice,
  threads: s.threads,
  pipeline: s.pipeline,
  precision: s.precision,
  atlas: s.atlas,
  modelUrl: s.source.kind === 'url' ? s.source.url : null,
  views: VIEW_NAMES.filter((v) => s.views[v]),
  guard: s.driftGuard,
  lesson: s.lesson,
  hide: s.hidden,
  lock: s.locked,
  present: s.present,
});

/** Mirrors shareable state into the URL (replaceState, at most every 500 ms: no history spam while steering). */
export function useUrlSync(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsub = useApp.subscribe((s, prev) => {
      const a = urlOf(s);
      const b = urlOf(prev);
      if ((Object.keys(a) as (keyof UrlState)[]).every((k) => (Array.isArray(a[k]) ? String(a[k]) === String(b[k]) : a[k] === b[k])))
        return;
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        const q = serializeUrlState(urlOf(useApp.getState()));
        if (q !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${q}${window.location.hash}`);
      }, 500);
    });
    return () => {
      clearTimeout(timer);
      unsub();
    };
  }, []);
}
