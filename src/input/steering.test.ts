import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACTION_MAX, ZERO_ACTION } from '../sim/contract';
import { LOOK_RAD_PER_PX, MAX_LOOK_STEPS, Steering } from './steering';

describe('steering', () => {
  it('maps held keys to full-scale action components', () => {
    const s = new Steering();
    expect(s.sample()).toEqual(ZERO_ACTION);
    expect(s.keyDown('KeyW')).toBe(true);
    expect(s.keyDown('ArrowLeft')).toBe(true);
    expect(s.keyDown('KeyZ')).toBe(false);
    expect(s.sample()).toEqual({ ...ZERO_ACTION, forward: ACTION_MAX.forward, yaw: ACTION_MAX.yaw });
    s.keyDown('KeyS'); // opposite keys cancel
    expect(s.sample().forward).toBe(0);
    s.releaseAll();
    expect(s.sample()).toEqual(ZERO_ACTION);
  });

  it('spreads a large mouse look over several steps, never beyond the per-step maximum', () => {
    const s = new Steering();
    const px = (3 * ACTION_MAX.yaw) / LOOK_RAD_PER_PX; // three steps' worth of turning right
    s.look(px, 0);
    const yaws = [s.sample().yaw, s.sample().yaw, s.sample().yaw, s.sample().yaw];
    expect(yaws[0]).toBeCloseTo(-ACTION_MAX.yaw, 12);
    expect(yaws[2]).toBeCloseTo(-ACTION_MAX.yaw, 12);
    expect(yaws[3]).toBeCloseTo(0, 12);
    s.look(NaN, 5); // ignored, not propagated
    expect(Number.isFinite(s.sample().pitch)).toBe(true);
  });

  it('adds the joystick and clamps the sum', () => {
    const s = new Steering();
    s.setJoystick(0.5, 1);
    s.keyDown('KeyW');
    const a = s.sample();
    expect(a.forward).toBe(ACTION_MAX.forward);
    expect(a.strafe).toBeCloseTo(0.5 * ACTION_MAX.strafe, 12);
  });
});

describe('look backlog', () => {
  it('a fling turns at most MAX_LOOK_STEPS steps beyond the first, then the camera rests', () => {
    const s = new Steering();
    s.look(-100_000, 0); // far more than anyone can turn in a second
    let steps = 0;
    while (s.sample().yaw !== 0) steps++;
    expect(steps).toBe(MAX_LOOK_STEPS);
  });
});

describe('gamepad', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads the standard mapping with a dead zone', () => {
    const buttons = Array.from({ length: 8 }, (_, i) => ({ value: i === 7 ? 1 : 0, pressed: i === 7, touched: false }));
    const pad = { connected: true, axes: [0.05, -1, 0.5, 0], buttons };
    vi.stubGlobal('navigator', { getGamepads: () => [null, pad] });
    const a = new Steering().sample();
    expect(a.strafe).toBe(0); // inside the dead zone
    expect(a.forward).toBe(ACTION_MAX.forward); // stick pushed up
    expect(a.yaw).toBeCloseTo(-0.5 * ACTION_MAX.yaw, 12); // right stick right turns right
    expect(a.vertical).toBe(ACTION_MAX.vertical); // right trigger rises
  });

  it('reads a pad that reports NaN (found by the e2e input storm) as centred, and values past 1 as full', () => {
    const buttons = Array.from({ length: 8 }, (_, i) => ({ value: i === 5 ? NaN : 0, pressed: false, touched: false }));
    const pad = { connected: true, axes: [NaN, -1.5, NaN, 0.4], buttons };
    vi.stubGlobal('navigator', { getGamepads: () => [pad] });
    const a = new Steering().sample();
    expect(a).toEqual({ forward: ACTION_MAX.forward, strafe: 0, vertical: 0, yaw: 0, pitch: expect.closeTo(-0.4 * ACTION_MAX.pitch, 12) });
  });
});
