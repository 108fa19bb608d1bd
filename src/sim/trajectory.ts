/**
 * Seeded trajectories that look like a person steering: a small state machine of behaviours
 * (walk, turn on the spot, look up/down, strafe, pause, rise/sink, return to a place seen
 * earlier) whose target actions pass through a low-pass filter, as keys and sticks ramp up.
 * Pure and deterministic per (world, seed), so the generator can resume any episode.
 */
import {
  ACTION_MAX, BOUNDS, type Action, type Pose, ZERO_ACTION,
  actionBetween, applyAction, clampAction, headingVectors, wrapAngle,
} from './contract';
import { createRng, mixSeed, type Rng } from './rng';
import { type World, randomPose } from './world';

export type Behaviour = 'walk' | 'turn' | 'look' | 'strafe' | 'pause' | 'rise' | 'return';

export interface Episode {
  poses: Pose[];
  /** commands[t] is what the driver asked for at step t (clamped to ACTION_MAX) */
  commands: Action[];
  /** actions[t] is the effective pose change from poses[t] to poses[t+1] (after collisions); the last is zero */
  actions: Action[];
  behaviours: Behaviour[];
}

const WEIGHTS: [Behaviour, number][] = [
  ['walk', 0.34], ['turn', 0.14], ['look', 0.16], ['strafe', 0.1], ['pause', 0.06], ['rise', 0.06], ['return', 0.14],
];

function pickBehaviour(rng: Rng, canReturn: boolean): Behaviour {
  const options = WEIGHTS.filter(([b]) => canReturn || b !== 'return');
  const total = options.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [b, w] of options) {
    if ((r -= w) < 0) return b;
  }
  return 'walk';
}

/** Would walking `dist` metres ahead leave the courtyard or hit an obstacle? */
function blockedAhead(world: World, p: Pose, dist: number): boolean {
  const { fx, fz } = headingVectors(p.yaw);
  const x = p.x + fx * dist;
  const z = p.z + fz * dist;
  if (Math.abs(x) > BOUNDS.halfExtent - 0.5 || Math.abs(z) > BOUNDS.halfExtent - 0.5) return true;
  return world.obstacles.some((o) => Math.hypot(o.x - x, o.z - z) < o.radius + 0.9);
}

interface Plan {
  behaviour: Behaviour;
  stepsLeft: number;
  target: Action;
  goal?: { x: number; z: number };
  /** pitch targets visited in turn by 'look' */
  pitchGoals?: number[];
}

function planFor(b: Behaviour, rng: Rng, history: Pose[], pose: Pose): Plan {
  const sign = (): number => (rng.chance(0.5) ? 1 : -1);
  const m = ACTION_MAX;
  const plan: Plan = { behaviour: b, stepsLeft: rng.int(8, 40), target: { ...ZERO_ACTION } };
  switch (b) {
    case 'walk':
      plan.target = { ...ZERO_ACTION, forward: m.forward * rng.range(0.4, 1), yaw: m.yaw * rng.normal() * 0.15 };
      plan.stepsLeft = rng.int(15, 60);
      break;
    case 'turn':
      plan.target = { ...ZERO_ACTION, yaw: sign() * m.yaw * rng.range(0.5, 1), forward: rng.chance(0.3) ? m.forward * 0.2 : 0 };
      break;
    case 'look':
      plan.pitchGoals = Array.from({ length: rng.int(1, 3) }, () => rng.range(BOUNDS.pitchMin * 0.9, BOUNDS.pitchMax * 0.9));
      plan.target = { ...ZERO_ACTION, yaw: rng.chance(0.5) ? m.yaw * rng.normal() * 0.3 : 0 };
      plan.stepsLeft = rng.int(15, 45);
      break;
    case 'strafe':
      plan.target = { ...ZERO_ACTION, strafe: sign() * m.strafe * rng.range(0.5, 1), forward: m.forward * rng.range(-0.2, 0.4) };
      break;
    case 'pause':
      plan.stepsLeft = rng.int(4, 20);
      break;
    case 'rise': {
      const up = pose.y < (BOUNDS.yMin + BOUNDS.yMax) / 2 ? 1 : -1;
      plan.target = { ...ZERO_ACTION, vertical: up * m.vertical * rng.range(0.5, 1), forward: m.forward * rng.range(0, 0.6) };
      plan.stepsLeft = rng.int(6, 24);
      break;
    }
    case 'return': {
      const earlier = history[rng.int(0, Math.max(0, history.length - 30))] as Pose;
      plan.goal = { x: earlier.x, z: earlier.z };
      plan.stepsLeft = rng.int(40, 120);
      break;
    }
  }
  return plan;
}

