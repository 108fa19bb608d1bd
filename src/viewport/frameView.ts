/**
 * Shows low-resolution frames (ground truth or prediction) on a textured quad, upscaled crisp
 * (nearest) or smooth (linear). Reads the mutable holder every animation frame and uploads a new
 * texture only when its version changes; no per-frame data passes through React.
 */
import * as THREE from 'three';
import type { HeldFrame } from '../store/frameHolder';
import type { Upscale } from '../store/urlState';

THREE.ColorManagement.enabled = false;

export class FrameView {
  private renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera = new THREE.OrthographicCamera(-0.5, 0.5, 0.5, -0.5, 0, 1);
  private texture: THREE.DataTexture | null = null;
  private rgba = new Uint8Array(0);
  private material = new THREE.MeshBasicMaterial({ color: 0xffffff });
  private seen = -1;
  private raf = 0;
  private upscale: Upscale = 'crisp';

  constructor(
    private canvas: HTMLCanvasElement,
    private slot: HeldFrame,
  ) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, alpha: false });
    this.renderer.outputColorSpace = THREE.LinearSRGBColorSpace;
    this.renderer.setClearColor(0x111418);
    const quad = new THREE.Mesh(new THREE.PlaneGeometry(1, 1), this.material);
    quad.visible = false; // until the first frame arrives
    this.scene.add(quad);
    this.camera.position.z = 0.5;
    this.observer.observe(canvas);
  }

  setUpscale(mode: Upscale): void {
    this.upscale = mode;
    this.canvas.style.imageRendering = mode === 'crisp' ? 'pixelated' : 'auto';
    if (this.texture) {
      const f = mode === 'crisp' ? THREE.NearestFilter : THREE.LinearFilter;
      this.texture.magFilter = this.texture.minFilter = f;
      this.texture.needsUpdate = true;
    }
    this.dirty = true;
  }

  private upload(): void {
    const frame = this.slot.frame;
    if (!frame) return;
    const n = frame.width * frame.height;
    if (!this.texture || this.texture.image.width !== frame.width || this.texture.image.height !== frame.height) {
      this.texture?.dispose();
      this.rgba = new Uint8Array(n * 4).fill(255);
      this.texture = new THREE.DataTexture(this.rgba, frame.width, frame.height, THREE.RGBAFormat);
      // Frame rows are top first; textures are bottom first.
      this.texture.flipY = false;
      this.texture.generateMipmaps = false;
      this.material.map = this.texture;
      this.material.needsUpdate = true;
      this.scene.children[0]!.scale.y = -1;
      this.scene.children[0]!.visible = true;
      this.setUpscale(this.upscale);
    }
    const src = frame.data;
    const dst = this.rgba;
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      dst[j] = src[i * 3] as number;
      dst[j + 1] = src[i * 3 + 1] as number;
      dst[j + 2] = src[i * 3 + 2] as number;
    }
    this.texture.needsUpdate = true;
  }

  private dirty = true;

  /** CSS size from a ResizeObserver: reading clientWidth every frame would force a layout each time. */
  private cssSize: { w: number; h: number } | null = null;
  private observer = new ResizeObserver((entries) => {
    const box = entries[0]?.contentRect;
    if (box) this.cssSize = { w: box.width, h: box.height };
  });

  /**
   * Fits the drawing buffer to the element's shape at the frame's own resolution (its shorter side
   * = the frame's height); the browser scales it up, pixelated (crisp) or smoothly. Drawing at the
   * screen's resolution instead cost ~32 ms of CPU a step on a software GL (headless Chromium's
   * SwiftShader: 15.1 -> 19.9 fps with the canvases hidden) for the same picture.
   */
  private resize(): boolean {
    const css = this.cssSize ?? { w: this.canvas.clientWidth, h: this.canvas.clientHeight };
    const side = this.slot.frame?.height ?? 128;
    const aspect = css.w > 0 && css.h > 0 ? css.w / css.h : 1;
    const w = Math.max(1, Math.round(aspect >= 1 ? side * aspect : side));
    const h = Math.max(1, Math.round(aspect >= 1 ? side : side / aspect));
    if (this.canvas.width === w && this.canvas.height === h) return false;
    this.renderer.setSize(w, h, false);
    // Letterbox: the frame stays square whatever the canvas shape.
    const cam = this.camera;
    if (aspect >= 1) [cam.left, cam.right, cam.top, cam.bottom] = [-aspect / 2, aspect / 2, 0.5, -0.5];
    else [cam.left, cam.right, cam.top, cam.bottom] = [-0.5, 0.5, 0.5 / aspect, -0.5 / aspect];
    cam.updateProjectionMatrix();
    return true;
  }

  start(): void {
    const tick = () => {
      this.raf = requestAnimationFrame(tick);
      const fresh = this.slot.version !== this.seen;
      const t0 = performance.now();
      if (fresh) {
        this.seen = this.slot.version;
        this.upload();
      }
      // Draw only when something changed: an idle view costs nothing (on a software GL it would
      // take CPU from the model).
      if (!this.resize() && !fresh && !this.dirty) return;
      this.dirty = false;
      this.renderer.render(this.scene, this.camera);
      if (fresh) this.slot.displayMs = performance.now() - t0;
    };
    tick();
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    this.observer.disconnect();
    this.texture?.dispose();
    this.material.dispose();
    this.renderer.dispose();
  }
}
