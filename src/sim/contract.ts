/**
 * The camera pose / action contract shared by the app, the dataset generator and the Python side
 * (models/contract.json is generated from this file; a unit test keeps the two in sync).
 *
 * Coordinates: three.js world, y up, metres. Yaw 0 looks along -z, positive yaw turns left
 * (counter-clockwise seen from above); positive pitch looks up; roll is always 0.
 * An action is one step's pose change expressed in the camera's own frame *before* the step's
 * rotation: translate (forward along the horizontal heading, strafe to the right, vertical up),
 * then add yaw and pitch. Forward motion ignores pitch, like walking while looking around.
 */

export const CONTRACT_VERSION = 1;

/** Steps per second: the simulator and the world model both advance one step per tick. */
export const STEP_RATE_HZ = 15;

export interface Pose {
  x: number;
  y: number;
  z: number;
  /** radians, wrapped to (-pi, pi] */
  yaw: number;
  /** radians, within [PITCH_MIN, PITCH_MAX] */
  pitch: number;
}

export interface Action {
  /** metres per step along the heading */
  forward: number;
  /** metres per step to the right */
  strafe: number;
  /** metres per step up */
  vertical: number;
  /** radians per step, positive turns left */
  yaw: number;
  /** radians per step, positive looks up */
  pitch: number;
}

export const POSE_KEYS = ['x', 'y', 'z', 'yaw', 'pitch'] as const satisfies readonly (keyof Pose)[];
export const ACTION_KEYS = ['forward', 'strafe', 'vertical', 'yaw', 'pitch'] as const satisfies readonly (keyof Action)[];

/** Largest magnitude of each action component per step; the models see action / ACTION_MAX in [-1, 1]. */
export const ACTION_MAX: Readonly<Action> = {
  forward: 0.25,
  strafe: 0.18,
  vertical: 0.1,
  yaw: 0.09,
  pitch: 0.05,
};

/** The walkable region: a square courtyard, inset from its walls so the camera never clips them. */
export const BOUNDS = {
  halfExtent: 30,
  yMin: 1.0,
  yMax: 3.5,
  pitchMin: (-30 * Math.PI) / 180,
  pitchMax: (20 * Math.PI) / 180,
} as const;

/** Vertical field of view of the camera in degrees; with the pitch limits the horizon is always in view. */
export const CAMERA_FOV_DEG = 60;
export const CAMERA_NEAR = 0.1;
export const CAMERA_FAR = 200;

/**
 * Obstacles are vertical cylinders the camera may not enter; this is the camera's own radius,
 * generous so that no allowed pose presses the lens against a surface (a frame of one flat colour).
 */
export const CAMERA_RADIUS = 0.9;

export interface Obstacle {
  x: number;
  z: number;
  radius: number;
}

export const ZERO_ACTION: Readonly<Action> = { forward: 0, strafe: 0, vertical: 0, yaw: 0, pitch: 0 };

/** The courtyard's walls, outside the bounds the camera keeps to: the model's geometry reads them too (models/contract.json). */
export const WALLS = {
  halfExtent: BOUNDS.halfExtent + 3,
  /** each 4 m segment draws one of these heights, metres */
  heights: [7, 8.5, 10, 11.5],
} as const;

export class ContractError extends RangeError {
  override name = 'ContractError';
}

