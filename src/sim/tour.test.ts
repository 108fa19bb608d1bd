import { describe, expect, it } from 'vitest';
import { ACTION_MAX } from './contract';
import { generateTourEpisode, tourWaypoints } from './tour';
import { buildWorld } from './world';

describe('the designed tour', () => {
  it('visits every waypoint in legal steps, deterministically', () => {
    const world = buildWorld(0);
    const ep = generateTourEpisode(world);
    expect(ep.poses.length).toBeGreaterThan(200);
    expect(ep.actions).toHaveLength(ep.poses.length);
    for (const [x, z] of tourWaypoints(world)) expect(Math.min(...ep.poses.map((p) => Math.hypot(p.x - x, p.z - z)))).toBeLessThan(1.5);
    // what it asks for is a person's steering (collisions may push the effective step a little further)
    for (const a of ep.commands) expect(Math.abs(a.forward)).toBeLessThanOrEqual(ACTION_MAX.forward + 1e-9);
    expect(generateTourEpisode(world)).toEqual(ep);
  });
});
