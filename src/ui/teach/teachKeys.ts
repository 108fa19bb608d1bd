/**
 * Keys of the teaching mode: P pauses and resumes, "." steps one frame while paused, and while
 * paused any movement key steps one frame with that action (so action conditioning can be
 * walked through one keypress at a time).
 */
import { isTyping } from '../../input/bindInputs';
import { KEYMAP } from '../../input/keymap';
import type { StepLoop } from '../../session/stepLoop';
import { useApp } from '../../store/store';

export function bindTeachKeys(loop: StepLoop, target: Window = window): () => void {
  const down = (e: KeyboardEvent) => {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    const s = useApp.getState();
    if (e.code === 'KeyP') s.setPaused(!s.paused);
    else if (!s.paused || e.repeat) return;
    else if (e.code === 'Period') void loop.stepOnce();
    // after the steering handler has seen the key (it is registered first)
    else if (KEYMAP[e.code] && !(e.target instanceof HTMLCanvasElement && e.target.closest('.token-map'))) void loop.stepOnce();
  };
  target.addEventListener('keydown', down);
  return () => target.removeEventListener('keydown', down);
}
