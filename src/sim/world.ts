/**
 * The world as plain data: a walled courtyard dense with landmarks, fully determined by a seed.
 * Pure (no three.js) so the object list can be compared bit for bit and shipped as JSON;
 * scene.ts turns it into three.js meshes, in the app and in the dataset generator alike.
 */
import { BOUNDS, type Obstacle, type Pose, WALLS, clampPose } from './contract';
import { createRng, mixSeed, type Rng } from './rng';

export const WORLD_VERSION = 1;

export type ShapeKind = 'box' | 'cylinder' | 'cone' | 'sphere' | 'pyramid' | 'ring' | 'tower';

export interface WorldObject {
  kind: ShapeKind;
  /** centre of the footprint */
  x: number;
  z: number;
  /** footprint radius (boxes: half the larger side) */
  radius: number;
  height: number;
  /** rotation about the vertical axis, radians */
  rotation: number;
  /** 0xRRGGBB, linear values straight into the shader (colour management is off) */
  color: number;
  /** second colour for striped towers and wall accents */
  accent: number;
}

export interface WallSegment {
  /** centre of the segment's inner face, on the courtyard boundary */
  x: number;
  z: number;
  /** along-wall length */
  length: number;
  height: number;
  /** 0 = north (-z), 1 = east (+x), 2 = south (+z), 3 = west (-x) */
  side: 0 | 1 | 2 | 3;
  color: number;
}

export interface World {
  version: number;
  seed: number;
  /** inner face of the walls; the walkable square is BOUNDS.halfExtent, a little inside */
  wallHalfExtent: number;
  objects: WorldObject[];
  walls: WallSegment[];
  /** seed of the ground texture's per-tile colours */
  groundSeed: number;
  obstacles: Obstacle[];
}

/** Saturated, well separated hues so a small model can tell landmarks apart at 128x128. */
const PALETTE = [
  0xd62828, 0xf77f00, 0xfcbf49, 0x2a9d8f, 0x6a4c93, 0x1982c4, 0x8ac926, 0xff595e, 0xffca3a, 0x3a86ff, 0x8338ec, 0xfb5607, 0xff006e,
  0x06d6a0, 0x118ab2, 0xef476f, 0xe9c46a, 0xf4a261, 0xe76f51, 0x9b5de5, 0x00bbf9, 0x00f5d4,
];
const WALL_COLORS: readonly [number, number, number, number] = [0xb56576, 0x6d9dc5, 0xc9a227, 0x7fb069];

const SPAWN_CLEARING = 4;
const MIN_GAP = 2.2;

function shade(color: number, f: number): number {
  const r = Math.min(255, Math.round(((color >> 16) & 255) * f));
  const g = Math.min(255, Math.round(((color >> 8) & 255) * f));
  const b = Math.min(255, Math.round((color & 255) * f));
  return (r << 16) | (g << 8) | b;
}

function buildWalls(rng: Rng, half: number): WallSegment[] {
  const walls: WallSegment[] = [];
  const segLen = 4;
  const n = Math.round((2 * half) / segLen);
  for (const side of [0, 1, 2, 3] as const) {
    const base = WALL_COLORS[side];
    for (let i = 0; i < n; i++) {
      const along = -half + segLen * (i + 0.5);
      // Alternating shades plus an occasional bright accent give every stretch of wall its own look.
      const accent = rng.chance(0.18);
      const color = accent ? rng.pick(PALETTE) : shade(base, i % 2 === 0 ? 1 : 0.82);
      const height = WALLS.heights[rng.int(0, WALLS.heights.length - 1)]!;
      const pos =
        side === 0
          ? { x: along, z: -half }
          : side === 1
            ? { x: half, z: along }
            : side === 2
              ? { x: -along, z: half }
              : { x: -half, z: -along };
      walls.push({ ...pos, length: segLen, height, side, color });
    }
  }
  return walls;
}

