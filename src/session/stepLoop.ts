/**
 * The fixed-rate loop: every 1/STEP_RATE_HZ seconds the current steering input becomes an action,
 * the simulator steps, the ground-truth frame goes to the frame holder and the pose to the store.
 * Runs on requestAnimationFrame with an accumulator, so display rate and step rate are decoupled.
 */
import { ACTION_KEYS, type Action, type Pose, STEP_RATE_HZ, ZERO_ACTION } from '../sim/contract';
import { progress } from '../teach/progress';
import { timeline } from './timeline';
import { FrameRenderer } from '../sim/frameRenderer';
import { SimEnv } from '../sim/simEnv';
import { buildWorld, type World } from '../sim/world';
import type { Steering } from '../input/steering';
import { frameHolder, publishFrame } from '../store/frameHolder';
import { useApp } from '../store/store';
import type { Observation } from '../types/env';
import type { ModelSession } from './modelSession';
import { yieldToEventLoop } from './yieldToEventLoop';
import { UnsupportedBrowserError, assertWebGL2 } from '../sim/webgl2';

/** Resolution of the ground truth the models see; the view upscales it. */
export const FRAME_RES = 128;
const MAX_CATCH_UP_STEPS = 3;
export const TRAIL_LENGTH = 600;
/** how often readouts, map and action meters refresh while steering */
const UI_HZ = 10;

function makeCanvas(): HTMLCanvasElement | OffscreenCanvas {
  return typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(FRAME_RES, FRAME_RES) : document.createElement('canvas');
}

export class StepLoop {
  world: World;
  readonly trail: Pose[] = [];
  private renderer: FrameRenderer;
  private env: SimEnv;
  private raf = 0;
  private last = 0;
  private acc = 0;
  /** a step (or a teacher token run) is in flight; the paced loop skips its tick meanwhile */
  private busy = false;
  /** the last queued step: steps run one after another, each after the one before has settled */
  private tail: Promise<unknown> = Promise.resolve();
  stepsTaken = 0;
  /** the world model beside the world, when one is loaded */
  model: ModelSession | null = null;
  /** while a script runs, the paced loop (and the steering input) stand aside */
  private scripted = false;

  constructor(
    private steering: Steering,
    worldSeed: number,
  ) {
    assertWebGL2();
    this.world = buildWorld(worldSeed);
    try {
      this.renderer = new FrameRenderer(this.world, FRAME_RES, FRAME_RES, { canvas: makeCanvas() });
    } catch (e) {
      throw new UnsupportedBrowserError(`This browser cannot render the world: WebGL 2 is unavailable (${(e as Error).message}).`);
    }
    this.env = new SimEnv(this.world, this.renderer);
  }

  private publish(obs: Observation, actionBefore: Action | null = null): void {
    // A jump (no action led here) tells the model its context no longer holds.
    if (actionBefore === null) this.model?.observe(obs, null);
    publishFrame(frameHolder.groundTruth, obs.frame);
    this.trail.push(obs.pose);
    if (this.trail.length > TRAIL_LENGTH) this.trail.splice(0, this.trail.length - TRAIL_LENGTH);
    this.pendingUi = { pose: obs.pose, t: obs.t, action: actionBefore };
    // Readouts, map and meters follow at most UI_HZ (each update re-renders and re-lays out
    // the page, CPU the model needs); jumps show at once, and the last state always lands.
    const now = performance.now();
    if (actionBefore === null || now - this.lastUi >= 1000 / UI_HZ) this.flushUi();
    else if (!this.uiTimer) this.uiTimer = setTimeout(() => this.flushUi(), 1000 / UI_HZ - (now - this.lastUi));
  }

  private pendingUi: { pose: Pose; t: number; action: Action | null } | null = null;
  private lastUi = 0;
  private uiTimer: ReturnType<typeof setTimeout> | null = null;

  private flushUi(): void {
    if (this.uiTimer) clearTimeout(this.uiTimer);
    this.uiTimer = null;
    const u = this.pendingUi;
    if (!u) return;
    this.pendingUi = null;
    this.lastUi = performance.now();
    const st = useApp.getState();
    if (u.action) st.setAction(u.action);
    st.setPose(u.pose, u.t);
  }

  async reset(seed: number, pose?: Pose | null): Promise<void> {
    this.trail.length = 0;
    let obs = await this.env.reset(seed);
    if (pose) obs = await this.env.teleport(pose);
    this.publish(obs);
  }

  async setWorld(seed: number, pose?: Pose | null): Promise<void> {
    this.world = buildWorld(seed);
    this.renderer.setWorld(this.world);
    this.env = new SimEnv(this.world, this.renderer);
    useApp.getState().setWorldSeed(seed);
    await this.reset(0, pose);
  }

  async teleport(pose: Pose): Promise<Pose> {
    const obs = await this.env.teleport(pose);
    this.publish(obs);
    return obs.pose;
  }

  /** Runs fn after every step queued before it (a promise queue, like the worker's), with busy set meanwhile. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      this.busy = true;
      try {
        return await fn();
      } finally {
        this.busy = false;
      }
    });
    this.tail = run.catch(() => {});
    return run;
  }

  /** Resolves once no step is queued or in flight. */
  private async settled(): Promise<void> {
    let t;
    do {
      t = this.tail;
      await t;
    } while (t !== this.tail);
  }

  private runSteps(n: number): Promise<void> {
    return this.serial(() => this.takeSteps(n));
  }

