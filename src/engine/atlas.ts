/**
 * The atlas: training frames the model ships as long-term memory of the world it learned (tokens
 * and camera poses), and the spatial index that finds the ones near a camera. TypeScript twin of
 * models/world_model/atlas.py (file format, AtlasIndex); the candidates join memory.ts's retrieve
 * as extraPoses, and both languages are checked against models/world_model/geometry_golden.json.
 */
import type { MemoryEntry, PoseArray } from './memory';

export interface AtlasRule {
  cell_m: number;
  radius_m: number;
  heading_m_per_rad: number;
  candidates: number;
}

export interface AtlasFrames {
  /** token ids of frame k: tokens.subarray(k * n, (k + 1) * n) */
  tokens: Int32Array;
  poses: Float64Array;
  frames: number;
  n: number;
}

/** atlas.bin: ids packed at 12 bits (two ids in three bytes), then float32 poses [frames, 5]. */
export function parseAtlas(buf: ArrayBuffer, frames: number, n: number): AtlasFrames {
  const tb = (frames * n * 3) / 2;
  if (!Number.isInteger(tb) || buf.byteLength !== tb + frames * 20) {
    throw new RangeError(`atlas file is ${buf.byteLength} bytes; ${frames} frames of ${n} tokens need ${tb + frames * 20}`);
  }
  const b = new Uint8Array(buf, 0, tb);
  const tokens = new Int32Array(frames * n);
  for (let i = 0, o = 0; i < tb; i += 3, o += 2) {
    tokens[o] = b[i]! | ((b[i + 1]! & 15) << 8);
    tokens[o + 1] = (b[i + 1]! >> 4) | (b[i + 2]! << 4);
  }
  const view = new DataView(buf, tb);
  const poses = new Float64Array(frames * 5);
  for (let i = 0; i < frames * 5; i++) poses[i] = view.getFloat32(i * 4, true);
  return { tokens, poses, frames, n };
}

const wrapAngle = (a: number): number => {
  const m = 2 * Math.PI;
  return ((((a + Math.PI) % m) + m) % m) - Math.PI;
};

/** A grid over x, z: the atlas frames near a camera without a scan of all of them. */
export class AtlasIndex {
  private readonly cells = new Map<string, number[]>();
  constructor(
    readonly poses: Float64Array,
    readonly rule: AtlasRule,
  ) {
    const count = poses.length / 5;
    for (let i = 0; i < count; i++) {
      const key = `${Math.floor(poses[i * 5]! / rule.cell_m)},${Math.floor(poses[i * 5 + 2]! / rule.cell_m)}`;
      let list = this.cells.get(key);
      if (!list) this.cells.set(key, (list = []));
      list.push(i);
    }
  }

  pose(i: number): number[] {
    return Array.from(this.poses.subarray(i * 5, i * 5 + 5));
  }

  /** Atlas indices within radius_m (x, z) of target, best first by distance + heading cost (ties: lower index). */
  candidates(target: PoseArray): number[] {
    const { cell_m: cell, radius_m: radius, heading_m_per_rad: hw, candidates: k } = this.rule;
    const x = target[0]!,
      z = target[2]!;
    const r = Math.ceil(radius / cell);
    const cx = Math.floor(x / cell),
      cz = Math.floor(z / cell);
    const found: { i: number; cost: number }[] = [];
    for (let i = cx - r; i <= cx + r; i++) {
      for (let j = cz - r; j <= cz + r; j++) {
        for (const a of this.cells.get(`${i},${j}`) ?? []) {
          const p = a * 5;
          const d = Math.hypot(this.poses[p]! - x, this.poses[p + 2]! - z);
          if (d > radius) continue;
          const dyaw = Math.abs(wrapAngle(this.poses[p + 3]! - target[3]!));
          found.push({ i: a, cost: d + hw * (dyaw + Math.abs(this.poses[p + 4]! - target[4]!)) });
        }
      }
    }
    found.sort((a, b) => a.cost - b.cost || a.i - b.i);
    return found.slice(0, k).map((f) => f.i);
  }
}

/** The atlas candidates for a camera pose as memory entries (what retrieval takes as extras). */
export function atlasEntries(frames: AtlasFrames, index: AtlasIndex, pose: PoseArray): MemoryEntry[] {
  const n = frames.n;
  return index
    .candidates(pose)
    .map((i) => ({ tokens: frames.tokens.subarray(i * n, (i + 1) * n), pose: index.pose(i), level: 0, step: -1, atlas: i }));
}
