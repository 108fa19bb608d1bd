import { describe, expect, it } from 'vitest';
import { ACTION_KEYS, ACTION_MAX, POSE_KEYS, applyAction, isPoseValid } from './contract';
import { type Behaviour, generateEpisode } from './trajectory';
import { buildWorld } from './world';

const world = buildWorld(0);

describe('trajectories', () => {
  it('are deterministic per seed and differ across seeds', () => {
    const a = generateEpisode(world, 1, { length: 200 });
    expect(generateEpisode(world, 1, { length: 200 })).toEqual(a);
    expect(generateEpisode(world, 2, { length: 200 }).poses[50]).not.toEqual(a.poses[50]);
  });

  it('stay valid, within one step of motion, with actions that reproduce the poses', () => {
    for (const seed of [0, 1, 2, 3]) {
      const ep = generateEpisode(world, seed, { length: 300 });
      expect(ep.poses.length).toBe(300);
      expect(ep.actions.length).toBe(300);
      for (let t = 0; t < ep.poses.length; t++) {
        const p = ep.poses[t]!;
        expect(isPoseValid(p, world.obstacles)).toBe(true);
        for (const k of ACTION_KEYS) expect(Math.abs(ep.commands[t]![k])).toBeLessThanOrEqual(ACTION_MAX[k] + 1e-12);
        if (t + 1 < ep.poses.length) {
          const replay = applyAction(p, ep.commands[t]!, world.obstacles);
          for (const k of POSE_KEYS) expect(replay[k]).toBeCloseTo(ep.poses[t + 1]![k], 9);
        }
      }
      expect(ep.actions.at(-1)).toEqual({ forward: 0, strafe: 0, vertical: 0, yaw: 0, pitch: 0 });
    }
  });

  it('mix every behaviour and move like a person: forward, turning, looking, pausing', () => {
    const seen = new Set<Behaviour>();
    let forward = 0,
      turning = 0,
      looking = 0,
      still = 0,
      n = 0;
    for (let seed = 0; seed < 12; seed++) {
      const ep = generateEpisode(world, seed, { length: 256 });
      ep.behaviours.forEach((b) => seen.add(b));
      for (const a of ep.actions.slice(0, -1)) {
        n++;
        if (a.forward > 0.3 * ACTION_MAX.forward) forward++;
        if (Math.abs(a.yaw) > 0.3 * ACTION_MAX.yaw) turning++;
        if (Math.abs(a.pitch) > 0.3 * ACTION_MAX.pitch) looking++;
        if (ACTION_KEYS.every((k) => Math.abs(a[k]) < 0.02 * ACTION_MAX[k])) still++;
      }
    }
    expect([...seen].sort()).toEqual(['look', 'outback', 'pause', 'return', 'rise', 'spin', 'strafe', 'turn', 'walk']);
    expect(forward / n).toBeGreaterThan(0.2);
    expect(turning / n).toBeGreaterThan(0.1);
    expect(looking / n).toBeGreaterThan(0.03);
    expect(still / n).toBeGreaterThan(0.01);
  });

  it('return to places seen earlier', () => {
    let returns = 0;
    for (let seed = 0; seed < 12; seed++) {
      const { poses } = generateEpisode(world, seed, { length: 256 });
      // Some pose comes back within 2 m of one visited at least 40 steps before, after having left it (> 4 m).
      const back = poses.some((p, t) =>
        poses
          .slice(0, Math.max(0, t - 40))
          .some((q, s) => Math.hypot(p.x - q.x, p.z - q.z) < 2 && poses.slice(s, t).some((m) => Math.hypot(m.x - q.x, m.z - q.z) > 4)),
      );
      if (back) returns++;
    }
    expect(returns).toBeGreaterThanOrEqual(3);
  });

  it('rejects a bad length', () => {
    expect(() => generateEpisode(world, 0, { length: 0 })).toThrow(RangeError);
  });
});
