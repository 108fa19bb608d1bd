/**
 * Turns a World into a three.js scene. The app and the dataset generator both call this, so the
 * pixels a model is trained on are the pixels the app shows as ground truth.
 * Lighting is deliberately simple for a small model to learn: hemisphere + one directional light,
 * Lambert shading with flat normals, no shadows, no fog, colour management off.
 */
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import { CAMERA_FAR, CAMERA_FOV_DEG, CAMERA_NEAR, type Pose } from './contract';
import { createRng } from './rng';
import type { World, WorldObject } from './world';

THREE.ColorManagement.enabled = false;

/** A square RGBA texture with trilinear mipmaps: without them, distant tiles shimmer at 128 px. */
function mipmapped(data: Uint8Array, size: number): THREE.DataTexture {
  const tex = new THREE.DataTexture(data, size, size, THREE.RGBAFormat);
  tex.magFilter = THREE.LinearFilter;
  tex.minFilter = THREE.LinearMipmapLinearFilter;
  tex.generateMipmaps = true;
  tex.needsUpdate = true;
  return tex;
}

const GROUND_TEXELS = 512;
const TILE_TEXELS = 14;

/** Ground: stone tiles with per-tile colour jitter and dark grout, so motion shows everywhere. */
export function groundTexture(seed: number): THREE.DataTexture {
  const rng = createRng(seed);
  const tiles = Math.ceil(GROUND_TEXELS / TILE_TEXELS);
  const tileShade = Array.from({ length: tiles * tiles }, () => [rng.range(0.8, 1.15), rng.range(-12, 12)] as const);
  const data = new Uint8Array(GROUND_TEXELS * GROUND_TEXELS * 4);
  for (let v = 0; v < GROUND_TEXELS; v++) {
    for (let u = 0; u < GROUND_TEXELS; u++) {
      const tu = Math.floor(u / TILE_TEXELS);
      const tv = Math.floor(v / TILE_TEXELS);
      const [f, hueShift] = tileShade[tv * tiles + tu] as readonly [number, number];
      const grout = u % TILE_TEXELS === 0 || v % TILE_TEXELS === 0;
      const checker = (tu + tv) % 2 === 0 ? 1 : 0.88;
      const base = grout ? [70, 66, 60] : [150 * f * checker + hueShift, 138 * f * checker, 112 * f * checker - hueShift];
      const i = (v * GROUND_TEXELS + u) * 4;
      data[i] = Math.max(0, Math.min(255, base[0] as number));
      data[i + 1] = Math.max(0, Math.min(255, base[1] as number));
      data[i + 2] = Math.max(0, Math.min(255, base[2] as number));
      data[i + 3] = 255;
    }
  }
  return mipmapped(data, GROUND_TEXELS);
}

/** Grey brick pattern, tinted by each wall segment's colour: structure even when a wall fills the view. */
export function brickTexture(): THREE.DataTexture {
  const size = 64;
  const data = new Uint8Array(size * size * 4);
  const course = 8;
  const brick = 16;
  for (let v = 0; v < size; v++) {
    const row = Math.floor(v / course);
    const offset = row % 2 ? brick / 2 : 0;
    for (let u = 0; u < size; u++) {
      const mortar = v % course === 0 || (u + offset) % brick === 0;
      const jitter = ((row * 7 + Math.floor((u + offset) / brick) * 13) % 5) * 6;
      const g = mortar ? 150 : 225 + jitter;
      const i = (v * size + u) * 4;
      data[i] = data[i + 1] = data[i + 2] = Math.min(255, g);
      data[i + 3] = 255;
    }
  }
  const tex = mipmapped(data, size);
  tex.wrapS = tex.wrapT = THREE.RepeatWrapping;
  return tex;
}

/**
 * Centred on the courtyard; its radius keeps it beyond every wall and inside the far plane from
 * any allowed pose (a dome cut by the far plane shows the clear colour through the hole).
 */
export const SKY_RADIUS = CAMERA_FAR * 0.7;
export const SKY_HORIZON = 0xcfe8ff;

