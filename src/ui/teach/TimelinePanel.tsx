/**
 * Rewind and branch: scrub back along the last few hundred steps, rewind to one (the model's
 * memory and sampler come back with it), take other actions from there, and see the two
 * branches side by side: the same past, different actions, different imagined futures.
 */
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { throttled } from './useHolder';
import type { StepLoop } from '../../session/stepLoop';
import { type TimelineEntry, compareBranches, timeline } from '../../session/timeline';
import { progress } from '../../teach/progress';
import type { Frame } from '../../sim/frame';
import { useApp } from '../../store/store';
import { RgbCanvas } from './RgbCanvas';

function FrameCanvas({ frame, size, label, testId }: { frame: Frame; size: number; label: string; testId?: string }) {
  return <RgbCanvas data={frame.data} width={frame.width} height={frame.height} size={size} label={label} testId={testId} />;
}

/** An action as arrows: forward/back, strafe, rise/sink, turn, look. */
export function actionGlyph(a: number[]): string {
  const [f = 0, s = 0, v = 0, yaw = 0, pitch = 0] = a;
  const parts: string[] = [];
  if (Math.abs(f) > 0.05) parts.push(f > 0 ? '↑' : '↓');
  if (Math.abs(s) > 0.05) parts.push(s > 0 ? '→' : '←');
  if (Math.abs(v) > 0.05) parts.push(v > 0 ? '⤒' : '⤓');
  if (Math.abs(yaw) > 0.05) parts.push(yaw > 0 ? '↺' : '↻');
  if (Math.abs(pitch) > 0.05) parts.push(pitch > 0 ? '⤴' : '⤵');
  return parts.join('') || '·';
}

function Strip({ name, entries, testId }: { name: string; entries: TimelineEntry[]; testId: string }) {
  return (
    <div className="branch" data-testid={testId}>
      <h4>{name}</h4>
      <ol>
        {entries.slice(0, 40).map((e, j) => (
          <li key={e.key} title={`step ${j + 1} after the fork: PSNR ${e.psnr.toFixed(1)} dB`}>
            <FrameCanvas frame={e.predicted} size={64} label={`${name}, step ${j + 1}`} />
            <span>
              {actionGlyph(e.action)} {e.psnr.toFixed(0)} dB
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function TimelinePanel({ loop }: { loop: StepLoop | null }) {
  const subscribe = useMemo(() => throttled(timeline.subscribe, 4), []);
  const version = useSyncExternalStore(subscribe, () => timeline.version);
  const [pick, setPick] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  // lesson 3 reads the two branches from here
  useEffect(() => {
    if (timeline.branchA.length) progress.branch = compareBranches(timeline.branchA, timeline.branchB);
  }, [version]);
  const entries = timeline.entries;
  const last = entries.length - 1;
  const i = pick === null || pick > last ? last : pick;
  const e = entries[i];
  const rewind = async () => {
    if (!loop || !e) return;
    setBusy(true);
    try {
      await loop.rewind(e.key);
      setPick(null);
    } catch (err) {
      useApp.getState().notify('error', `Could not rewind: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const a = timeline.branchA;
  const b = timeline.branchB;
  return (
    <div className="timeline" data-testid="timeline">
      <p className="muted">
        The last {entries.length} steps of this run. Scrub back, rewind, and take other actions from there: the model’s memory and its
        sampler come back too, so the same actions (and seed) give the same frames, and other actions show what the action changes.
      </p>
      {e ? (
        <div className="scrub">
          <FrameCanvas frame={e.predicted} size={128} label={`prediction at step ${i - last || 'now'}`} testId="timeline-preview" />
          <div>
            <input
              type="range"
              min={0}
              max={last}
              value={i}
              onChange={(ev) => setPick(Number(ev.target.value))}
              aria-label="step on the timeline"
              aria-valuetext={i === last ? 'now' : `${last - i} steps back`}
              data-testid="timeline-slider"
            />
            <p data-testid="timeline-position">
              {i === last ? 'now' : `${last - i} step${last - i === 1 ? '' : 's'} back`} · PSNR {e.psnr.toFixed(1)} dB · action{' '}
              {actionGlyph(e.action)}
            </p>
            <button type="button" disabled={busy || i === last || !loop} onClick={() => void rewind()} data-testid="timeline-rewind">
              Rewind here
            </button>
          </div>
        </div>
      ) : (
        <p>No steps yet.</p>
      )}
      {a.length > 0 && (
        <div className="branches" data-testid="branches">
          <Strip name="branch A (before the rewind)" entries={a} testId="branch-a" />
          <Strip name="branch B (since the rewind)" entries={b} testId="branch-b" />
        </div>
      )}
    </div>
  );
}
