/** Sets the app up for a lesson's "try this": model, sampling, views, pause, and a start pose. */
import type { StepLoop } from '../session/stepLoop';
import { ZERO_ACTION } from '../sim/contract';
import { useApp } from '../store/store';
import { VIEW_NAMES } from '../store/views';
import type { Lesson } from './lessons';
import { resetProgress } from './progress';

export async function applyLesson(lesson: Lesson, loop: StepLoop | null): Promise<void> {
  const s = useApp.getState();
  const u = lesson.setup;
  if (u.model) s.setModel(u.model);
  if (u.anchor !== undefined) s.setAnchor(u.anchor);
  const sampling: Partial<{ temperature: number; topk: number; seed: number }> = {};
  if (u.temperature !== undefined) sampling.temperature = u.temperature;
  if (u.topk !== undefined) sampling.topk = u.topk;
  if (u.seed !== undefined) sampling.seed = u.seed;
  s.setSampling(sampling);
  s.setViews(Object.fromEntries(VIEW_NAMES.map((v) => [v, u.views.includes(v)])));
  if (u.guard) s.setDriftGuard(u.guard);
  if (u.atlas) s.setAtlas(u.atlas);
  s.setPaused(u.paused ?? false);
  if (u.pose && loop) {
    await loop.teleport(u.pose);
    const model = useApp.getState().model !== 'off' && (await modelReady(60_000));
    resetProgress(); // the frames shown from here count (a lesson waits for the first)
    if (model && u.preroll) await loop.runScript(Array.from({ length: u.preroll.steps }, () => ({ ...ZERO_ACTION, ...u.preroll!.action })));
    // Paused lessons start with a prediction on screen to look at (once the model is in).
    else if (model && u.paused) await loop.stepOnce();
  } else resetProgress();
}

function modelReady(timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (useApp.getState().phase === 'ready') return resolve(true);
    const timer = setTimeout(() => {
      off();
      resolve(false);
    }, timeoutMs);
    const off = useApp.subscribe((st) => {
      if (st.phase !== 'ready' && st.phase !== 'error') return;
      clearTimeout(timer);
      off();
      resolve(st.phase === 'ready');
    });
  });
}

const DONE_KEY = 'wmp.lessonsDone';

export function lessonsDone(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(DONE_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

export function markLessonDone(id: string): void {
  const d = lessonsDone();
  d.add(id);
  try {
    localStorage.setItem(DONE_KEY, JSON.stringify([...d]));
  } catch {
    // private mode: progress lasts for the page only
  }
}

/** Forgets every lesson's tick (shared lab machines: the next student starts clean). */
export function clearLessonsDone(): void {
  try {
    localStorage.removeItem(DONE_KEY);
  } catch {
    // private mode: nothing was kept
  }
}
