/**
 * The designed tour (evaluation, not training): one long walk that covers the courtyard, a
 * serpentine through three rows of it with a look all the way round at the start and at the end, at walking speed, steered the way a person would (face the next waypoint, walk
 * when roughly facing it; obstacles slide the camera round). Deterministic per world.
 */
import { ACTION_MAX, type Action, type Pose, ZERO_ACTION, actionBetween, applyAction, wrapAngle } from './contract';
import type { Episode } from './trajectory';
import type { World } from './world';

/** Bumped when the tour changes. */
export const TOUR_VERSION = 1;
/** Waypoints (x, z) in metres, visited in order; the walkable square is +-30 m. */
export const TOUR_WAYPOINTS: readonly [number, number][] = [
  [-15, -15],
  [15, -15],
  [15, 0],
  [-15, 0],
  [-15, 15],
  [15, 15],
];
/** Where the tour stops to look all the way round (indices into TOUR_WAYPOINTS). */
const LOOK_AROUND = new Set([0, 5]);
const REACHED_M = 1;
/** a waypoint inside an object moves out to this far beyond its radius */
const CLEARANCE_M = 1;

/** The world's waypoints: TOUR_WAYPOINTS, each moved out of any object it falls in. */
export function tourWaypoints(world: World): [number, number][] {
  return TOUR_WAYPOINTS.map(([x, z]) => {
    for (const o of world.obstacles) {
      const d = Math.hypot(x - o.x, z - o.z);
      const r = o.radius + CLEARANCE_M;
      if (d < r) {
        const [ux, uz] = d > 1e-6 ? [(x - o.x) / d, (z - o.z) / d] : [1, 0];
        [x, z] = [o.x + ux * r, o.z + uz * r];
      }
    }
    return [x, z];
  });
}

function towards(pose: Pose, x: number, z: number): Action {
  const dx = x - pose.x;
  const dz = z - pose.z;
  const dyaw = wrapAngle(Math.atan2(-dx, -dz) - pose.yaw);
  return {
    ...ZERO_ACTION,
    yaw: Math.max(-ACTION_MAX.yaw, Math.min(ACTION_MAX.yaw, dyaw * 0.6)),
    forward: Math.abs(dyaw) < 0.5 ? ACTION_MAX.forward * Math.min(1, Math.hypot(dx, dz) / 2) : 0,
    pitch: Math.max(-ACTION_MAX.pitch, Math.min(ACTION_MAX.pitch, -pose.pitch * 0.2)),
  };
}

/** The tour from its first waypoint, looking along the first leg; `maxLength` frames at most. */
export function generateTourEpisode(world: World, maxLength = 2000): Episode {
  const waypoints = tourWaypoints(world);
  const [[x0, z0], [x1, z1]] = waypoints as [[number, number], [number, number]];
  const start = { x: x0, y: 1.7, z: z0, yaw: Math.atan2(-(x1 - x0), -(z1 - z0)), pitch: 0 };
  const poses: Pose[] = [applyAction(start, ZERO_ACTION, world.obstacles)];
  const plan: Action[] = [];
  const step = (a: Action) => {
    plan.push(a);
    poses.push(applyAction(poses.at(-1)!, a, world.obstacles));
  };
  const fullTurn = Math.ceil((2 * Math.PI) / ACTION_MAX.yaw);
  for (const [i, [x, z]] of waypoints.entries()) {
    // a leg gives up after twice its straight length (an obstacle it cannot slide round)
    const budget = (2 * Math.hypot(x - poses.at(-1)!.x, z - poses.at(-1)!.z)) / ACTION_MAX.forward + 60;
    for (let k = 0; k < budget && Math.hypot(x - poses.at(-1)!.x, z - poses.at(-1)!.z) > REACHED_M; k++) step(towards(poses.at(-1)!, x, z));
    if (LOOK_AROUND.has(i)) for (let k = 0; k < fullTurn; k++) step({ ...ZERO_ACTION, yaw: (2 * Math.PI) / fullTurn });
    if (poses.length >= maxLength) break;
  }
  poses.length = Math.min(poses.length, maxLength);
  const commands = [...plan.slice(0, poses.length - 1), { ...ZERO_ACTION }];
  const actions = poses.map((p, i) => (i + 1 < poses.length ? actionBetween(p, poses[i + 1]!) : { ...ZERO_ACTION }));
  return { poses, commands, actions, behaviours: commands.map(() => 'walk') };
}
