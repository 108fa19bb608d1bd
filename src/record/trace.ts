/**
 * A run as data: the world, the start pose, the model and its settings, and every action taken,
 * so that a link replays it frame for frame. Actions are quantized to 1/127 of their range while
 * recording (the live run uses the quantized actions too, so the replay is exact), packed as
 * bytes, deflated and base64url-encoded into the URL.
 */
import { ACTION_KEYS, type Action, ACTION_MAX, type Pose, actionFromNormalized, normalizeAction, poseFromArray } from '../sim/contract';

export const TRACE_VERSION = 1;
/** a minute at the step rate: a link stays well under common URL limits */
export const MAX_TRACE_STEPS = 900;

export interface Trace {
  version: number;
  world: number;
  start: Pose;
  model: 'student' | 'teacher';
  temperature: number;
  topk: number;
  seed: number;
  anchor: number;
  /** normalized actions, each component a multiple of 1/127 in [-1, 1] */
  actions: number[][];
}

export class TraceError extends Error {
  override name = 'TraceError';
}

/** The action as it will be replayed: each normalized component rounded to a multiple of 1/127. */
export function quantizeAction(a: Action): { action: Action; normalized: number[] } {
  const q = Array.from(normalizeAction(a), (v) => Math.round(v * 127) / 127);
  return { action: actionFromNormalized(q), normalized: q };
}

/** Pose rounded as the URL writes it (4 decimals), so a link's start pose is the recorded one. */
export function urlPose(p: Pose): Pose {
  return poseFromArray([p.x, p.y, p.z, p.yaw, p.pitch].map((v) => Number(v.toFixed(4))));
}

const toBase64Url = (b: Uint8Array): string =>
  btoa(String.fromCharCode(...b))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new TraceError('the action trace has characters base64url does not use');
  const bin = atob(s.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** Actions -> the `trace` URL parameter. */
export async function encodeActions(actions: readonly number[][]): Promise<string> {
  if (actions.length > MAX_TRACE_STEPS)
    throw new TraceError(`a shared run holds at most ${MAX_TRACE_STEPS} steps, this one has ${actions.length}`);
  const bytes = new Int8Array(actions.length * ACTION_KEYS.length);
  actions.forEach((a, i) => a.forEach((v, k) => (bytes[i * ACTION_KEYS.length + k] = Math.round(v * 127))));
  return toBase64Url(await pipe(new Uint8Array(bytes.buffer), new CompressionStream('deflate-raw')));
}

/** The `trace` URL parameter -> actions; a clear error for anything that is not one. */
export async function decodeActions(param: string): Promise<number[][]> {
  let raw: Uint8Array;
  try {
    raw = await pipe(fromBase64Url(param), new DecompressionStream('deflate-raw'));
  } catch (e) {
    throw e instanceof TraceError
      ? e
      : new TraceError('the action trace in the link is damaged (it does not inflate); was the link cut short?');
  }
  const D = ACTION_KEYS.length;
  if (raw.length % D !== 0) throw new TraceError(`the action trace holds ${raw.length} bytes, not a whole number of ${D}-value actions`);
  if (raw.length / D > MAX_TRACE_STEPS) throw new TraceError(`the action trace has ${raw.length / D} steps, more than ${MAX_TRACE_STEPS}`);
  const v = new Int8Array(raw.buffer, raw.byteOffset, raw.length);
  const out: number[][] = [];
  for (let i = 0; i < v.length; i += D) {
    const a = Array.from(v.subarray(i, i + D), (x) => x / 127);
    if (a.some((x) => x < -1)) throw new TraceError(`action ${i / D} is out of range (below -1)`);
    out.push(a);
  }
  return out;
}

/** The trace as a JSON file (what the recording saves beside the video). */
export function traceJson(t: Trace): string {
  return JSON.stringify(
    { ...t, action_keys: ACTION_KEYS, action_max: ACTION_MAX, note: 'actions are normalized: multiply by action_max for units' },
    null,
    1,
  );
}
