import { describe, expect, it } from 'vitest';
import {
  ACTION_KEYS,
  ACTION_MAX,
  BOUNDS,
  CAMERA_RADIUS,
  ContractError,
  type Pose,
  ZERO_ACTION,
  actionBetween,
  actionFromNormalized,
  applyAction,
  clampAction,
  clampPose,
  contractJson,
  isPoseValid,
  normalizeAction,
  poseFromArray,
  wrapAngle,
} from './contract';
import { createRng } from './rng';
import contractFile from '../../models/contract.json';

const P0: Pose = { x: 1, y: 1.7, z: -2, yaw: 0.3, pitch: -0.1 };

describe('pose / action contract', () => {
  it('moves forward along the heading: yaw 0 looks along -z', () => {
    const p = applyAction({ ...P0, yaw: 0 }, { ...ZERO_ACTION, forward: 0.2 });
    expect(p.x).toBeCloseTo(1, 12);
    expect(p.z).toBeCloseTo(-2.2, 12);
    const left = applyAction({ ...P0, yaw: Math.PI / 2 }, { ...ZERO_ACTION, forward: 0.2 });
    expect(left.x).toBeCloseTo(0.8, 12); // yaw +90 deg faces -x
    const right = applyAction({ ...P0, yaw: 0 }, { ...ZERO_ACTION, strafe: 0.1 });
    expect(right.x).toBeCloseTo(1.1, 12);
  });

  it('actionBetween inverts applyAction when nothing clamps (random round trips)', () => {
    const rng = createRng(7);
    for (let i = 0; i < 500; i++) {
      const pose: Pose = {
        x: rng.range(-20, 20),
        y: rng.range(1.5, 3),
        z: rng.range(-20, 20),
        yaw: rng.range(-3, 3),
        pitch: rng.range(-0.3, 0.2),
      };
      const a = Object.fromEntries(ACTION_KEYS.map((k) => [k, rng.range(-1, 1) * ACTION_MAX[k]])) as typeof ZERO_ACTION;
      const next = applyAction(pose, a);
      const back = actionBetween(pose, next);
      for (const k of ACTION_KEYS) expect(back[k]).toBeCloseTo(a[k], 9);
      const again = applyAction(pose, back);
      for (const k of ['x', 'y', 'z', 'yaw', 'pitch'] as const) expect(again[k]).toBeCloseTo(next[k], 9);
    }
  });

  it('clamps each action component to its maximum', () => {
    const a = clampAction({ forward: 5, strafe: -5, vertical: 1, yaw: -1, pitch: 0.01 });
    expect(a).toEqual({
      forward: ACTION_MAX.forward,
      strafe: -ACTION_MAX.strafe,
      vertical: ACTION_MAX.vertical,
      yaw: -ACTION_MAX.yaw,
      pitch: 0.01,
    });
  });

  it('rejects non-finite actions and poses instead of propagating them', () => {
    expect(() => applyAction(P0, { ...ZERO_ACTION, forward: NaN })).toThrow(ContractError);
    expect(() => applyAction(P0, { ...ZERO_ACTION, yaw: Infinity })).toThrow(/action.yaw/);
    expect(() => clampPose({ ...P0, y: NaN })).toThrow(/pose.y/);
    expect(() => poseFromArray([1, 2, 3])).toThrow(ContractError);
    expect(() => actionFromNormalized([0, 0, 0, 0])).toThrow(ContractError);
  });

  it('keeps the pose inside the bounds and pitch limits', () => {
    const p = clampPose({ x: 99, y: 99, z: -99, yaw: 7, pitch: 3 });
    expect(p).toEqual({ x: BOUNDS.halfExtent, y: BOUNDS.yMax, z: -BOUNDS.halfExtent, yaw: wrapAngle(7), pitch: BOUNDS.pitchMax });
    let q: Pose = { ...P0 };
    for (let i = 0; i < 400; i++) q = applyAction(q, { forward: 1, strafe: 0, vertical: -1, yaw: 0, pitch: -1 });
    expect(q.y).toBe(BOUNDS.yMin);
    expect(q.pitch).toBe(BOUNDS.pitchMin);
    expect(Math.abs(q.x)).toBeLessThanOrEqual(BOUNDS.halfExtent);
    expect(Math.abs(q.z)).toBeLessThanOrEqual(BOUNDS.halfExtent);
  });

  it('never lets the camera into an obstacle, even walking straight at it', () => {
    const obstacles = [{ x: 0, z: -5, radius: 1.5 }];
    let p: Pose = { x: 0.05, y: 1.7, z: 0, yaw: 0, pitch: 0 };
    for (let i = 0; i < 60; i++) {
      p = applyAction(p, { ...ZERO_ACTION, forward: ACTION_MAX.forward }, obstacles);
      expect(Math.hypot(p.x - 0, p.z + 5)).toBeGreaterThanOrEqual(1.5 + CAMERA_RADIUS - 1e-9);
    }
    expect(isPoseValid(p, obstacles)).toBe(true);
    expect(isPoseValid({ ...p, z: -5 }, obstacles)).toBe(false);
  });

  it('wraps angles to (-pi, pi]', () => {
    expect(wrapAngle(Math.PI)).toBeCloseTo(Math.PI, 12);
    expect(wrapAngle(-Math.PI)).toBeCloseTo(Math.PI, 12);
    expect(wrapAngle(3 * Math.PI + 0.5)).toBeCloseTo(-Math.PI + 0.5, 12);
    const d = actionBetween({ ...P0, yaw: 3.1 }, { ...P0, yaw: -3.1 });
    expect(d.yaw).toBeCloseTo(2 * Math.PI - 6.2, 12);
  });

  it('normalizes actions to [-1, 1] and back', () => {
    const n = normalizeAction({ forward: 1, strafe: -ACTION_MAX.strafe / 2, vertical: 0, yaw: ACTION_MAX.yaw, pitch: -9 });
    expect(Array.from(n)).toEqual([1, -0.5, 0, 1, -1]);
    expect(actionFromNormalized(n)).toEqual({
      forward: ACTION_MAX.forward,
      strafe: -ACTION_MAX.strafe / 2,
      vertical: 0,
      yaw: ACTION_MAX.yaw,
      pitch: -ACTION_MAX.pitch,
    });
  });

  it('models/contract.json matches this module (run `npm run contract` after changing it)', () => {
    expect(contractFile).toEqual(JSON.parse(JSON.stringify(contractJson())));
  });
});
