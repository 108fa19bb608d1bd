import { describe, expect, it } from 'vitest';
import { ZERO_ACTION, type Pose } from './contract';
import { createFrame, type Frame } from './frame';
import { SimEnv } from './simEnv';
import { buildWorld } from './world';

/** A renderer that counts its renders and writes the render number into the frame. */
class CountingRenderer {
  readonly width = 4;
  readonly height = 4;
  renders = 0;
  render(_pose: Pose, out: Frame = createFrame(4, 4)): Frame {
    out.data.fill(++this.renders);
    return out;
  }
}

describe('SimEnv', () => {
  it('renders a pose once: standing still reuses the frame, moving renders again', async () => {
    const r = new CountingRenderer();
    const env = new SimEnv(buildWorld(0), r);
    await env.reset(0);
    expect(r.renders).toBe(1);
    const still = await env.step(ZERO_ACTION);
    expect(r.renders).toBe(1);
    expect(still.frame.data[0]).toBe(1);
    expect(still.t).toBe(1);
    const moved = await env.step({ ...ZERO_ACTION, yaw: 0.05 });
    expect(r.renders).toBe(2);
    expect(moved.frame.data[0]).toBe(2);
    await env.teleport(moved.pose);
    expect(r.renders).toBe(2);
    await env.teleport({ ...moved.pose, x: moved.pose.x + 1 });
    expect(r.renders).toBe(3);
  });
});
