/** App state in zustand slices; per-frame pixels stay in frameHolder. */
import { create } from 'zustand';
import { type Action, type Pose, ZERO_ACTION } from '../sim/contract';
import type { BackendInfo, FrameStats } from '../engine/protocol';
import type { ModelSource } from '../engine/modelSource';
import type { DriftGuard, ViewBox, ViewName } from './views';
import type { Facts } from '../teach/lessonFacts';
import {
  type AnchorEvery,
  type AtlasChoice,
  type BackendChoice,
  type ControlName,
  type ModelChoice,
  type Precision,
  URL_DEFAULTS,
  type Upscale,
} from './urlState';

export interface SimSlice {
  worldSeed: number;
  pose: Pose | null;
  action: Action;
  step: number;
  setWorldSeed(seed: number): void;
  setPose(pose: Pose, step: number): void;
  setAction(action: Action): void;
}

export interface ViewSlice {
  upscale: Upscale;
  setUpscale(u: Upscale): void;
}

export interface NoticeSlice {
  notices: { id: number; level: 'info' | 'error'; text: string }[];
  notify(level: 'info' | 'error', text: string): void;
  dismiss(id: number): void;
}

export interface FileProgress {
  loaded: number;
  total: number;
  cached: boolean;
}

/** What the HUD shows; refreshed a few times a second, not per frame. */
export interface Hud {
  fps: number;
  predictMs: number;
  decodeMs: number;
  displayMs: number;
  stats: FrameStats | null;
  psnr: number | null;
  /** mean PSNR since the last anchor */
  psnrMean: number | null;
  /** the last prediction's sharpness ratio: its image-gradient energy over the truth's (1 = as sharp) */
  sharpness: number | null;
  sinceAnchor: number;
  /** teacher: tokens of the frame in progress */
  tokens: { done: number; total: number } | null;
}

export interface ModelSlice {
  phase: 'off' | 'loading' | 'ready' | 'error';
  loadStep: string;
  files: Record<string, FileProgress>;
  backend: BackendInfo | null;
  loadMs: number | null;
  loadPhases: Record<string, number> | null;
  teacherReady: boolean;
  /** why the teacher could not be loaded (the student still runs) */
  teacherError: string | null;
  modelError: string | null;
  /** where the model comes from (the bundled one unless ?modelUrl= or dropped files say otherwise) */
  source: ModelSource;
  /** the loaded model's id and origin, for the UI */
  modelLabel: string;
  /** what was wrong with a model someone tried to open (every problem, one sentence each) */
  modelProblems: string[];
  /** a predicted frame has been shown since the model (re)loaded */
  predicting: boolean;
  model: ModelChoice;
  temperature: number;
  topk: number;
  seed: number;
  anchor: AnchorEvery;
  backendChoice: BackendChoice;
  threads: number;
  pipeline: boolean;
  precision: Precision;
  atlas: AtlasChoice;
  /** frames in the loaded model's atlas (0: it has none) */
  atlasFrames: number;
  /** the world seed the loaded model learned (null before a model loads) */
  learnedWorld: number | null;
  setAtlas(a: AtlasChoice): void;
  hud: Hud;
  setModel(m: ModelChoice): void;
  setSampling(s: Partial<{ temperature: number; topk: number; seed: number }>): void;
  setAnchor(n: AnchorEvery): void;
  patchModel(
    p: Partial<
      Pick<
        ModelSlice,
        | 'phase'
        | 'loadStep'
        | 'backend'
        | 'loadMs'
        | 'loadPhases'
        | 'teacherReady'
        | 'teacherError'
        | 'modelError'
        | 'modelLabel'
        | 'modelProblems'
        | 'predicting'
        | 'backendChoice'
        | 'threads'
        | 'pipeline'
        | 'precision'
        | 'atlasFrames'
        | 'learnedWorld'
      >
    >,
  ): void;
  setFileProgress(file: string, p: FileProgress): void;
  clearFileProgress(): void;
  setSource(source: ModelSource): void;
  setHud(h: Partial<Hud>): void;
}

const EMPTY_HUD: Hud = {
  fps: 0,
  predictMs: 0,
  decodeMs: 0,
  displayMs: 0,
  stats: null,
  psnr: null,
  psnrMean: null,
  sharpness: null,
  sinceAnchor: 0,
  tokens: null,
};

export interface OfflineSlice {
  /** ready: the service worker holds the app (it reopens without a network); online: navigator.onLine;
   * unavailable: why offline use is not possible here */
  offline: { ready: boolean; online: boolean; installable: boolean; unavailable?: string };
  patchOffline(p: Partial<OfflineSlice['offline']>): void;
}

