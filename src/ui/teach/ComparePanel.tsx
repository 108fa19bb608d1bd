/**
 * Distillation side by side: the teacher (token by token) and the student (one pass) predict the
 * same next frame from the same memory, greedily. Where their tokens agree, and what each costs.
 */
import { useEffect, useRef, useState } from 'react';
import type { Compared } from '../../engine/protocol';
import type { StepLoop } from '../../session/stepLoop';
import { useApp } from '../../store/store';
import { progress } from '../../teach/progress';
import { RgbCanvas } from './RgbCanvas';

function Rgb({ data, side, label, testId }: { data: Uint8Array; side: number; label: string; testId: string }) {
  return (
    <figure>
      <RgbCanvas data={data} width={side} height={side} label={label} testId={testId} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** Okabe-Ito blue and orange: told apart with every common colour-vision deficiency. */
const AGREE = '#0072b2';
const DISAGREE = '#e69f00';

function AgreeMap({ agree, grid }: { agree: Uint8Array; grid: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const s = 128 / grid;
    // Blue and orange, not green and red (readable with red-green colour blindness), and a cross
    // on every disagreeing cell, so the map does not rest on colour alone.
    ctx.clearRect(0, 0, 128, 128);
    agree.forEach((a, i) => {
      const x = (i % grid) * s;
      const y = Math.floor(i / grid) * s;
      ctx.fillStyle = a ? AGREE : DISAGREE;
      ctx.fillRect(x, y, s - 1, s - 1);
      if (!a) {
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(x + 2, y + 2);
        ctx.lineTo(x + s - 3, y + s - 3);
        ctx.moveTo(x + s - 3, y + 2);
        ctx.lineTo(x + 2, y + s - 3);
        ctx.stroke();
      }
    });
  }, [agree, grid]);
  return (
    <figure>
      <canvas
        ref={ref}
        width={128}
        height={128}
        role="img"
        aria-label="where the two chose the same token (blue) and where not (orange, crossed)"
      />
      <figcaption>same token (blue) or not (orange ×)</figcaption>
    </figure>
  );
}

export function ComparePanel({ loop, grid, side }: { loop: StepLoop | null; grid: number; side: number }) {
  const teacherReady = useApp((s) => s.teacherReady);
  const [r, setR] = useState<Compared | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    if (!loop) return;
    setBusy(true);
    try {
      const c = await loop.compare();
      setR(c);
      progress.compared++;
      progress.lastAgreement = c.agreement;
    } catch (e) {
      useApp.getState().notify('error', `Could not compare: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="compare" data-testid="compare">
      <p className="muted">
        The student makes a frame in one pass; the teacher it was distilled from writes it token by token. Both predict the next step here
        from the same memory, greedily; nothing is remembered.
      </p>
      <button type="button" onClick={() => void run()} disabled={!teacherReady || !loop || busy} data-testid="compare-run">
        {teacherReady ? (busy ? 'comparing…' : 'Compare on the next step') : 'the teacher is still loading'}
      </button>
      {r && (
        <div className="compare-result">
          <Rgb data={r.student.frame} side={side} label={`student: ${r.student.ms.toFixed(0)} ms`} testId="compare-student" />
          <Rgb data={r.teacher.frame} side={side} label={`teacher: ${r.teacher.ms.toFixed(0)} ms`} testId="compare-teacher" />
          <AgreeMap agree={r.agree} grid={grid} />
          <p data-testid="compare-agreement">
            They chose the same code for <strong>{(r.agreement * 100).toFixed(0)}%</strong> of the {r.agree.length} tokens; the student was{' '}
            {(r.teacher.ms / Math.max(r.student.ms, 0.1)).toFixed(0)}× faster.
          </p>
        </div>
      )}
    </div>
  );
}
