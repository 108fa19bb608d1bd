/**
 * Runs inside headless Chromium for the dataset generator: renders batches of poses with the
 * same FrameRenderer the app uses and hands back packed RGB bytes.
 */
import { type Pose, poseFromArray } from '../../src/sim/contract';
import { FrameRenderer } from '../../src/sim/frameRenderer';
import { buildWorld } from '../../src/sim/world';

let renderer: FrameRenderer | null = null;

export interface GeneratorApi {
  init(worldSeed: number, res: number): string;
  /** poses flattened [n * 5]; returns n * res * res * 3 RGB bytes (Playwright ships typed arrays natively) */
  renderBatch(poses: number[]): Uint8Array;
}

const api: GeneratorApi = {
  init(worldSeed, res) {
    renderer?.dispose();
    // 8x8 tiles of 128 px is a 1024 px canvas; keep the grid within 2048 px for larger frames.
    const tiles = Math.max(1, Math.min(8, Math.floor(2048 / res)));
    renderer = new FrameRenderer(buildWorld(worldSeed), res, res, { tiles, canvas: document.createElement('canvas') });
    return renderer.gpuName;
  },
  renderBatch(flat) {
    if (!renderer) throw new Error('init first');
    const n = flat.length / 5;
    const frameBytes = renderer.width * renderer.height * 3;
    const out = new Uint8Array(n * frameBytes);
    const poses: Pose[] = Array.from({ length: n }, (_, i) => poseFromArray(flat.slice(i * 5, i * 5 + 5)));
    renderer.renderBatch(poses, out);
    return out;
  },
};

(window as unknown as { generator: GeneratorApi }).generator = api;
document.title = 'generator ready';
