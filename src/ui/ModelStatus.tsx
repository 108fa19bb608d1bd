import { ManifestError } from '../engine/manifest';
import { type FileProgress, useApp } from '../store/store';

const mb = (b: number) => (b / 1e6).toFixed(1);

function Progress({ files, step, title, testId }: { files: [string, FileProgress][]; step: string; title: string; testId: string }) {
  const loaded = files.reduce((a, [, f]) => a + f.loaded, 0);
  const total = files.reduce((a, [, f]) => a + f.total, 0);
  return (
    <div className="model-status" data-testid={testId} role="status" aria-live="polite" aria-busy="true">
      <strong>{title}</strong>
      <progress data-testid="load-progress" max={Math.max(total, 1)} value={loaded} aria-label={title} />
      <span>
        {mb(loaded)} / {mb(total)} MB{step ? ` · ${step}` : ''}
      </span>
      <ul>
        {files.map(([name, f]) => (
          <li key={name}>
            {name}: {f.cached ? 'from cache' : `${Math.round((100 * f.loaded) / Math.max(1, f.total))}%`}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Over the prediction view whenever it has nothing to show: what is loading (the model, or the
 * teacher after it), how far, or what went wrong; never a blank view with "0.0 frames/s".
 */
export function ModelStatus({ manifestError, teacherFiles }: { manifestError: Error | null; teacherFiles: string[] }) {
  const phase = useApp((s) => s.phase);
  const files = useApp((s) => s.files);
  const step = useApp((s) => s.loadStep);
  const error = useApp((s) => s.modelError);
  const model = useApp((s) => s.model);
  const teacherReady = useApp((s) => s.teacherReady);
  const teacherError = useApp((s) => s.teacherError);
  const predicting = useApp((s) => s.predicting);
  const problems = manifestError instanceof ManifestError ? manifestError.problems : [];
  const message = manifestError?.message ?? error;
  if (message) {
    return (
      <div className="model-status error-box" role="alert" data-testid="model-error">
        <strong>The world model could not be loaded.</strong>
        <span>{message}</span>
        {problems.length > 1 && (
          <ul data-testid="model-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <span className="hint">The ground truth on the left still works. Reload to try again, or open another model.</span>
      </div>
    );
  }
  if (model === 'off') return <div className="placeholder">The model is off. Choose student or teacher to see its predictions.</div>;
  const list = Object.entries(files);
  if (phase !== 'ready')
    return (
      <Progress
        files={list.filter(([n]) => !teacherFiles.includes(n))}
        step={step}
        title="Loading the world model…"
        testId="model-loading"
      />
    );
  if (model === 'teacher' && teacherError) {
    return (
      <div className="model-status error-box" role="alert" data-testid="teacher-error">
        <strong>The teacher could not be loaded.</strong>
        <span>{teacherError}</span>
        <span className="hint">The student still works: choose it in the model panel.</span>
      </div>
    );
  }
  if (model === 'teacher' && !teacherReady) {
    return (
      <Progress
        files={list.filter(([n]) => teacherFiles.includes(n))}
        step={step}
        title="Loading the teacher… (it fills frames token by token: 2 more graphs, built after the student)"
        testId="teacher-loading"
      />
    );
  }
  if (!predicting) {
    return (
      <div className="placeholder" data-testid="model-waiting">
        Ready: encoding the ground truth, the first prediction follows…
      </div>
    );
  }
  return null;
}
