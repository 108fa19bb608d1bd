import { describe, expect, it } from 'vitest';
import { URL_DEFAULTS, parseUrlState, serializeUrlState } from './urlState';

describe('URL state', () => {
  it('round-trips shareable state', () => {
    const s = {
      ...URL_DEFAULTS,
      world: 7,
      pose: { x: 1.5, y: 2, z: -3.25, yaw: 0.5, pitch: -0.1 },
      upscale: 'smooth' as const,
      model: 'teacher' as const,
      temperature: 0.8,
      topk: 3,
      seed: 42,
      anchor: 15,
      backend: 'wasm' as const,
      threads: 2,
      pipeline: false,
      atlas: 'off' as const,
      modelUrl: '/models/mine/',
      hide: ['atlas' as const, 'topk' as const],
      lock: ['decoding' as const],
      precision: 'float32' as const,
      views: ['chart' as const, 'memory' as const],
      guard: 'warn' as const,
      lesson: 'why-blur',
      present: true,
    };
    // every key away from its default, so a key the serializer forgets fails here
    const kept = (Object.keys(URL_DEFAULTS) as (keyof typeof s)[]).filter((k) => JSON.stringify(s[k]) === JSON.stringify(URL_DEFAULTS[k]));
    expect(kept).toEqual([]);
    const { state, errors } = parseUrlState(serializeUrlState(s));
    expect(errors).toEqual([]);
    expect(state).toEqual(s);
  });

  it('reads the atlas choice and refuses unknown ones', () => {
    expect(parseUrlState('?atlas=on').state.atlas).toBe('on');
    const bad = parseUrlState('?atlas=maybe');
    expect(bad.state.atlas).toBe('auto');
    expect(bad.errors[0]).toMatch(/atlas=maybe/);
  });

  it('omits defaults', () => {
    expect(serializeUrlState(URL_DEFAULTS)).toBe('');
    expect(parseUrlState('').state).toEqual(URL_DEFAULTS);
  });

  it('ignores each bad parameter with a message and keeps the good ones', () => {
    const { state, errors } = parseUrlState('?world=-3&pose=1,2,NaN,0,0&upscale=blurry');
    expect(state).toEqual(URL_DEFAULTS);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/world=-3/);
    expect(errors[1]).toMatch(/pose\.z must be a finite number/);
    const partial = parseUrlState('?world=12&pose=1,2,3');
    expect(partial.state.world).toBe(12);
    expect(partial.errors[0]).toMatch(/pose needs 5 values/);
    const model = parseUrlState('?model=gpt&temperature=-1&seed=1.5&anchor=3&backend=cuda');
    expect(model.errors).toHaveLength(4);
    expect(model.state.anchor).toBe(3);
    expect(model.state.model).toBe('student');
  });
  it('reads exercise flags and names a control it does not know', () => {
    expect(parseUrlState('?hide=temperature,seed&lock=model').state).toMatchObject({ hide: ['temperature', 'seed'], lock: ['model'] });
    const bad = parseUrlState('?hide=temperature,everything');
    expect(bad.state.hide).toEqual([]);
    expect(bad.errors[0]).toContain("unknown control 'everything'");
  });
});
