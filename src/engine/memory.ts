/**
 * The world model's memory: every frame of the session with its camera pose, and the rule that
 * picks which ones the student sees for a new camera pose. This is the TypeScript twin of
 * models/world_model/memory.py and the coverage part of geometry.py; both read the rule's numbers
 * from the manifest (student.memory, student.geometry) and both are checked against
 * models/world_model/geometry_golden.json. (The re-projection itself runs inside the student's
 * graph, so it is written once, in Python.)
 */

export interface MemoryRule {
  slots: number;
  coverage_grid: number;
  overlap_bonus: number;
  distance_scale_m: number;
  min_gain: number;
  max_candidates: number;
  rule: 'coverage' | 'recent';
}

export interface GeometrySpec {
  vertical_fov_deg: number;
  proxy: { floor_y: number; wall_half_extent: number; wall_top: number };
}

/** A pose as [x, y, z, yaw, pitch]. */
export type PoseArray = readonly [number, number, number, number, number] | readonly number[];

type Mat3 = [number, number, number, number, number, number, number, number, number];

/** Ry(yaw) Rx(pitch), row-major: three.js's Euler 'YXZ' with roll 0. */
function rotation(yaw: number, pitch: number): Mat3 {
  const cy = Math.cos(yaw),
    sy = Math.sin(yaw),
    cp = Math.cos(pitch),
    sp = Math.sin(pitch);
  return [cy, sy * sp, sy * cp, 0, cp, -sp, -sy, cy * sp, cy * cp];
}

/** Camera-local directions through the centres of a g x g grid, raster order. */
function rayGrid(g: number, fovDeg: number): Float64Array {
  const t = Math.tan((fovDeg * Math.PI) / 360);
  const out = new Float64Array(g * g * 3);
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      const k = (i * g + j) * 3;
      out[k] = (((j + 0.5) / g) * 2 - 1) * t;
      out[k + 1] = -(((i + 0.5) / g) * 2 - 1) * t;
      out[k + 2] = -1;
    }
  }
  return out;
}

/** 1 / distance along d from c to the proxy scene (floor, walls up to their top); 0 = sky. */
function proxyInverseDepth(c: PoseArray, dx: number, dy: number, dz: number, spec: GeometrySpec): number {
  const { floor_y: floor, wall_half_extent: wall, wall_top: top } = spec.proxy;
  const cy = Math.max(c[1]! - floor, 1e-3);
  const invFloor = Math.max(-dy / cy, 0);
  const invX = Math.abs(dx) / Math.max(wall - (dx >= 0 ? c[0]! : -c[0]!), 1e-3);
  const invZ = Math.abs(dz) / Math.max(wall - (dz >= 0 ? c[2]! : -c[2]!), 1e-3);
  const invWall = invX > invZ ? invX : invZ;
  const under = c[1]! * invWall + dy <= top * invWall;
  const w = under ? invWall : 0;
  return invFloor > w ? invFloor : w;
}

/**
 * Which of the coverage grid's target rays land inside the source frame (in front of it):
 * a bit per ray, raster order.
 */
export function coverageRays(target: PoseArray, source: PoseArray, g: number, spec: GeometrySpec): Uint8Array {
  const rays = rayGrid(g, spec.vertical_fov_deg);
  const rt = rotation(target[3]!, target[4]!);
  const rs = rotation(source[3]!, source[4]!);
  const t = Math.tan((spec.vertical_fov_deg * Math.PI) / 360);
  const rel = [target[0]! - source[0]!, target[1]! - source[1]!, target[2]! - source[2]!];
  const out = new Uint8Array(g * g);
  for (let r = 0; r < g * g; r++) {
    const lx = rays[r * 3]!,
      ly = rays[r * 3 + 1]!,
      lz = rays[r * 3 + 2]!;
    const dx = rt[0] * lx + rt[1] * ly + rt[2] * lz;
    const dy = rt[3] * lx + rt[4] * ly + rt[5] * lz;
    const dz = rt[6] * lx + rt[7] * ly + rt[8] * lz;
    const inv = proxyInverseDepth(target, dx, dy, dz, spec);
    const px = dx + inv * rel[0]!,
      py = dy + inv * rel[1]!,
      pz = dz + inv * rel[2]!;
    // R_s^T p: source camera coordinates
    const qx = rs[0] * px + rs[3] * py + rs[6] * pz;
    const qy = rs[1] * px + rs[4] * py + rs[7] * pz;
    const qz = rs[2] * px + rs[5] * py + rs[8] * pz;
    const depth = -qz;
    if (!(depth > 1e-4)) continue;
    const sj = ((qx / depth / t + 1) / 2) * g - 0.5;
    const si = ((1 - qy / depth / t) / 2) * g - 0.5;
    out[r] = si >= -0.5 && si <= g - 0.5 && sj >= -0.5 && sj <= g - 0.5 ? 1 : 0;
  }
  return out;
}

/**
 * The slots for a new camera pose: indices into `poses` (oldest first), slot order. The newest
 * frame first, then greedily the frames that add the most view coverage, discounted by distance
 * and by level (levels[i]: 0 for ground truth, the manifest's level_pred for the model's own).
 * extraPoses: atlas candidates (AtlasIndex.candidates order, level 0); a pick k >= poses.length
 * is extraPoses[k - poses.length].
 */
