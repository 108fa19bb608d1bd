/** Wires DOM events to a Steering instance; returns an unbind function. */
import type { Steering } from './steering';

/** A key pressed in a text field, select or editable element belongs to it, not to steering. */
export const isTyping = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);

export function bindKeyboard(steering: Steering, target: Window = window): () => void {
  const down = (e: KeyboardEvent) => {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (steering.keyDown(e.code)) e.preventDefault();
  };
  const up = (e: KeyboardEvent) => steering.keyUp(e.code);
  // Keys released while the tab is hidden never send keyup: drop everything on blur.
  const blur = () => steering.releaseAll();
  target.addEventListener('keydown', down);
  target.addEventListener('keyup', up);
  target.addEventListener('blur', blur);
  return () => {
    target.removeEventListener('keydown', down);
    target.removeEventListener('keyup', up);
    target.removeEventListener('blur', blur);
  };
}

/** Drag to look; with pointer lock, plain movement looks. */
export function bindPointerLook(steering: Steering, el: HTMLElement): () => void {
  let dragging: number | null = null;
  let last = { x: 0, y: 0 };
  const down = (e: PointerEvent) => {
    dragging = e.pointerId;
    last = { x: e.clientX, y: e.clientY };
    el.setPointerCapture(e.pointerId);
  };
  const move = (e: PointerEvent) => {
    if (document.pointerLockElement === el) {
      steering.look(e.movementX, e.movementY);
    } else if (dragging === e.pointerId) {
      steering.look(e.clientX - last.x, e.clientY - last.y);
      last = { x: e.clientX, y: e.clientY };
    }
  };
  const up = (e: PointerEvent) => {
    if (dragging === e.pointerId) dragging = null;
  };
  el.addEventListener('pointerdown', down);
  el.addEventListener('pointermove', move);
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', up);
  return () => {
    el.removeEventListener('pointerdown', down);
    el.removeEventListener('pointermove', move);
    el.removeEventListener('pointerup', up);
    el.removeEventListener('pointercancel', up);
  };
}
