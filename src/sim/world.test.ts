import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { BOUNDS, CAMERA_FAR, CAMERA_RADIUS, isPoseValid } from './contract';
import { SKY_RADIUS, buildScene } from './scene';
import { buildWorld, spawnPose } from './world';

/** Hash of every vertex position and colour in the scene: equal hashes, equal geometry. */
function sceneHash(seed: number): string {
  const { scene } = buildScene(buildWorld(seed));
  let h = 0x811c9dc5;
  let count = 0;
  scene.traverse((o) => {
    if (!(o instanceof THREE.Mesh)) return;
    for (const name of ['position', 'color'] as const) {
      const a = o.geometry.getAttribute(name) as THREE.BufferAttribute | undefined;
      if (!a) continue;
      const bytes = new Uint8Array(a.array.buffer, a.array.byteOffset, a.array.byteLength);
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      count += a.count;
    }
  });
  return `${count}:${h.toString(16)}`;
}

describe('world', () => {
  it('is the same for the same seed, bit for bit, and differs across seeds', () => {
    expect(JSON.stringify(buildWorld(3))).toBe(JSON.stringify(buildWorld(3)));
    expect(JSON.stringify(buildWorld(3))).not.toBe(JSON.stringify(buildWorld(4)));
  });

  it('builds the same three.js geometry for the same seed', () => {
    expect(sceneHash(11)).toBe(sceneHash(11));
    expect(sceneHash(11)).not.toBe(sceneHash(12));
  });

  it('is dense with landmarks, including a tall tower in each quadrant', () => {
    for (const seed of [0, 1, 2, 99]) {
      const w = buildWorld(seed);
      expect(w.objects.length).toBeGreaterThanOrEqual(40);
      const towers = w.objects.filter((o) => o.kind === 'tower');
      expect(towers.length).toBe(4);
      const quadrants = new Set(towers.map((t) => `${Math.sign(t.x)},${Math.sign(t.z)}`));
      expect(quadrants.size).toBe(4);
      expect(new Set(w.objects.map((o) => o.kind)).size).toBeGreaterThanOrEqual(6);
      expect(new Set(w.objects.map((o) => o.color)).size).toBeGreaterThanOrEqual(12);
    }
  });

  it('keeps objects inside the courtyard, apart, and out of the spawn clearing', () => {
    const w = buildWorld(5);
    for (const [i, o] of w.objects.entries()) {
      expect(Math.abs(o.x) + o.radius).toBeLessThan(BOUNDS.halfExtent);
      expect(Math.abs(o.z) + o.radius).toBeLessThan(BOUNDS.halfExtent);
      expect(Math.hypot(o.x, o.z)).toBeGreaterThan(o.radius + CAMERA_RADIUS);
      for (const p of w.objects.slice(i + 1)) expect(Math.hypot(o.x - p.x, o.z - p.z)).toBeGreaterThan(o.radius + p.radius);
    }
    expect(w.wallHalfExtent).toBeGreaterThan(BOUNDS.halfExtent + 1);
  });

  it('spawns at valid, seed-dependent poses', () => {
    const w = buildWorld(0);
    const poses = Array.from({ length: 50 }, (_, s) => spawnPose(w, s));
    for (const p of poses) expect(isPoseValid(p, w.obstacles)).toBe(true);
    expect(new Set(poses.map((p) => p.x.toFixed(6))).size).toBe(50);
    expect(spawnPose(w, 3)).toEqual(spawnPose(w, 3));
  });

  it('keeps the sky dome beyond the walls and inside the far plane from every allowed pose', () => {
    const w = buildWorld(0);
    const farthestCamera = Math.hypot(BOUNDS.halfExtent, BOUNDS.yMax, BOUNDS.halfExtent);
    expect(SKY_RADIUS + farthestCamera).toBeLessThan(CAMERA_FAR);
    const farthestWallCorner = Math.hypot(w.wallHalfExtent + 1.5, 10 + 3 * 1.5, w.wallHalfExtent + 1.5);
    expect(SKY_RADIUS).toBeGreaterThan(farthestWallCorner); // walls always stand in front of the sky
  });

  it('rejects bad seeds', () => {
    expect(() => buildWorld(-1)).toThrow(RangeError);
    expect(() => buildWorld(1.5)).toThrow(RangeError);
  });
});
