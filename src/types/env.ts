import type { Action, Pose } from '../sim/contract';
import type { Frame } from '../sim/frame';

/** What an environment shows after reset or a step. */
export interface Observation {
  frame: Frame;
  pose: Pose;
  /** steps since the last reset */
  t: number;
}

/**
 * The one interface of both the simulator (ground truth) and the world model (prediction), as in
 * DIAMOND: the UI drives either the same way and never cares which one it shows.
 */
export interface Environment {
  reset(seed: number): Promise<Observation>;
  step(action: Action): Promise<Observation>;
}
