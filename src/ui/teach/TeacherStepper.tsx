/**
 * The teacher decoding one token at a time: pause, then step. Each step runs the teacher once on
 * the tokens so far (kept in its KV cache) and picks the next token from its distribution over
 * the 4,096 codes; the prediction panel shows the frame filling in.
 */
import { useState } from 'react';
import { digitsOf } from '../../engine/insight';
import type { StepLoop } from '../../session/stepLoop';
import { insightHolder } from '../../store/insightHolder';
import { useApp } from '../../store/store';
import { useInsightTick } from './useHolder';

export function TeacherStepper({ loop, grid, levels }: { loop: StepLoop | null; grid: number; levels: number[] }) {
  useInsightTick(8);
  const paused = useApp((s) => s.paused);
  const teacherReady = useApp((s) => s.teacherReady);
  const [busy, setBusy] = useState(false);
  const t = insightHolder.teacher;
  const go = async (count: number) => {
    if (!loop) return;
    setBusy(true);
    try {
      await loop.teacherTokens(count);
      const now = insightHolder.teacher;
      if (now && !now.done) useApp.getState().setCell(now.position);
    } catch (e) {
      useApp.getState().notify('error', `The teacher could not step: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const left = t && !t.done ? t.total - t.kvPositions : null;
  const can = paused && teacherReady && !!loop && !busy;
  return (
    <div className="teacher-stepper" data-testid="teacher-stepper">
      <p className="muted">
        The teacher writes a frame one token at a time, in raster order, each chosen from its distribution over all 4,096 codes after
        reading every token before it (held in its KV cache).{' '}
        {teacherReady ? (paused ? 'Step it:' : 'Pause to step it.') : 'The teacher is still loading.'}
      </p>
      <div className="row">
        <button type="button" disabled={!can} onClick={() => void go(1)} data-testid="teacher-next">
          Next token
        </button>
        <button type="button" disabled={!can} onClick={() => void go(grid)} data-testid="teacher-row">
          Next row ({grid})
        </button>
        <button type="button" disabled={!can || !t || t.done} onClick={() => left && void go(left)} data-testid="teacher-finish">
          Finish the frame
        </button>
      </div>
      {t && (
        <div className="teacher-state" data-testid="teacher-state">
          <p data-testid="teacher-position">
            {t.done
              ? `Frame complete: ${t.total} tokens.`
              : `Token ${t.position + 1} of ${t.total} (row ${Math.floor(t.position / grid)}, column ${t.position % grid})`}{' '}
            · KV cache: <span data-testid="teacher-kv">{t.kvPositions}</span> of {t.total} positions ({(t.kvBytes / 1024).toFixed(0)} KB)
          </p>
          <table className="candidates" aria-label="the most likely codes for this token">
            <thead>
              <tr>
                <th scope="col">code</th>
                <th scope="col">digits</th>
                <th scope="col">probability</th>
              </tr>
            </thead>
            <tbody>
              {t.candidates.map((c) => (
                <tr key={c.id} className={c.id === t.token ? 'chosen' : ''} data-testid="teacher-candidate">
                  <td>
                    {c.id}
                    {c.id === t.token ? ' ← chosen' : ''}
                  </td>
                  <td>[{digitsOf(c.id, levels).join(', ')}]</td>
                  <td>
                    <span className="bar" style={{ width: `${Math.round(c.p * 100)}px` }} /> {(c.p * 100).toFixed(1)}%
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
