/**
 * Where each URL property lives in the app's state, written once for both directions: `read`
 * gives the URL's value from the store (the URL sync), `apply` puts a parsed URL's value into the
 * store (the page's start). urlState.ts parses and writes the URL itself; a test applies a state
 * and reads it back, so the two directions cannot drift apart.
 */
import { type AppState, useApp } from './store';
import type { UrlState } from './urlState';
import { VIEW_NAMES } from './views';

type Binding<K extends keyof UrlState> = {
  read: (s: AppState) => UrlState[K];
  /** absent: the value is not store state (the pose: the world starts there) */
  apply?: (v: UrlState[K], s: AppState) => void;
};

const setState = (p: Partial<AppState>) => useApp.setState(p);

export const URL_BINDINGS: { [K in keyof UrlState]: Binding<K> } = {
  // first: a model from a URL is the model the other settings are for
  modelUrl: {
    read: (s) => (s.source.kind === 'url' ? s.source.url : null),
    apply: (v, s) => v && s.setSource({ kind: 'url', url: v }),
  },
  world: { read: (s) => s.worldSeed, apply: (v, s) => s.setWorldSeed(v) },
  pose: { read: (s) => s.pose },
  upscale: { read: (s) => s.upscale, apply: (v, s) => s.setUpscale(v) },
  model: { read: (s) => s.model, apply: (v, s) => s.setModel(v) },
  temperature: { read: (s) => s.temperature, apply: (v, s) => s.setSampling({ temperature: v }) },
  topk: { read: (s) => s.topk, apply: (v, s) => s.setSampling({ topk: v }) },
  seed: { read: (s) => s.seed, apply: (v, s) => s.setSampling({ seed: v }) },
  anchor: { read: (s) => s.anchor, apply: (v, s) => s.setAnchor(v) },
  backend: { read: (s) => s.backendChoice, apply: (v, s) => s.patchModel({ backendChoice: v }) },
  threads: { read: (s) => s.threads, apply: (v, s) => s.patchModel({ threads: v }) },
  pipeline: { read: (s) => s.pipeline, apply: (v, s) => s.patchModel({ pipeline: v }) },
  precision: { read: (s) => s.precision, apply: (v, s) => s.patchModel({ precision: v }) },
  atlas: { read: (s) => s.atlas, apply: (v, s) => s.setAtlas(v) },
  views: {
    read: (s) => VIEW_NAMES.filter((v) => s.views[v]),
    apply: (v, s) => s.setViews(Object.fromEntries(VIEW_NAMES.map((n) => [n, v.includes(n)]))),
  },
  guard: { read: (s) => s.driftGuard, apply: (v, s) => s.setDriftGuard(v) },
  lesson: { read: (s) => s.lesson, apply: (v, s) => s.setLesson(v) },
  hide: { read: (s) => s.hidden, apply: (v) => setState({ hidden: v }) },
  lock: { read: (s) => s.locked, apply: (v) => setState({ locked: v }) },
  present: { read: (s) => s.present, apply: (v) => setState({ present: v }) },
};

const KEYS = Object.keys(URL_BINDINGS) as (keyof UrlState)[];

/** The store's shareable state, as the URL holds it. */
export function urlOf(s: AppState): UrlState {
  return Object.fromEntries(KEYS.map((k) => [k, URL_BINDINGS[k].read(s)])) as unknown as UrlState;
}

/** Puts a parsed URL's state into the store (every key but the pose). */
export function applyUrl(u: UrlState): void {
  for (const k of KEYS) (URL_BINDINGS[k].apply as ((v: unknown, s: AppState) => void) | undefined)?.(u[k], useApp.getState());
}
