/**
 * Pictures of the atlas frames the memory strip shows. The worker decodes an atlas frame on the
 * first request; its THUMB x THUMB copy is kept here by frame index (pixels stay out of React
 * state), for one model at a time: another model (another key) starts the cache afresh.
 */
import { thumbnail } from './insightHolder';

export interface AtlasSource {
  /** the loaded model: another key clears the pictures */
  key: string;
  width: number;
  height: number;
  frame(index: number): Promise<Uint8Array>;
}

/** at most this many pictures (the atlas holds thousands; a session shows a few hundred) */
const KEEP = 512;
const kept = new Map<number, Uint8Array>();
const asked = new Set<number>();
let keyNow = '';
let version = 0;
const listeners = new Set<() => void>();

export const atlasThumbsVersion = (): number => version;

export function subscribeAtlasThumbs(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The picture of atlas frame `index`, or undefined while it is on its way (or could not be decoded). */
export function atlasThumb(index: number, source: AtlasSource): Uint8Array | undefined {
  if (source.key !== keyNow) {
    kept.clear();
    asked.clear();
    keyNow = source.key;
  }
  const t = kept.get(index);
  if (t || asked.has(index)) return t;
  asked.add(index);
  const key = source.key;
  source.frame(index).then(
    (data) => {
      if (key !== keyNow) return;
      kept.set(index, thumbnail({ data, width: source.width, height: source.height }));
      while (kept.size > KEEP) kept.delete(kept.keys().next().value!);
      version++;
      for (const l of listeners) l();
    },
    // no picture, the labelled tile stays; the engine's own error reporting covers a broken worker
    () => undefined,
  );
  return undefined;
}