function placeObjects(rng: Rng, half: number): WorldObject[] {
  const objects: WorldObject[] = [];
  const fits = (x: number, z: number, r: number): boolean => {
    if (Math.hypot(x, z) < SPAWN_CLEARING + r) return false;
    if (Math.abs(x) > half - r - 1.5 || Math.abs(z) > half - r - 1.5) return false;
    return objects.every((o) => Math.hypot(o.x - x, o.z - z) >= o.radius + r + MIN_GAP);
  };
  const tryPlace = (make: () => Omit<WorldObject, 'x' | 'z'>, region: [number, number, number, number]) => {
    for (let attempt = 0; attempt < 60; attempt++) {
      const o = make();
      const x = rng.range(region[0], region[1]);
      const z = rng.range(region[2], region[3]);
      if (fits(x, z, o.radius)) {
        objects.push({ ...o, x, z });
        return;
      }
    }
  };
  // One tall tower per quadrant: visible from anywhere, they tell the model where it is.
  const towerColors = [0xe63946, 0x1d3557, 0xffb703, 0xf1faee];
  const quadrants: [number, number, number, number][] = [
    [4, half - 4, -half + 4, -4],
    [4, half - 4, 4, half - 4],
    [-half + 4, -4, 4, half - 4],
    [-half + 4, -4, -half + 4, -4],
  ];
  quadrants.forEach((q, i) =>
    tryPlace(
      () => ({
        kind: 'tower',
        radius: rng.range(1.2, 1.8),
        height: rng.range(14, 22),
        rotation: rng.range(0, Math.PI),
        color: towerColors[i] as number,
        accent: rng.pick(PALETTE),
      }),
      q,
    ),
  );
  const kinds: ShapeKind[] = ['box', 'box', 'cylinder', 'cone', 'sphere', 'pyramid', 'ring'];
  const target = 46;
  for (let i = 0; objects.length < target + 4 && i < 400; i++) {
    const kind = rng.pick(kinds);
    const big = rng.chance(0.25);
    tryPlace(() => {
      const radius = big ? rng.range(1.6, 2.6) : rng.range(0.5, 1.4);
      const height = kind === 'sphere' ? 2 * radius : kind === 'ring' ? 2 * radius + 0.4 : big ? rng.range(3, 7) : rng.range(0.8, 3.5);
      return { kind, radius, height, rotation: rng.range(0, Math.PI), color: rng.pick(PALETTE), accent: rng.pick(PALETTE) };
    }, [-half, half, -half, half]);
  }
  return objects;
}

/** Builds the world for a seed. Same seed, same world, bit for bit. */
export function buildWorld(seed: number): World {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`world seed must be a non-negative integer, got ${seed}`);
  const rng = createRng(mixSeed(seed, WORLD_VERSION, 0x77));
  const wallHalfExtent = WALLS.halfExtent;
  const walls = buildWalls(rng, wallHalfExtent);
  const objects = placeObjects(rng, BOUNDS.halfExtent);
  const obstacles = objects.map((o) => ({ x: o.x, z: o.z, radius: o.radius }));
  return { version: WORLD_VERSION, seed, wallHalfExtent, objects, walls, groundSeed: mixSeed(seed, 0x67d), obstacles };
}

/** A random valid pose: anywhere walkable, any heading, moderate height and pitch. */
export function randomPose(world: World, rng: Rng): Pose {
  for (let attempt = 0; attempt < 200; attempt++) {
    const e = BOUNDS.halfExtent - 1;
    const p: Pose = {
      x: rng.range(-e, e),
      y: rng.range(BOUNDS.yMin, Math.min(BOUNDS.yMax, 2.4)),
      z: rng.range(-e, e),
      yaw: rng.range(-Math.PI, Math.PI),
      pitch: rng.range(-0.15, 0.1),
    };
    const c = clampPose(p, world.obstacles);
    if (c.x === p.x && c.z === p.z) return c;
  }
  return clampPose({ x: 0, y: 1.7, z: 0, yaw: 0, pitch: 0 }, world.obstacles);
}

/** The start pose of an environment reset: seeded, valid, never inside an object. */
export function spawnPose(world: World, seed: number): Pose {
  return randomPose(world, createRng(mixSeed(world.seed, seed, 0x5ba)));
}