function skyDome(): THREE.Mesh {
  const geo = new THREE.SphereGeometry(SKY_RADIUS, 24, 12);
  const pos = geo.getAttribute('position');
  const colors = new Float32Array(pos.count * 3);
  const horizon = new THREE.Color(SKY_HORIZON);
  const zenith = new THREE.Color(0x3d7cc9);
  const c = new THREE.Color();
  for (let i = 0; i < pos.count; i++) {
    const t = Math.max(0, pos.getY(i) / SKY_RADIUS);
    c.copy(horizon).lerp(zenith, Math.pow(t, 0.6));
    colors.set([c.r, c.g, c.b], i * 3);
  }
  geo.setAttribute('color', new THREE.BufferAttribute(colors, 3));
  const mat = new THREE.MeshBasicMaterial({ vertexColors: true, side: THREE.BackSide, depthWrite: false });
  const mesh = new THREE.Mesh(geo, mat);
  // Drawn last with the depth test on, so only the sky that shows gets shaded (a third of a frame's cost otherwise).
  mesh.renderOrder = 1;
  return mesh;
}

function objectMesh(o: WorldObject, materials: (c: number) => THREE.Material): THREE.Object3D {
  const r = o.radius;
  const h = o.height;
  let geo: THREE.BufferGeometry;
  let y = h / 2;
  switch (o.kind) {
    case 'box':
      geo = new THREE.BoxGeometry(r * 1.41, h, r * 1.41 * 0.7);
      break;
    case 'cylinder':
      geo = new THREE.CylinderGeometry(r, r, h, 16);
      break;
    case 'cone':
      geo = new THREE.ConeGeometry(r, h, 16);
      break;
    case 'pyramid':
      geo = new THREE.ConeGeometry(r, h, 4);
      break;
    case 'sphere':
      geo = new THREE.SphereGeometry(r, 16, 12);
      y = r;
      break;
    case 'ring':
      geo = new THREE.TorusGeometry(r * 0.8, r * 0.2, 8, 20);
      y = r + 0.2;
      break;
    case 'tower': {
      // Striped so that height and distance read at a glance, capped with a cone.
      const group = new THREE.Group();
      const bands = 5;
      for (let i = 0; i < bands; i++) {
        const band = new THREE.Mesh(new THREE.CylinderGeometry(r, r, h / bands, 12), materials(i % 2 ? o.accent : o.color));
        band.position.y = (h / bands) * (i + 0.5);
        group.add(band);
      }
      const cap = new THREE.Mesh(new THREE.ConeGeometry(r * 1.3, r * 2.5, 12), materials(o.accent));
      cap.position.y = h + r * 1.25;
      group.add(cap);
      group.position.set(o.x, 0, o.z);
      group.rotation.y = o.rotation;
      return group;
    }
  }
  const mesh = new THREE.Mesh(geo, materials(o.color));
  mesh.position.set(o.x, y, o.z);
  mesh.rotation.y = o.rotation;
  return mesh;
}

export interface WorldScene {
  scene: THREE.Scene;
  dispose(): void;
}

/**
 * Bakes meshes into one geometry with per-vertex colours: a handful of draw calls per frame
 * instead of one per object, which is most of a frame's cost on a software GPU.
 */
function bake(meshes: THREE.Mesh[], uvScale?: (m: THREE.Mesh) => [number, number]): THREE.BufferGeometry {
  const parts = meshes.map((m) => {
    m.updateMatrixWorld(true);
    const g = (m.geometry.index ? m.geometry.toNonIndexed() : m.geometry.clone()).applyMatrix4(m.matrixWorld);
    const color = (m.material as THREE.MeshLambertMaterial).color;
    const n = g.getAttribute('position').count;
    const colors = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) colors.set([color.r, color.g, color.b], i * 3);
    g.setAttribute('color', new THREE.BufferAttribute(colors, 3));
    const uv = g.getAttribute('uv') as THREE.BufferAttribute | undefined;
    if (uv && uvScale) {
      const [su, sv] = uvScale(m);
      for (let i = 0; i < uv.count; i++) uv.setXY(i, uv.getX(i) * su, uv.getY(i) * sv);
    }
    for (const name of Object.keys(g.attributes)) if (!['position', 'normal', 'color', 'uv'].includes(name)) g.deleteAttribute(name);
    return g;
  });
  const merged = mergeGeometries(parts, false);
  for (const p of parts) p.dispose();
  if (!merged) throw new Error('could not merge the scene geometry');
  return merged;
}