  private async takeSteps(n: number): Promise<void> {
    this.teacherAction = null; // a whole step replaces a teacher frame in progress
    let obs: Observation | null = null;
    let action: Action | null = null;
    for (let i = 0; i < n; i++) {
      const raw = this.nextAction ?? this.steering.sample();
      const a = this.actionFilter && !this.nextAction ? this.actionFilter(raw) : raw;
      action = a;
      const model = this.model;
      if (model?.active) {
        obs = await model.step(action, this.env.peek(a), () => this.env.step(a));
      } else {
        obs = await this.env.step(action);
        model?.observe(obs, action);
      }
      this.stepsTaken++;
    }
    if (obs) this.publish(obs, action);
  }

  private nextAction: Action | null = null;
  /** while recording: turns each live action into the one taken (quantized) and keeps it */
  actionFilter: ((a: Action) => Action) | null = null;

  /**
   * Benchmarks and tests: from `start` (a jump, so the model re-anchors there), takes these
   * actions back to back, as fast as the model allows, instead of the steering input. Nothing
   * else steps meanwhile, so the same start, actions and seed reproduce the same frames.
   */
  async runScript(actions: readonly Action[], start?: Pose | null, beforeStep?: (i: number) => void): Promise<void> {
    if (this.scripted) throw new Error('a script is already running');
    this.scripted = true;
    try {
      await this.settled();
      await this.model?.idle();
      if (start) await this.teleport(start);
      this.model?.scoring.clearRecords();
      for (const [i, a] of actions.entries()) {
        beforeStep?.(i);
        this.nextAction = a;
        await this.runSteps(1);
        await yieldToEventLoop();
      }
      await this.model?.idle();
    } finally {
      this.nextAction = null;
      this.scripted = false;
    }
  }

  /**
   * Back to a step on the timeline (paused there): the model's memory and sampler, the camera and
   * the session as they were. The steps after it become branch A; the ones taken next, branch B.
   */
  async rewind(key: number): Promise<void> {
    const model = this.model;
    if (!model) throw new Error('no model to rewind');
    await this.exclusive(async () => {
      const e = timeline.find(key);
      if (!e) throw new RangeError(`step ${key} is no longer on the timeline`);
      useApp.getState().setPaused(true);
      await model.rewind(e);
      const obs = await this.env.restore(e.pose, e.t);
      timeline.fork(key);
      this.publish(obs, ZERO_ACTION); // not a jump: the model's context still leads here
    });
  }

  /** the action of a teacher frame being stepped token by token (null: none in progress) */
  private teacherAction: Action | null = null;

  /** The teacher's next `count` tokens of the frame in progress (a new frame starts with the steering input). */
  async teacherTokens(count: number): Promise<void> {
    const model = this.model;
    if (this.scripted || !model) return;
    await this.serial(async () => {
      try {
        const begin = this.teacherAction === null;
        if (begin) {
          const raw = this.steering.sample();
          this.teacherAction = this.actionFilter ? this.actionFilter(raw) : raw;
        }
        const a = this.teacherAction!;
        const obs = await model.teacherTokens(a, this.env.peek(a), count, begin, () => this.env.step(a));
        if (obs) {
          this.teacherAction = null;
          this.stepsTaken++;
          this.publish(obs, a);
        }
      } catch (e) {
        this.teacherAction = null;
        throw e;
      }
    });
  }

  /** Teacher and student on the next step (the steering input as it is), without taking it. */
  async compare() {
    const model = this.model;
    if (!model) throw new Error('no model');
    return this.serial(() => {
      const a = this.steering.sample();
      return model.compare(a, this.env.peek(a));
    });
  }

  /** Runs fn with the paced loop standing aside and no step in flight (setting up a recording). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.scripted) throw new Error('a script is running');
    this.scripted = true;
    try {
      await this.settled();
      await this.model?.idle();
      return await fn();
    } finally {
      this.scripted = false;
    }
  }

  /** While paused: one step with the steering input as it is now (no keys: standing still). */
  async stepOnce(): Promise<void> {
    if (this.scripted) return;
    await this.settled();
    const raw = this.steering.sample();
    const a = this.actionFilter ? this.actionFilter(raw) : raw;
    progress.pausedSteps++;
    progress.pausedActions.add(ACTION_KEYS.map((k) => Math.sign(Math.round(a[k] * 100))).join(','));
    this.nextAction = a;
    try {
      await this.runSteps(1);
    } finally {
      this.nextAction = null;
    }
    await this.model?.idle();
  }

  start(): void {
    const dt = 1000 / STEP_RATE_HZ;
    const tick = (now: number) => {
      this.raf = requestAnimationFrame(tick);
      if (!this.last) this.last = now;
      this.acc += now - this.last;
      this.last = now;
      if (this.scripted || useApp.getState().paused) {
        this.acc = 0;
        return;
      }
      if (this.busy) return;
      let n = Math.floor(this.acc / dt);
      if (n === 0) return;
      // After a hidden tab or a long stall, drop the backlog instead of fast-forwarding.
      if (n > MAX_CATCH_UP_STEPS) n = 1;
      this.acc = this.acc % dt;
      void this.runSteps(n);
    };
    this.raf = requestAnimationFrame(tick);
  }

  stop(): void {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.last = 0;
  }

  get gpuName(): string {
    return this.renderer.gpuName;
  }

  dispose(): void {
    this.stop();
    if (this.uiTimer) clearTimeout(this.uiTimer);
    this.renderer.dispose();
  }
}
