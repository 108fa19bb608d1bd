import { describe, expect, it } from 'vitest';
import { useApp } from './store';
import { applyUrl, urlOf } from './urlBinding';
import { URL_DEFAULTS, type UrlState } from './urlState';

describe('the URL and the store', () => {
  it('apply then read gives back every key (but the pose, which the world starts at)', () => {
    const u: UrlState = {
      ...URL_DEFAULTS,
      world: 7,
      upscale: 'smooth',
      model: 'teacher',
      temperature: 0.8,
      topk: 3,
      seed: 42,
      anchor: 15,
      backend: 'wasm',
      threads: 2,
      pipeline: false,
      precision: 'float32',
      atlas: 'off',
      modelUrl: '/models/mine/',
      views: ['chart', 'memory'],
      guard: 'warn',
      lesson: 'why-blur',
      hide: ['atlas', 'topk'],
      lock: ['decoding'],
      present: true,
    };
    // every key but the pose away from its default, so a key one direction forgets fails here
    const unchanged = (Object.keys(URL_DEFAULTS) as (keyof UrlState)[]).filter(
      (k) => k !== 'pose' && JSON.stringify(u[k]) === JSON.stringify(URL_DEFAULTS[k]),
    );
    expect(unchanged).toEqual([]);
    applyUrl(u);
    expect(urlOf(useApp.getState())).toEqual({ ...u, pose: useApp.getState().pose });
    // views the URL does not list are switched off
    applyUrl({ ...u, views: ['memory'] });
    expect(urlOf(useApp.getState()).views).toEqual(['memory']);
  });
});