/** The action a plan asks for at this pose (before smoothing). */
function command(plan: Plan, pose: Pose): Action {
  const m = ACTION_MAX;
  if (plan.behaviour === 'look' && plan.pitchGoals?.length) {
    let dp = (plan.pitchGoals[0] as number) - pose.pitch;
    if (Math.abs(dp) < 0.02 && plan.pitchGoals.length > 1) {
      plan.pitchGoals.shift();
      dp = (plan.pitchGoals[0] as number) - pose.pitch;
    }
    // Full speed until close, then ease in: a person tilting the view to look at something.
    return { ...plan.target, pitch: Math.max(-m.pitch, Math.min(m.pitch, dp * 0.8)) };
  }
  if (plan.behaviour === 'return' && plan.goal) {
    const dx = plan.goal.x - pose.x;
    const dz = plan.goal.z - pose.z;
    const want = Math.atan2(-dx, -dz); // yaw that faces the goal
    const dyaw = wrapAngle(want - pose.yaw);
    const facing = Math.abs(dyaw) < 0.6;
    return {
      ...ZERO_ACTION,
      yaw: Math.max(-m.yaw, Math.min(m.yaw, dyaw * 0.6)),
      forward: facing ? m.forward * Math.min(1, Math.hypot(dx, dz) / 3) : 0,
      // Drift the gaze back towards level while travelling.
      pitch: Math.max(-m.pitch, Math.min(m.pitch, -pose.pitch * 0.2)),
    };
  }
  return plan.target;
}

export interface EpisodeOptions {
  length: number;
  /** start pose; defaults to a seeded random valid pose */
  start?: Pose;
}

/** One episode of `length` frames, deterministic in (world, seed). */
export function generateEpisode(world: World, seed: number, opts: EpisodeOptions): Episode {
  if (!Number.isInteger(opts.length) || opts.length < 1) throw new RangeError(`episode length must be a positive integer, got ${opts.length}`);
  const rng = createRng(mixSeed(world.seed, seed, 0x7a1));
  // Some drivers tap keys (sharp), some use sticks (smooth): one smoothing constant per episode.
  const smoothing = rng.range(0.25, 0.9);
  let pose = opts.start ?? randomPose(world, rng);
  const poses: Pose[] = [pose];
  const commands: Action[] = [];
  const behaviours: Behaviour[] = [];
  let plan = planFor(pickBehaviour(rng, false), rng, poses, pose);
  let current: Action = { ...ZERO_ACTION };

  for (let t = 0; t < opts.length - 1; t++) {
    if (plan.stepsLeft-- <= 0 || (plan.behaviour === 'return' && plan.goal && Math.hypot(plan.goal.x - pose.x, plan.goal.z - pose.z) < 1.5)) {
      plan = planFor(pickBehaviour(rng, poses.length > 40), rng, poses, pose);
    }
    let want = command(plan, pose);
    // Walls and objects ahead: turn away, as a driver would, unless deliberately returning.
    if (want.forward > 0 && blockedAhead(world, pose, 2.5) && plan.behaviour !== 'return') {
      plan = { behaviour: 'turn', stepsLeft: rng.int(8, 24), target: { ...ZERO_ACTION, yaw: (rng.chance(0.5) ? 1 : -1) * ACTION_MAX.yaw } };
      want = plan.target;
    }
    // Level the gaze slowly outside of 'look', so pitch does not get stuck at a limit.
    if (plan.behaviour !== 'look') want = { ...want, pitch: want.pitch - pose.pitch * 0.03 };
    const next: Action = { ...ZERO_ACTION };
    for (const k of Object.keys(next) as (keyof Action)[]) next[k] = current[k] + smoothing * (want[k] - current[k]);
    current = clampAction(next);
    const after = applyAction(pose, current, world.obstacles);
    commands.push(current);
    behaviours.push(plan.behaviour);
    pose = after;
    poses.push(pose);
  }
  commands.push({ ...ZERO_ACTION });
  behaviours.push(plan.behaviour);
  const actions = poses.map((p, i) => (i + 1 < poses.length ? actionBetween(p, poses[i + 1] as Pose) : { ...ZERO_ACTION }));
  return { poses, commands, actions, behaviours };
}
