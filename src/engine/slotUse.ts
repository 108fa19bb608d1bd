/** What a prediction was made from, one entry a memory slot (the HUD, the strip, the map). */
import type { MemoryEntry } from './memory';

export interface SlotUse {
  /** session step the frame was remembered at */
  step: number;
  pose: number[];
  /** 0 = encoded ground truth; level_pred = the model's own frame */
  level: number;
  /** an atlas frame (the learned world's memory): its index; step is then -1 */
  atlas?: number;
}

export const slotUse = (e: MemoryEntry): SlotUse => ({
  step: e.step,
  pose: e.pose,
  level: e.level,
  ...(e.atlas === undefined ? {} : { atlas: e.atlas }),
});
