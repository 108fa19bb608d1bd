/**
 * Renders the world from a pose and reads it back as an RGB Frame. The dataset generator and the
 * app's ground-truth view share this class, so training data and displayed truth come from one
 * code path.
 *
 * It draws into its own canvas's multisampled default framebuffer (antialias: true), laid out as
 * a grid of `tiles x tiles` frames: the generator fills the whole grid and reads it back once per
 * batch; the app uses one tile. (A multisampled WebGLRenderTarget would be resolved by three.js
 * after every render call, which on a software GPU costs more than drawing the frame.)
 */
import * as THREE from 'three';
import type { Pose } from './contract';
import { type Frame, createFrame } from './frame';
import { buildScene, createCamera, setCameraPose, type WorldScene } from './scene';
import type { World } from './world';

export interface FrameRendererOptions {
  /** frames per side of the batch grid; 1 for single-frame use */
  tiles?: number;
  canvas?: HTMLCanvasElement | OffscreenCanvas;
}

export class FrameRenderer {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera: THREE.PerspectiveCamera;
  readonly tiles: number;
  private world: WorldScene;
  private gl: WebGL2RenderingContext;
  private rgba: Uint8Array;

  constructor(
    world: World,
    readonly width: number,
    readonly height: number,
    opts: FrameRendererOptions = {},
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8 || width > 1024 || height > 1024) {
      throw new RangeError(`frame size must be integers in [8, 1024], got ${width}x${height}`);
    }
    this.tiles = opts.tiles ?? 1;
    const canvas = opts.canvas ?? new OffscreenCanvas(1, 1);
    canvas.width = width * this.tiles;
    canvas.height = height * this.tiles;
    this.renderer = new THREE.WebGLRenderer({
      canvas,
      antialias: true,
      alpha: false,
      preserveDrawingBuffer: false,
      powerPreference: 'high-performance',
    });
    this.renderer.outputColorSpace = THREE.LinearSRGBColorSpace;
    this.renderer.setPixelRatio(1);
    this.renderer.autoClear = true;
    this.renderer.setScissorTest(true);
    this.gl = this.renderer.getContext() as WebGL2RenderingContext;
    this.camera = createCamera(width / height);
    this.world = buildScene(world);
    this.rgba = new Uint8Array(canvas.width * canvas.height * 4);
  }

  get scene(): THREE.Scene {
    return this.world.scene;
  }

  /** The GPU's name as WebGL reports it (SwiftShader in headless Chromium). */
  get gpuName(): string {
    const dbg = this.gl.getExtension('WEBGL_debug_renderer_info');
    return String(this.gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : this.gl.RENDERER));
  }

  setWorld(world: World): void {
    this.world.dispose();
    this.world = buildScene(world);
  }

  private drawTile(pose: Pose, i: number): void {
    const x = (i % this.tiles) * this.width;
    const y = Math.floor(i / this.tiles) * this.height;
    this.renderer.setViewport(x, y, this.width, this.height);
    this.renderer.setScissor(x, y, this.width, this.height);
    setCameraPose(this.camera, pose);
    this.renderer.render(this.world.scene, this.camera);
  }

  /** Copies tile i of the last readback into out (RGB, top row first). */
  private unpackTile(i: number, out: Uint8Array, offset: number): void {
    const { width: w, height: h } = this;
    const stride = w * this.tiles * 4;
    const tx = (i % this.tiles) * w;
    const ty = Math.floor(i / this.tiles) * h;
    const src = this.rgba;
    for (let y = 0; y < h; y++) {
      // GL rows start at the bottom; tile i occupies rows [ty, ty + h) counted from there
      let s = (ty + h - 1 - y) * stride + tx * 4;
      let d = offset + y * w * 3;
      for (let x = 0; x < w; x++, s += 4, d += 3) {
        out[d] = src[s] as number;
        out[d + 1] = src[s + 1] as number;
        out[d + 2] = src[s + 2] as number;
      }
    }
  }

  private readRows(rows: number): void {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.readPixels(
      0,
      0,
      this.width * this.tiles,
      rows,
      gl.RGBA,
      gl.UNSIGNED_BYTE,
      this.rgba.subarray(0, this.width * this.tiles * rows * 4),
    );
  }

  /** One frame from one pose. */
  render(pose: Pose, out: Frame = createFrame(this.width, this.height)): Frame {
    this.drawTile(pose, 0);
    this.readRows(this.height);
    this.unpackTile(0, out.data, 0);
    return out;
  }

  /** Many frames: `out` receives poses.length RGB frames back to back. Pixels match render(). */
  renderBatch(poses: readonly Pose[], out: Uint8Array): void {
    const per = this.tiles * this.tiles;
    const frameBytes = this.width * this.height * 3;
    if (out.length !== poses.length * frameBytes) throw new RangeError('output buffer has the wrong size');
    for (let start = 0; start < poses.length; start += per) {
      const count = Math.min(per, poses.length - start);
      for (let i = 0; i < count; i++) this.drawTile(poses[start + i] as Pose, i);
      const rows = Math.ceil(count / this.tiles) * this.height;
      this.readRows(rows);
      for (let i = 0; i < count; i++) this.unpackTile(i, out, (start + i) * frameBytes);
    }
  }

  dispose(): void {
    this.world.dispose();
    this.renderer.dispose();
  }
}
