/**
 * Seeded trajectories that look like a person steering: a small state machine of behaviours
 * (walk, turn on the spot, look up/down, strafe, pause, rise/sink, return to a place seen
 * earlier) whose target actions pass through a low-pass filter, as keys and sticks ramp up.
 * Pure and deterministic per (world, seed), so the generator can resume any episode.
 */
import {
  ACTION_MAX,
  BOUNDS,
  type Action,
  type Pose,
  ZERO_ACTION,
  actionBetween,
  applyAction,
  clampAction,
  headingVectors,
  wrapAngle,
} from './contract';
import { createRng, mixSeed, type Rng } from './rng';
import { type World, randomPose } from './world';

/** Bumped when the same seed starts giving other trajectories (2: spin and out-and-back behaviours). */
export const TRAJECTORY_VERSION = 2;
/** Bumped when generateLoopEpisode changes (2: the walk back goes past the start). */
export const LOOPS_VERSION = 2;

export type Behaviour = 'walk' | 'turn' | 'look' | 'strafe' | 'pause' | 'rise' | 'return' | 'spin' | 'outback';

export interface Episode {
  poses: Pose[];
  /** commands[t] is what the driver asked for at step t (clamped to ACTION_MAX) */
  commands: Action[];
  /** actions[t] is the effective pose change from poses[t] to poses[t+1] (after collisions); the last is zero */
  actions: Action[];
  behaviours: Behaviour[];
}

const WEIGHTS: [Behaviour, number][] = [
  ['walk', 0.3],
  ['turn', 0.12],
  ['look', 0.14],
  ['strafe', 0.09],
  ['pause', 0.05],
  ['rise', 0.05],
  ['return', 0.12],
  // Revisits a world model must remember across: a full turn on the spot, and a walk out and back.
  ['spin', 0.06],
  ['outback', 0.07],
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
  /** 'outback': steps still to walk away before heading back to `goal` */
  outSteps?: number;
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
    case 'spin':
      // A little more than a full turn, so the view comes back past where it started.
      plan.target = { ...ZERO_ACTION, yaw: sign() * m.yaw * rng.range(0.8, 1) };
      plan.stepsLeft = Math.ceil((2 * Math.PI * rng.range(1.02, 1.15)) / Math.abs(plan.target.yaw));
      break;
    case 'outback':
      plan.goal = { x: pose.x, z: pose.z };
      plan.outSteps = rng.int(15, 40);
      plan.target = { ...ZERO_ACTION, forward: m.forward * rng.range(0.7, 1) };
      plan.stepsLeft = plan.outSteps + 120;
      break;
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
  if (plan.behaviour === 'outback' && plan.outSteps && plan.outSteps > 0) {
    plan.outSteps--;
    return plan.target;
  }
  if ((plan.behaviour === 'return' || plan.behaviour === 'outback') && plan.goal) {
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
  if (!Number.isInteger(opts.length) || opts.length < 1)
    throw new RangeError(`episode length must be a positive integer, got ${opts.length}`);
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
    const arrived = plan.goal && !plan.outSteps && Math.hypot(plan.goal.x - pose.x, plan.goal.z - pose.z) < 1.5;
    if (plan.stepsLeft-- <= 0 || arrived) {
      plan = planFor(pickBehaviour(rng, poses.length > 40), rng, poses, pose);
    }
    let want = command(plan, pose);
    // Walls and objects ahead: turn away, as a driver would, unless deliberately returning.
    if (
      want.forward > 0 &&
      blockedAhead(world, pose, 2.5) &&
      plan.behaviour !== 'return' &&
      !(plan.behaviour === 'outback' && !plan.outSteps)
    ) {
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

export type LoopKind = 'spin' | 'outback';

/**
 * A scripted revisit for the loop-closure test split: either a turn on the spot of 360 degrees plus
 * 15, or a walk out, a half turn, a walk back that goes 1 to 1.25 m past the start, and a half turn,
 * so the last frame looks again at what the first frames saw, from a pose none of them had
 * (copying the nearest seen frame is then a fair baseline, not a perfect one). Deterministic in
 * (world, seed).
 */
export function generateLoopEpisode(world: World, seed: number, length: number): Episode & { kind: LoopKind } {
  if (!Number.isInteger(length) || length < 64) throw new RangeError(`loop episodes need at least 64 frames, got ${length}`);
  const rng = createRng(mixSeed(world.seed, seed, 0x1009));
  const kind: LoopKind = seed % 2 === 0 ? 'spin' : 'outback';
  const steps = length - 1;
  const halfTurn = Math.ceil(Math.PI / (ACTION_MAX.yaw * 0.999));
  const out = Math.floor((steps - 2 * halfTurn - 4) / 2);
  const back = steps - 2 * halfTurn - out;
  let start = randomPose(world, rng);
  // Room ahead for the walk out and behind for the walk back past the start.
  const blocked = (p: Pose) =>
    blockedAhead(world, p, out * ACTION_MAX.forward + 1.5) || blockedAhead(world, { ...p, yaw: p.yaw + Math.PI }, 2.5);
  for (let i = 0; kind === 'outback' && i < 100 && blocked(start); i++) {
    start = randomPose(world, rng);
  }
  const dir = rng.chance(0.5) ? 1 : -1;
  const plan: Action[] = [];
  if (kind === 'spin') {
    const w = (2 * Math.PI + (15 * Math.PI) / 180) / steps;
    for (let t = 0; t < steps; t++) plan.push({ ...ZERO_ACTION, yaw: dir * w });
  } else {
    const turn = { ...ZERO_ACTION, yaw: (dir * Math.PI) / halfTurn };
    for (let t = 0; t < out; t++) plan.push({ ...ZERO_ACTION, forward: ACTION_MAX.forward });
    for (let t = 0; t < halfTurn; t++) plan.push(turn);
    for (let t = 0; t < back; t++) plan.push({ ...ZERO_ACTION, forward: ACTION_MAX.forward });
    for (let t = 0; t < halfTurn; t++) plan.push(turn);
  }
  const poses: Pose[] = [start];
  for (const a of plan) poses.push(applyAction(poses.at(-1) as Pose, a, world.obstacles));
  const commands = [...plan, { ...ZERO_ACTION }];
  const actions = poses.map((p, i) => (i + 1 < poses.length ? actionBetween(p, poses[i + 1] as Pose) : { ...ZERO_ACTION }));
  return { poses, commands, actions, behaviours: commands.map(() => kind), kind };
}
