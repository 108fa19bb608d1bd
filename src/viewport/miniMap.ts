/**
 * Top-down map of the courtyard: obstacles, the camera's trail, its view cone, and the remembered
 * frames the world model's last prediction used (2D canvas).
 */
import { CAMERA_FOV_DEG, type Pose, headingVectors } from '../sim/contract';
import type { World } from '../sim/world';

const hex = (c: number): string => `#${c.toString(16).padStart(6, '0')}`;

/** A remembered frame the model used: where it was taken, and what it is (this session's truth,
 * the model's own frame, or an atlas frame of the world it learned). */
export interface MemoryMark {
  pose: readonly number[];
  kind: MemoryKind;
}
export type MemoryKind = 'truth' | 'own' | 'atlas';
/** One colour per kind, shared by the map, the memory strip and the HUD legend. */
export const MEMORY_COLOURS: Record<MemoryKind, string> = { truth: '#22d3ee', own: '#e879f9', atlas: '#fbbf24' };
export const memoryKind = (slot: { level: number; atlas?: number }): MemoryKind =>
  slot.atlas !== undefined ? 'atlas' : slot.level === 0 ? 'truth' : 'own';

export function drawMiniMap(
  ctx: CanvasRenderingContext2D,
  world: World,
  trail: readonly Pose[],
  pose: Pose | null,
  memory: readonly MemoryMark[] = [],
): void {
  const { width: w, height: h } = ctx.canvas;
  const extent = world.wallHalfExtent + 1;
  const s = Math.min(w, h) / (2 * extent);
  // World x to the right, world -z up: yaw 0 points up the map.
  const X = (x: number): number => w / 2 + x * s;
  const Y = (z: number): number => h / 2 + z * s;
  ctx.fillStyle = '#a89a7c';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#5b4b3a';
  ctx.lineWidth = 3;
  ctx.strokeRect(X(-world.wallHalfExtent), Y(-world.wallHalfExtent), 2 * world.wallHalfExtent * s, 2 * world.wallHalfExtent * s);
  for (const o of world.objects) {
    ctx.fillStyle = hex(o.color);
    ctx.beginPath();
    ctx.arc(X(o.x), Y(o.z), Math.max(1.5, o.radius * s), 0, 2 * Math.PI);
    ctx.fill();
    if (o.kind === 'tower') {
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }
  if (trail.length > 1) {
    ctx.strokeStyle = 'rgba(255,255,255,0.8)';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    trail.forEach((p, i) => (i ? ctx.lineTo(X(p.x), Y(p.z)) : ctx.moveTo(X(p.x), Y(p.z))));
    ctx.stroke();
  }
  // Each used memory frame: a short tick along its heading, cyan for ground truth, magenta for the model's own, amber for the atlas.
  for (const m of memory) {
    const [x, , z, yaw] = m.pose as [number, number, number, number];
    const f = headingVectors(yaw);
    ctx.strokeStyle = MEMORY_COLOURS[m.kind];
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(X(x), Y(z));
    ctx.lineTo(X(x + f.fx * 3), Y(z + f.fz * 3));
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(X(x), Y(z), 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (pose) {
    const half = ((CAMERA_FOV_DEG / 2) * Math.PI) / 180;
    const len = 9 * s;
    const a = headingVectors(pose.yaw + half);
    const b = headingVectors(pose.yaw - half);
    ctx.fillStyle = 'rgba(255,230,80,0.35)';
    ctx.beginPath();
    ctx.moveTo(X(pose.x), Y(pose.z));
    ctx.lineTo(X(pose.x + a.fx * 9), Y(pose.z + a.fz * 9));
    ctx.lineTo(X(pose.x + b.fx * 9), Y(pose.z + b.fz * 9));
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = '#ffe650';
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.arc(X(pose.x), Y(pose.z), Math.max(3, len / 6), 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}