function assertFinite(kind: string, obj: Record<string, number>, keys: readonly string[]): void {
  for (const k of keys) {
    const v = obj[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ContractError(`${kind}.${k} must be a finite number, got ${String(v)}`);
    }
  }
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Wraps an angle to (-pi, pi]. */
export function wrapAngle(a: number): number {
  const twoPi = 2 * Math.PI;
  let w = ((((a + Math.PI) % twoPi) + twoPi) % twoPi) - Math.PI;
  if (w <= -Math.PI) w += twoPi;
  return w;
}

/** Rejects non-finite components; clamps each component to +-ACTION_MAX. */
export function clampAction(a: Action): Action {
  assertFinite('action', a as unknown as Record<string, number>, ACTION_KEYS);
  const out = { ...ZERO_ACTION };
  for (const k of ACTION_KEYS) out[k] = clamp(a[k], -ACTION_MAX[k], ACTION_MAX[k]);
  return out;
}

/** Pushes a horizontal position out of every obstacle (plus the camera radius). */
function resolveCollisions(x: number, z: number, obstacles: readonly Obstacle[]): [number, number] {
  // A few passes settle positions wedged between two neighbouring obstacles.
  for (let pass = 0; pass < 4; pass++) {
    let moved = false;
    for (const o of obstacles) {
      const r = o.radius + CAMERA_RADIUS;
      const dx = x - o.x;
      const dz = z - o.z;
      const d2 = dx * dx + dz * dz;
      if (d2 >= r * r) continue;
      const d = Math.sqrt(d2);
      // Dead centre: push along +x, an arbitrary but deterministic choice.
      const nx = d > 1e-9 ? dx / d : 1;
      const nz = d > 1e-9 ? dz / d : 0;
      x = o.x + nx * r;
      z = o.z + nz * r;
      moved = true;
    }
    const e = BOUNDS.halfExtent;
    x = clamp(x, -e, e);
    z = clamp(z, -e, e);
    if (!moved) break;
  }
  return [x, z];
}

/** Rejects non-finite components; clamps into bounds, wraps yaw and moves out of obstacles. */
export function clampPose(p: Pose, obstacles: readonly Obstacle[] = []): Pose {
  assertFinite('pose', p as unknown as Record<string, number>, POSE_KEYS);
  const e = BOUNDS.halfExtent;
  const [x, z] = resolveCollisions(clamp(p.x, -e, e), clamp(p.z, -e, e), obstacles);
  return {
    x,
    y: clamp(p.y, BOUNDS.yMin, BOUNDS.yMax),
    z,
    yaw: wrapAngle(p.yaw),
    pitch: clamp(p.pitch, BOUNDS.pitchMin, BOUNDS.pitchMax),
  };
}

/** True when the pose is already inside the bounds and outside every obstacle. */
export function isPoseValid(p: Pose, obstacles: readonly Obstacle[] = []): boolean {
  try {
    const c = clampPose(p, obstacles);
    return POSE_KEYS.every((k) => Math.abs(c[k] - p[k]) < 1e-9);
  } catch {
    return false;
  }
}

/** Heading unit vectors (forward, right) in the x/z plane for a yaw. */
export function headingVectors(yaw: number): { fx: number; fz: number; rx: number; rz: number } {
  const s = Math.sin(yaw);
  const c = Math.cos(yaw);
  return { fx: -s, fz: -c, rx: c, rz: -s };
}

/** One step: clamp the action, translate in the current heading frame, rotate, clamp the pose. */
export function applyAction(pose: Pose, action: Action, obstacles: readonly Obstacle[] = []): Pose {
  const a = clampAction(action);
  assertFinite('pose', pose as unknown as Record<string, number>, POSE_KEYS);
  const { fx, fz, rx, rz } = headingVectors(pose.yaw);
  return clampPose(
    {
      x: pose.x + a.forward * fx + a.strafe * rx,
      y: pose.y + a.vertical,
      z: pose.z + a.forward * fz + a.strafe * rz,
      yaw: pose.yaw + a.yaw,
      pitch: pose.pitch + a.pitch,
    },
    obstacles,
  );
}

/**
 * The action that takes `from` to `to` when nothing clamps it: the inverse of applyAction.
 * Not clamped to ACTION_MAX, so callers can tell whether two poses are one legal step apart.
 */
export function actionBetween(from: Pose, to: Pose): Action {
  assertFinite('pose', from as unknown as Record<string, number>, POSE_KEYS);
  assertFinite('pose', to as unknown as Record<string, number>, POSE_KEYS);
  const { fx, fz, rx, rz } = headingVectors(from.yaw);
  const dx = to.x - from.x;
  const dz = to.z - from.z;
  return {
    forward: dx * fx + dz * fz,
    strafe: dx * rx + dz * rz,
    vertical: to.y - from.y,
    yaw: wrapAngle(to.yaw - from.yaw),
    pitch: to.pitch - from.pitch,
  };
}

/** Action scaled to [-1, 1] per component: what the world models take as input. */
export function normalizeAction(a: Action): Float32Array {
  const c = clampAction(a);
  return Float32Array.from(ACTION_KEYS, (k) => c[k] / ACTION_MAX[k]);
}

export function actionFromNormalized(v: ArrayLike<number>): Action {
  if (v.length !== ACTION_KEYS.length) {
    throw new ContractError(`normalized action needs ${ACTION_KEYS.length} values, got ${v.length}`);
  }
  const a = { ...ZERO_ACTION };
  ACTION_KEYS.forEach((k, i) => (a[k] = (v[i] as number) * ACTION_MAX[k]));
  return clampAction(a);
}

export const poseToArray = (p: Pose): number[] => POSE_KEYS.map((k) => p[k]);
export const actionToArray = (a: Action): number[] => ACTION_KEYS.map((k) => a[k]);

export function poseFromArray(v: ArrayLike<number>): Pose {
  if (v.length !== POSE_KEYS.length) {
    throw new ContractError(`pose needs ${POSE_KEYS.length} values, got ${v.length}`);
  }
  const p = { x: 0, y: 0, z: 0, yaw: 0, pitch: 0 };
  POSE_KEYS.forEach((k, i) => (p[k] = v[i] as number));
  assertFinite('pose', p as unknown as Record<string, number>, POSE_KEYS);
  return p;
}

/** The contract as plain JSON, for models/contract.json and every dataset's meta.json. */
export function contractJson() {
  return {
    version: CONTRACT_VERSION,
    step_rate_hz: STEP_RATE_HZ,
    coordinates: 'three.js world, y up, metres; yaw 0 looks along -z, +yaw turns left; +pitch looks up; roll 0',
    pose: { keys: POSE_KEYS, units: ['m', 'm', 'm', 'rad', 'rad'] },
    action: {
      keys: ACTION_KEYS,
      units: ['m/step', 'm/step', 'm/step', 'rad/step', 'rad/step'],
      max: ACTION_KEYS.map((k) => ACTION_MAX[k]),
      normalization: 'model input = action / max, each component in [-1, 1]',
      semantics:
        'translate in the heading frame of the pose before the step (forward ignores pitch), then add yaw and pitch, then clamp the pose',
    },
    bounds: {
      x: [-BOUNDS.halfExtent, BOUNDS.halfExtent],
      z: [-BOUNDS.halfExtent, BOUNDS.halfExtent],
      y: [BOUNDS.yMin, BOUNDS.yMax],
      pitch: [BOUNDS.pitchMin, BOUNDS.pitchMax],
      camera_radius: CAMERA_RADIUS,
    },
    camera: { vertical_fov_deg: CAMERA_FOV_DEG, near: CAMERA_NEAR, far: CAMERA_FAR },
    walls: { half_extent: WALLS.halfExtent, heights: WALLS.heights },
  };
}
