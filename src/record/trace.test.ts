import { expect, it } from 'vitest';
import { ACTION_MAX, ZERO_ACTION } from '../sim/contract';
import { MAX_TRACE_STEPS, decodeActions, encodeActions, quantizeAction, urlPose } from './trace';

it('quantizes an action to what the replay will take, and quantizing again changes nothing', () => {
  const { action, normalized } = quantizeAction({ ...ZERO_ACTION, forward: ACTION_MAX.forward * 0.3333, yaw: -ACTION_MAX.yaw });
  expect(normalized[0]).toBe(42 / 127);
  expect(normalized[3]).toBe(-1);
  expect(quantizeAction(action).action).toEqual(action);
});

it('round-trips a run through the URL parameter, compactly', async () => {
  const actions = Array.from({ length: 450 }, (_, i) => [i % 2 ? 1 : 0, 0, 0, Math.round(Math.sin(i / 9) * 127) / 127, 0]);
  const param = await encodeActions(actions);
  expect(param).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(param.length).toBeLessThan(450 * 5);
  expect(await decodeActions(param)).toEqual(actions);
});

it('rejects damaged or oversized traces with a clear error', async () => {
  await expect(decodeActions('not*base64')).rejects.toThrow(/base64url/);
  await expect(decodeActions('AAAA')).rejects.toThrow(/damaged|whole number/);
  await expect(encodeActions(Array.from({ length: MAX_TRACE_STEPS + 1 }, () => [0, 0, 0, 0, 0]))).rejects.toThrow(/at most/);
});

it('rounds the start pose as the URL writes it', () => {
  expect(urlPose({ x: 1.234567, y: 1.7, z: -2.00001, yaw: 0.1, pitch: 0 })).toEqual({ x: 1.2346, y: 1.7, z: -2, yaw: 0.1, pitch: 0 });
});
