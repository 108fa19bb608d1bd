import { useEffect } from 'react';
import { useApp } from '../store/store';
import { urlOf } from '../store/urlBinding';
import { type UrlState, serializeUrlState } from '../store/urlState';

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
