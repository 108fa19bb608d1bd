/**
 * Per-frame data lives here, outside React: render loops read it every animation frame and
 * compare `version` to know when to upload a new texture.
 */
import type { Frame } from '../sim/frame';

export interface HeldFrame {
  frame: Frame | null;
  version: number;
  /** how long the view took to upload and draw the newest version, ms */
  displayMs?: number;
}

export const frameHolder = {
  groundTruth: { frame: null, version: 0 } as HeldFrame,
  predicted: { frame: null, version: 0 } as HeldFrame,
};

export function publishFrame(slot: HeldFrame, frame: Frame): void {
  slot.frame = frame;
  slot.version += 1;
}
