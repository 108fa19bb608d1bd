/**
 * A teaching view that can be shown large (for a projector): its enlarge button, or V for the
 * lesson's first view, lifts it over the page; the button again, or Esc, puts it back.
 */
import { type ReactNode, useEffect, useRef } from 'react';
import { useApp } from '../../store/store';
import type { ViewBox } from '../../store/views';

export function ViewFrame({ box, label, children }: { box: ViewBox; label: string; children: ReactNode }) {
  const enlarged = useApp((s) => s.enlarged === box);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (enlarged) button.current?.focus();
  }, [enlarged]);
  return (
    <div
      className={enlarged ? 'view-frame enlarged' : 'view-frame'}
      data-testid={`frame-${box}`}
      role={enlarged ? 'dialog' : undefined}
      aria-label={enlarged ? `${label}, enlarged` : undefined}
    >
      <button
        ref={button}
        type="button"
        className="enlarge"
        data-testid={`enlarge-${box}`}
        aria-pressed={enlarged}
        title={enlarged ? 'back to its place (Esc)' : `show ${label} large (V enlarges the lesson's first view)`}
        onClick={() => useApp.getState().setEnlarged(enlarged ? null : box)}
      >
        {enlarged ? '✕ back' : '⤢ enlarge'}
      </button>
      {children}
    </div>
  );
}