export interface TeachSlice {
  views: Record<ViewName, boolean>;
  /** the loop stands still; 'step' advances one frame */
  paused: boolean;
  driftGuard: DriftGuard;
  /** the drift guard's verdict on the newest frames: the model's own uncertainty says it is lost */
  lost: boolean;
  /** the token cell the inspector shows (raster index), null = none */
  cell: number | null;
  /** the loaded model's token grid side (manifest tokens.grid) */
  tokenGrid: number;
  /** the facts lesson and glossary text state, from the model's manifest (null until it is read) */
  facts: Facts | null;
  /** the open lesson's id, null = none */
  lesson: string | null;
  /** exercise flags from the URL (hide=, lock=): controls not shown, and shown but fixed */
  hidden: ControlName[];
  locked: ControlName[];
  /** presentation mode (present=1): the frames, the lesson and its view on one screen in large type */
  present: boolean;
  /** a teaching view shown large over the page (the token maps count as one), null = none */
  enlarged: ViewBox | null;
  /** presentation mode hides the controls column; this shows it as a drawer */
  controlsOpen: boolean;
  setPresent(on: boolean): void;
  setEnlarged(v: ViewBox | null): void;
  setControlsOpen(open: boolean): void;
  setView(v: ViewName, on: boolean): void;
  setViews(v: Partial<Record<ViewName, boolean>>): void;
  setPaused(p: boolean): void;
  setDriftGuard(g: DriftGuard): void;
  setLost(l: boolean): void;
  setCell(c: number | null): void;
  setLesson(id: string | null): void;
  /** a shared run from the URL: being replayed, or replayed */
  replay: 'none' | 'running' | 'done';
  setReplay(r: 'none' | 'running' | 'done'): void;
}

/** Whether retrieval uses the atlas now: it exists, and it is on (auto: only in the world the model learned). */
export const atlasActive = (s: Pick<AppState, 'atlas' | 'atlasFrames' | 'learnedWorld' | 'worldSeed'>): boolean =>
  s.atlasFrames > 0 && (s.atlas === 'on' || (s.atlas === 'auto' && s.learnedWorld === s.worldSeed));

/** Something on screen needs the teacher (chosen, or a view that shows it): only then does it load. */
export const teacherNeeded = (s: Pick<AppState, 'model' | 'views'>): boolean =>
  s.model === 'teacher' || s.views.decoding || s.views.compare;

export type AppState = SimSlice & ViewSlice & NoticeSlice & ModelSlice & OfflineSlice & TeachSlice;

let noticeId = 0;

export const useApp = create<AppState>()((set) => ({
  worldSeed: URL_DEFAULTS.world,
  pose: null,
  action: { ...ZERO_ACTION },
  step: 0,
  setWorldSeed: (worldSeed) => set({ worldSeed }),
  setPose: (pose, step) => set({ pose, step }),
  setAction: (action) => set({ action }),

  upscale: URL_DEFAULTS.upscale,
  setUpscale: (upscale) => set({ upscale }),

  phase: 'off',
  loadStep: '',
  files: {},
  backend: null,
  loadMs: null,
  loadPhases: null,
  teacherReady: false,
  teacherError: null,
  modelError: null,
  source: { kind: 'bundled' },
  modelLabel: '',
  modelProblems: [],
  predicting: false,
  model: URL_DEFAULTS.model,
  temperature: URL_DEFAULTS.temperature,
  topk: URL_DEFAULTS.topk,
  seed: URL_DEFAULTS.seed,
  anchor: URL_DEFAULTS.anchor,
  backendChoice: URL_DEFAULTS.backend,
  threads: URL_DEFAULTS.threads,
  pipeline: URL_DEFAULTS.pipeline,
  precision: URL_DEFAULTS.precision,
  atlas: URL_DEFAULTS.atlas,
  atlasFrames: 0,
  learnedWorld: null,
  setAtlas: (atlas) => set({ atlas }),
  hud: EMPTY_HUD,
  setModel: (model) => set({ model }),
  setSampling: (p) => set(p),
  setAnchor: (anchor) => set({ anchor }),
  patchModel: (p) => set(p),
  setFileProgress: (file, p) => set((s) => ({ files: { ...s.files, [file]: p } })),
  clearFileProgress: () => set({ files: {} }),
  setSource: (source) => set({ source, modelProblems: [] }),
  setHud: (h) => set((s) => ({ hud: { ...s.hud, ...h } })),

  views: {
    grid: false,
    confidence: false,
    error: false,
    chart: false,
    memory: false,
    decoding: false,
    compare: false,
    blur: false,
    timeline: false,
  },
  paused: false,
  driftGuard: URL_DEFAULTS.guard,
  lost: false,
  cell: null,
  tokenGrid: 16,
  facts: null,
  lesson: null,
  hidden: [],
  locked: [],
  present: URL_DEFAULTS.present,
  enlarged: null,
  controlsOpen: false,
  setPresent: (present) => set({ present, controlsOpen: false }),
  setEnlarged: (enlarged) => set({ enlarged }),
  setControlsOpen: (controlsOpen) => set({ controlsOpen }),
  setView: (v, on) => set((s) => ({ views: { ...s.views, [v]: on } })),
  setViews: (v) => set((s) => ({ views: { ...s.views, ...v } })),
  setPaused: (paused) => set({ paused }),
  setDriftGuard: (driftGuard) => set({ driftGuard, lost: false }),
  setLost: (lost) => set({ lost }),
  setCell: (cell) => set({ cell }),
  setLesson: (lesson) => set({ lesson }),
  replay: 'none',
  setReplay: (replay) => set({ replay }),

  offline: { ready: false, online: true, installable: false },
  patchOffline: (p) => set((s) => ({ offline: { ...s.offline, ...p } })),

  notices: [],
  notify: (level, text) => set((s) => ({ notices: [...s.notices.slice(-4), { id: ++noticeId, level, text }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));