export function retrieve(
  poses: readonly PoseArray[],
  target: PoseArray,
  rule: MemoryRule,
  spec: GeometrySpec,
  levels?: readonly number[] | null,
  extraPoses?: readonly PoseArray[],
): number[] {
  const n = poses.length;
  if (n === 0) return [];
  if (rule.rule === 'recent') {
    const out: number[] = [];
    for (let i = n - 1; i >= 0 && out.length < rule.slots; i--) out.push(i);
    return out;
  }
  const chosen = [n - 1];
  const lo = Math.max(0, n - 1 - rule.max_candidates);
  const cand: number[] = [];
  for (let i = n - 2; i >= lo; i--) cand.push(i);
  // Atlas candidates come after the session's own (level 0): on equal gain the session's win.
  const extra = extraPoses ?? [];
  for (let k = 0; k < extra.length; k++) cand.push(n + k);
  if (rule.slots <= 1 || cand.length === 0) return chosen;
  const poseOf = (i: number): PoseArray => (i < n ? poses[i]! : extra[i - n]!);
  const levelOf = (i: number): number => (i < n ? (levels?.[i] ?? 0) : 0);
  const g = rule.coverage_grid;
  const covered = coverageRays(target, poses[n - 1]!, g, spec);
  const rays = cand.map((i) => coverageRays(target, poseOf(i), g, spec));
  const total = rays.map((r) => r.reduce((a, b) => a + b, 0));
  const weight = cand.map((i) => {
    const p = poseOf(i);
    const d = Math.hypot(p[0]! - target[0]!, p[1]! - target[1]!, p[2]! - target[2]!);
    // Ground truth outranks the model's own frames of about the same view.
    return Math.exp(-d / rule.distance_scale_m) * (1 - levelOf(i));
  });
  const used = new Uint8Array(cand.length);
  for (let s = 1; s < rule.slots; s++) {
    let best = -1;
    let bestGain = -Infinity;
    for (let k = 0; k < cand.length; k++) {
      if (used[k]) continue;
      let fresh = 0;
      const r = rays[k]!;
      for (let q = 0; q < r.length; q++) if (r[q] && !covered[q]) fresh++;
      const gain = ((fresh + rule.overlap_bonus * total[k]!) / (g * g)) * weight[k]!;
      if (gain > bestGain) {
        bestGain = gain;
        best = k;
      }
    }
    if (best < 0 || bestGain <= rule.min_gain) break;
    used[best] = 1;
    const r = rays[best]!;
    for (let q = 0; q < r.length; q++) if (r[q]) covered[q] = 1;
    chosen.push(cand[best]!);
  }
  return chosen;
}

export interface MemoryEntry {
  tokens: Int32Array;
  pose: number[];
  /** 0 for encoded ground truth, the manifest's level_pred for the model's own frames */
  level: number;
  /** session step at which the frame was remembered (for the UI); -1 for an atlas frame */
  step: number;
  /** an atlas frame (the learned world's, not this session's): its index in the atlas */
  atlas?: number;
}

/** Every frame of the session, oldest first, up to `capacity` (the oldest go first). */
export class FrameMemory {
  readonly entries: MemoryEntry[] = [];
  constructor(readonly capacity: number) {}

  add(e: MemoryEntry): void {
    this.entries.push(e);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /**
   * Forgets the model's own frames (level > 0): a re-anchor's truth replaces the dream. Keeping
   * any of them failed lesson 5: after a dream the one true frame sat beside imagined frames of
   * nearby views, the coverage rule filled the other slots with those (the atlas lost to them on
   * equal gain), and standing still after R scored 17.9 dB where the same view from the truth
   * alone scores 27 (e2e/reanchorGain.ts measures it). True frames, the session's and the atlas's, stay.
   */
  forgetImagined(): number {
    const before = this.entries.length;
    const keep = this.entries.filter((e) => e.level === 0);
    this.entries.length = 0;
    this.entries.push(...keep);
    return before - keep.length;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The last k entries, oldest first. */
  newest(k: number): MemoryEntry[] {
    return this.entries.slice(Math.max(0, this.entries.length - k));
  }

  /** The slots for target: from this memory and, where given, the atlas candidates (after the session's). */
  pick(target: PoseArray, rule: MemoryRule, spec: GeometrySpec, extra: readonly MemoryEntry[] = []): MemoryEntry[] {
    const e = this.entries;
    const picks = retrieve(
      e.map((x) => x.pose),
      target,
      rule,
      spec,
      e.map((x) => x.level),
      extra.map((x) => x.pose),
    );
    return picks.map((i) => (i < e.length ? e[i]! : extra[i - e.length]!));
  }
}

/** A camera pose as 5 finite numbers (x, y, z, yaw, pitch). */
export function checkPose(p: ArrayLike<number>, what: string): number[] {
  const a = Array.from(p ?? []);
  if (a.length !== 5 || !a.every(Number.isFinite)) throw new RangeError(`${what} must be 5 finite numbers (x, y, z, yaw, pitch)`);
  return a;
}
