import { type ReactNode, useEffect, useRef } from 'react';
import { bindPointerLook } from '../input/bindInputs';
import type { Steering } from '../input/steering';
import { frameHolder } from '../store/frameHolder';
import { useApp } from '../store/store';
import { FrameView } from '../viewport/frameView';

interface Props {
  title: string;
  subtitle: string;
  slot: keyof typeof frameHolder;
  steering: Steering;
  testId: string;
  children?: ReactNode;
  /** shown over the view while it has nothing to show */
  placeholder?: ReactNode;
}

export function FramePanel({ title, subtitle, slot, steering, testId, children, placeholder }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<FrameView | null>(null);
  const upscale = useApp((s) => s.upscale);
  const grid = useApp((s) => s.views.grid);
  const cell = useApp((s) => s.cell);
  const g = useApp((s) => s.tokenGrid);

  useEffect(() => {
    const canvas = canvasRef.current as HTMLCanvasElement;
    let view: FrameView;
    try {
      view = new FrameView(canvas, frameHolder[slot]);
    } catch (e) {
      useApp.getState().notify('error', `${title}: cannot create a WebGL view (${(e as Error).message})`);
      return;
    }
    viewRef.current = view;
    view.start();
    const unbind = bindPointerLook(steering, canvas);
    return () => {
      unbind();
      view.dispose();
      viewRef.current = null;
    };
  }, [slot, steering, title]);

  useEffect(() => viewRef.current?.setUpscale(upscale), [upscale]);

  return (
    <section className="panel frame-panel">
      <header>
        <h2>{title}</h2>
        <span className="subtitle">{subtitle}</span>
      </header>
      <div className="frame-wrap">
        <canvas
          ref={canvasRef}
          onPointerMove={(e) => {
            // With the token grid on, hovering a frame picks the cell under the mouse.
            if (!grid || e.pointerType !== 'mouse' || e.buttons !== 0 || document.pointerLockElement) return;
            const r = e.currentTarget.getBoundingClientRect();
            const c =
              Math.min(g - 1, Math.floor(((e.clientY - r.top) / r.height) * g)) * g +
              Math.min(g - 1, Math.floor(((e.clientX - r.left) / r.width) * g));
            if (c !== useApp.getState().cell) useApp.getState().setCell(c);
          }}
          data-testid={testId}
          className="frame-canvas"
          tabIndex={-1}
          role="img"
          aria-label={`${title}: ${subtitle}; drag to look around`}
        />
        {grid && (
          <div className="grid-overlay" aria-hidden="true" style={{ backgroundSize: `${100 / g}% ${100 / g}%` }}>
            {cell !== null && (
              <div
                className="cell"
                style={{
                  left: `${(cell % g) * (100 / g)}%`,
                  top: `${Math.floor(cell / g) * (100 / g)}%`,
                  width: `${100 / g}%`,
                  height: `${100 / g}%`,
                }}
              />
            )}
          </div>
        )}
        {placeholder && <div className="placeholder">{placeholder}</div>}
        {children}
      </div>
    </section>
  );
}
