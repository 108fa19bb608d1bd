/**
 * Keys for a presenter (a clicker sends PageDown and PageUp): F switches presentation mode, PageDown
 * and PageUp open the next and previous lesson, V enlarges the lesson's first view (again: back),
 * Esc puts an enlarged view back.
 */
import { isTyping } from '../input/bindInputs';
import { useApp } from '../store/store';
import { shownBoxes } from '../store/views';
import { LESSONS, WRAP_UP_ID } from '../teach/lessons';

export function bindPresentKeys(target: Window = window): () => void {
  const down = (e: KeyboardEvent) => {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const s = useApp.getState();
    if (e.code === 'KeyF') s.setPresent(!s.present);
    else if (e.code === 'PageDown' || e.code === 'PageUp') {
      const order = [...LESSONS.map((l) => l.id), WRAP_UP_ID];
      const i = order.indexOf(s.lesson ?? '');
      const next = e.code === 'PageDown' ? (i < 0 ? 0 : i + 1) : i - 1;
      if (next < 0 || next >= order.length) return;
      e.preventDefault(); // the page itself does not scroll
      s.setEnlarged(null);
      s.setLesson(order[next]!);
    } else if (e.code === 'KeyV') {
      const first = shownBoxes(s.views)[0];
      s.setEnlarged(s.enlarged ? null : (first ?? null));
    } else if (e.code === 'Escape' && s.enlarged && !document.querySelector('dialog[open]')) s.setEnlarged(null);
  };
  target.addEventListener('keydown', down);
  return () => target.removeEventListener('keydown', down);
}
