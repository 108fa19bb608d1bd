/**
 * Record and share: the side-by-side view with its HUD line to WebM, MP4 or GIF, the action trace
 * as JSON, and a link that replays the run frame for frame.
 */
import { useEffect, useRef, useState } from 'react';
import { FORMAT_INFO, type RecordFormat } from '../../record/formats';
import { type Finished, RunRecording } from '../../record/runRecording';
import type { ModelSession } from '../../session/modelSession';
import type { StepLoop } from '../../session/stepLoop';
import { STEP_RATE_HZ } from '../../sim/contract';
import { useApp } from '../../store/store';

const kb = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(0)} KB`);

export function RecordPanel({ loop, session }: { loop: StepLoop | null; session: ModelSession }) {
  const [format, setFormat] = useState<RecordFormat>('webm');
  const [rec, setRec] = useState<RunRecording | null>(null);
  const [state, setState] = useState<'idle' | 'starting' | 'recording' | 'finishing'>('idle');
  const [steps, setSteps] = useState(0);
  const [done, setDone] = useState<(Finished & { url: string; traceUrl: string }) | null>(null);
  const recRef = useRef<RunRecording | null>(null);
  const notify = useApp((s) => s.notify);

  useEffect(() => {
    if (!loop) return;
    const r = new RunRecording(loop, session);
    recRef.current = r;
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setRec(r);
    return () => void r.cancel();
  }, [loop, session]);

  useEffect(() => {
    if (state !== 'recording' || !rec) return;
    const t = setInterval(() => setSteps(rec.steps), 250);
    return () => clearInterval(t);
  }, [state, rec]);

  useEffect(
    () => () => {
      if (done) {
        URL.revokeObjectURL(done.url);
        URL.revokeObjectURL(done.traceUrl);
      }
    },
    [done],
  );

  const stop = async () => {
    if (!rec) return;
    setState('finishing');
    try {
      const f = await rec.stop();
      setDone({ ...f, url: URL.createObjectURL(f.recording.blob), traceUrl: URL.createObjectURL(f.traceFile) });
      if (rec.stoppedBecause) notify('info', `Recording stopped: ${rec.stoppedBecause}.`);
    } catch (e) {
      notify('error', (e as Error).message);
    } finally {
      setState('idle');
    }
  };

  const start = async () => {
    if (!rec) return;
    setDone(null);
    setState('starting');
    try {
      recRef.current!.onAutoStop = () => void stop();
      await rec.start(format);
      setSteps(0);
      setState('recording');
    } catch (e) {
      notify('error', `Could not record: ${(e as Error).message}`);
      setState('idle');
    }
  };

  const stamp = 'world-model-run';
  return (
    <section className="panel record" aria-label="Record and share" data-testid="record">
      <h3>Record and share</h3>
      <div className="row">
        <label>
          as{' '}
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as RecordFormat)}
            disabled={state !== 'idle'}
            data-testid="record-format"
          >
            {(Object.keys(FORMAT_INFO) as RecordFormat[]).map((f) => (
              <option key={f} value={f}>
                {FORMAT_INFO[f].label}
              </option>
            ))}
          </select>
        </label>
        {state === 'recording' ? (
          <button type="button" onClick={() => void stop()} data-testid="record-stop">
            ■ Stop
          </button>
        ) : (
          <button type="button" onClick={() => void start()} disabled={!rec || state !== 'idle'} data-testid="record-start">
            ● Record
          </button>
        )}
      </div>
      {state === 'recording' && (
        <p className="recording" role="status" data-testid="record-status">
          ● recording: {steps} steps ({(steps / STEP_RATE_HZ).toFixed(1)} s of world time)
        </p>
      )}
      {state === 'finishing' && <p role="status">finishing the file…</p>}
      {done && (
        <div className="record-done" data-testid="record-done">
          <a href={done.url} download={`${stamp}.${FORMAT_INFO[done.recording.format].ext}`} data-testid="record-download">
            {FORMAT_INFO[done.recording.format].label}: {done.recording.frames} frames, {done.recording.seconds.toFixed(1)} s,{' '}
            {kb(done.recording.blob.size)}
            {done.recording.codec ? ` (${done.recording.codec})` : ''}
          </a>
          <a href={done.traceUrl} download={`${stamp}.json`} data-testid="record-trace">
            action trace (JSON, {done.trace.actions.length} steps)
          </a>
          <label>
            share link (replays this run exactly)
            <input readOnly value={done.shareUrl} data-testid="share-link" onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(done.shareUrl).then(
                () => notify('info', 'Share link copied.'),
                () => notify('error', 'Could not copy; select the link and copy it.'),
              )
            }
          >
            copy share link
          </button>
        </div>
      )}
    </section>
  );
}
