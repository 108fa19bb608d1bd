/** The ground-truth environment: the contract's pose dynamics plus the shared frame renderer. */
import type { Environment, Observation } from '../types/env';
import { type Action, type Pose, applyAction, clampPose } from './contract';
import { createFrame, type Frame } from './frame';
import type { World } from './world';
import { spawnPose } from './world';

/** Anything that turns a pose into a frame (FrameRenderer in a browser). */
export interface PoseRenderer {
  readonly width: number;
  readonly height: number;
  render(pose: Pose, out?: Frame): Frame;
}

export class SimEnv implements Environment {
  private pose: Pose;
  private t = 0;
  private frame: Frame;

  constructor(
    readonly world: World,
    private renderer: PoseRenderer,
  ) {
    this.pose = spawnPose(world, 0);
    this.frame = createFrame(renderer.width, renderer.height);
  }

  /** the pose this.frame shows: the world is static, so the same pose renders the same frame */
  private shown: Pose | null = null;

  private observe(): Observation {
    const p = this.pose;
    const s = this.shown;
    // Standing still (and waiting for a model to load) re-rendered an identical frame 15 times a
    // second: on a software GL that is CPU the model's workers need.
    if (!s || s.x !== p.x || s.y !== p.y || s.z !== p.z || s.yaw !== p.yaw || s.pitch !== p.pitch) {
      this.renderer.render(p, this.frame);
      this.shown = { ...p };
    }
    return { frame: this.frame, pose: { ...p }, t: this.t };
  }

  async reset(seed: number): Promise<Observation> {
    this.pose = spawnPose(this.world, seed);
    this.t = 0;
    return this.observe();
  }

  /** Where `action` would take the camera from here (what step will render), without taking it. */
  peek(action: Action): Pose {
    return applyAction(this.pose, action, this.world.obstacles);
  }

  async step(action: Action): Promise<Observation> {
    this.pose = applyAction(this.pose, action, this.world.obstacles);
    this.t += 1;
    return this.observe();
  }

  /** Moves the camera (editable readout, shared links); the pose is clamped into the world. */
  async teleport(pose: Pose): Promise<Observation> {
    this.pose = clampPose(pose, this.world.obstacles);
    return this.observe();
  }

  /** Back to an earlier state of this run (rewind): the pose and step count as they were. */
  async restore(pose: Pose, t: number): Promise<Observation> {
    this.pose = { ...pose };
    this.t = t;
    return this.observe();
  }

  get currentPose(): Pose {
    return { ...this.pose };
  }
}
