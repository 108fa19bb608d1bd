/**
 * Shareable state in the URL (as in TensorFlow Playground): one declarative list of properties,
 * each with a parser that rejects bad values instead of propagating them. Where each lives in
 * the store: urlBinding.ts.
 */
import { z } from '../lib/zod';
import { POSE_KEYS, type Pose, poseFromArray } from '../sim/contract';
import { type DriftGuard, VIEW_NAMES, type ViewName } from './views';

export type Upscale = 'crisp' | 'smooth';

export type ModelChoice = 'student' | 'teacher' | 'off';
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';
export type Precision = 'auto' | 'float32';
/** auto: the atlas is on in the world the model learned, off in any other */
export type AtlasChoice = 'auto' | 'on' | 'off';
/** 0 = dream (never re-anchor); N = re-encode the ground truth every N frames */
export type AnchorEvery = number;
/** Controls an exercise link can hide or lock (hide=..., lock=...), as TensorFlow Playground's can. */
export const CONTROL_NAMES = ['model', 'decoding', 'temperature', 'topk', 'seed', 'anchor', 'atlas', 'reanchor', 'open-model'] as const;
export type ControlName = (typeof CONTROL_NAMES)[number];

export interface UrlState {
  world: number;
  pose: Pose | null;
  upscale: Upscale;
  model: ModelChoice;
  temperature: number;
  /** student: FSQ levels kept per digit, 0 = all */
  topk: number;
  seed: number;
  anchor: AnchorEvery;
  backend: BackendChoice;
  /** WASM threads, 0 = one per core (up to 4) */
  threads: number;
  /** WASM: decode in a second worker while the student predicts the next frame */
  pipeline: boolean;
  /** WASM: 'auto' runs the int8 student when the model has one; 'float32' the float student */
  precision: Precision;
  /** retrieve from the model's atlas (its long-term memory of the world it learned) */
  atlas: AtlasChoice;
  /** another model's folder (or its manifest.json) on this page's origin; null = the bundled model */
  modelUrl: string | null;
  /** teaching views switched on */
  views: ViewName[];
  guard: DriftGuard;
  /** an open lesson (lessons.ts ids) */
  lesson: string | null;
  /** exercise flags: controls not shown, and controls shown but fixed */
  hide: ControlName[];
  lock: ControlName[];
  /** presentation mode: the frames, the lesson and its view on one screen in large type */
  present: boolean;
}

export const URL_DEFAULTS: UrlState = {
  world: 0,
  pose: null,
  upscale: 'crisp',
  model: 'student',
  temperature: 0,
  topk: 0,
  seed: 0,
  anchor: 0,
  backend: 'auto',
  threads: 0,
  pipeline: true,
  precision: 'auto',
  atlas: 'auto',
  modelUrl: null,
  views: [],
  guard: 'off',
  lesson: null,
  hide: [],
  lock: [],
  present: false,
};

function controlList() {
  return z.string().transform((s, ctx) => {
    const names = s.split(',').filter(Boolean);
    const bad = names.filter((n) => !(CONTROL_NAMES as readonly string[]).includes(n));
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown control ${bad.map((b) => `'${b}'`).join(', ')} (controls: ${CONTROL_NAMES.join(', ')})`,
      });
      return z.NEVER;
    }
    return names as ControlName[];
  });
}

const props = {
  world: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  pose: z.string().transform((s, ctx) => {
    try {
      return poseFromArray(s.split(',').map((v) => (v.trim() === '' ? NaN : Number(v))));
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  }),
  upscale: z.enum(['crisp', 'smooth']),
  model: z.enum(['student', 'teacher', 'off']),
  temperature: z.coerce.number().min(0).max(5),
  topk: z.coerce.number().int().min(0).max(4096),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  anchor: z.coerce.number().int().min(0).max(10000),
  backend: z.enum(['auto', 'webgpu', 'wasm']),
  threads: z.coerce.number().int().min(0).max(16),
  pipeline: z.enum(['0', '1']).transform((v) => v === '1'),
  precision: z.enum(['auto', 'float32']),
  atlas: z.enum(['auto', 'on', 'off']),
  modelUrl: z.string().min(1).max(2048),
  views: z.string().transform((s, ctx) => {
    const names = s.split(',').filter(Boolean);
    const bad = names.filter((n) => !(VIEW_NAMES as readonly string[]).includes(n));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `unknown view ${bad.map((b) => `'${b}'`).join(', ')} (views: ${VIEW_NAMES.join(', ')})` });
      return z.NEVER;
    }
    return names as ViewName[];
  }),
  guard: z.enum(['off', 'warn', 'reanchor']),
  lesson: z.string().regex(/^[a-z-]{1,40}$/, 'a lesson id is lowercase letters and dashes'),
  hide: controlList(),
  lock: controlList(),
  present: z.enum(['0', '1']).transform((v) => v === '1'),
} satisfies Record<keyof UrlState, z.ZodType>;

export interface ParsedUrl {
  state: UrlState;
  /** one message per parameter that was present but invalid (and so ignored) */
  errors: string[];
}

export function parseUrlState(search: string): ParsedUrl {
  const params = new URLSearchParams(search);
  const state: UrlState = { ...URL_DEFAULTS };
  const errors: string[] = [];
  for (const key of Object.keys(props) as (keyof UrlState)[]) {
    const raw = params.get(key);
    if (raw === null) continue;
    const r = props[key].safeParse(raw);
    if (r.success) (state as unknown as Record<string, unknown>)[key] = r.data;
    else errors.push(`URL parameter '${key}=${raw}' ignored: ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { state, errors };
}

const fmt = (v: number): string => String(Number(v.toFixed(4)));

/** How a value is written back: the inverse of its parser in props (a test round-trips every key). */
const FORMAT: { [K in keyof UrlState]?: (v: NonNullable<UrlState[K]>) => string } = {
  pose: (p) => POSE_KEYS.map((k) => fmt(p[k])).join(','),
  pipeline: (v) => (v ? '1' : '0'),
  present: (v) => (v ? '1' : '0'),
};

const same = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? a.join(',') === b.join(',') : a === b);

/** The URL of a state: every key of props (in its order) that differs from its default. */
export function serializeUrlState(s: UrlState): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(props) as (keyof UrlState)[]) {
    const v = s[key];
    if (v === null || same(v, URL_DEFAULTS[key])) continue;
    const f = FORMAT[key] as ((v: unknown) => string) | undefined;
    params.set(key, f ? f(v) : Array.isArray(v) ? v.join(',') : String(v));
  }
  const q = params.toString();
  return q ? `?${q}` : '';
}