/** Baked chunks this wide: few draw calls, yet frustum culling still skips what is behind the camera. */
const CHUNK_METRES = 8;

function chunked(meshes: THREE.Mesh[], cell: number): THREE.Mesh[][] {
  const groups = new Map<string, THREE.Mesh[]>();
  const p = new THREE.Vector3();
  for (const m of meshes) {
    m.getWorldPosition(p);
    const key = `${Math.floor(p.x / cell)},${Math.floor(p.z / cell)}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k) as THREE.Mesh[]);
}

function collectMeshes(root: THREE.Object3D): THREE.Mesh[] {
  const out: THREE.Mesh[] = [];
  root.updateMatrixWorld(true);
  root.traverse((o) => {
    if (o instanceof THREE.Mesh) out.push(o);
  });
  return out;
}

export function buildScene(world: World): WorldScene {
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(SKY_HORIZON);
  const colorOnly = (c: number): THREE.Material => new THREE.MeshLambertMaterial({ color: c });
  scene.add(skyDome());

  const groundSize = world.wallHalfExtent * 2 + 4;
  const ground = new THREE.Mesh(
    new THREE.PlaneGeometry(groundSize, groundSize),
    new THREE.MeshLambertMaterial({ map: groundTexture(world.groundSeed) }),
  );
  ground.rotation.x = -Math.PI / 2;
  scene.add(ground);

  const thickness = 1.5;
  const wallMeshes = world.walls.map((w) => {
    const mesh = new THREE.Mesh(new THREE.BoxGeometry(w.length, w.height, thickness), colorOnly(w.color));
    const outward = thickness / 2;
    const [ox, oz] = w.side === 0 ? [0, -outward] : w.side === 1 ? [outward, 0] : w.side === 2 ? [0, outward] : [-outward, 0];
    mesh.position.set(w.x + ox, w.height / 2, w.z + oz);
    mesh.rotation.y = w.side % 2 === 1 ? Math.PI / 2 : 0;
    mesh.userData.size = [w.length, w.height];
    return mesh;
  });
  // One 64-texel brick tile spans 2 m of wall: a brick is 0.5 m x 0.25 m.
  const wallMaterial = new THREE.MeshLambertMaterial({ vertexColors: true, map: brickTexture() });
  for (const chunk of chunked(wallMeshes, CHUNK_METRES)) {
    scene.add(
      new THREE.Mesh(
        bake(chunk, (m) => [m.userData.size[0] / 2, m.userData.size[1] / 2]),
        wallMaterial,
      ),
    );
  }
  const objectRoot = new THREE.Group();
  for (const o of world.objects) objectRoot.add(objectMesh(o, colorOnly));
  const objectMaterial = new THREE.MeshLambertMaterial({ vertexColors: true });
  for (const chunk of chunked(collectMeshes(objectRoot), CHUNK_METRES)) scene.add(new THREE.Mesh(bake(chunk), objectMaterial));
  for (const m of [...wallMeshes, ...collectMeshes(objectRoot)]) {
    m.geometry.dispose();
    (m.material as THREE.Material).dispose();
  }

  scene.add(new THREE.HemisphereLight(0xdfefff, 0x6b5a45, 1.6));
  const sun = new THREE.DirectionalLight(0xfff4e0, 1.9);
  sun.position.set(0.45, 1, 0.3);
  scene.add(sun);

  return {
    scene,
    dispose: () => {
      scene.traverse((obj) => {
        if (obj instanceof THREE.Mesh) {
          obj.geometry.dispose();
          const mats = Array.isArray(obj.material) ? obj.material : [obj.material];
          for (const m of mats) {
            (m as THREE.MeshLambertMaterial).map?.dispose();
            m.dispose();
          }
        }
      });
    },
  };
}

export function createCamera(aspect = 1): THREE.PerspectiveCamera {
  const cam = new THREE.PerspectiveCamera(CAMERA_FOV_DEG, aspect, CAMERA_NEAR, CAMERA_FAR);
  cam.rotation.order = 'YXZ';
  return cam;
}

export function setCameraPose(cam: THREE.Camera, p: Pose): void {
  cam.position.set(p.x, p.y, p.z);
  cam.rotation.set(p.pitch, p.yaw, 0, 'YXZ');
  cam.updateMatrixWorld();
}
