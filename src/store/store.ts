/** App state in zustand slices; per-frame pixels stay in frameHolder. */
import { create } from 'zustand';
import { type Action, type Pose, ZERO_ACTION } from '../sim/contract';
import { URL_DEFAULTS, type Upscale } from './urlState';

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

export type AppState = SimSlice & ViewSlice & NoticeSlice;

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

  notices: [],
  notify: (level, text) => set((s) => ({ notices: [...s.notices.slice(-4), { id: ++noticeId, level, text }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));
