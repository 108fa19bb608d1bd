import { useApp } from '../store/store';

const mb = (b: number) => (b / 1e6).toFixed(1);

/** Over the prediction view until the model is ready: what is loading, how far, or what went wrong. */
export function ModelStatus({ manifestError }: { manifestError: string | null }) {
  const phase = useApp((s) => s.phase);
  const files = useApp((s) => s.files);
  const step = useApp((s) => s.loadStep);
  const error = useApp((s) => s.modelError);
  const model = useApp((s) => s.model);
  const message = manifestError ?? error;
  if (message) {
    return (
      <div className="model-status error-box" role="alert" data-testid="model-error">
        <strong>The world model could not be loaded.</strong>
        <span>{message}</span>
        <span className="hint">The ground truth on the left still works. Reload to try again.</span>
      </div>
    );
  }
  if (model === 'off') return <div className="placeholder">The model is off. Choose student or teacher to see its predictions.</div>;
  if (phase === 'ready') return null;
  const list = Object.entries(files);
  const loaded = list.reduce((a, [, f]) => a + f.loaded, 0);
  const total = list.reduce((a, [, f]) => a + f.total, 0);
  return (
    <div className="model-status" data-testid="model-loading">
      <strong>Loading the world model…</strong>
      <progress data-testid="load-progress" max={Math.max(total, 1)} value={loaded} />
      <span>
        {mb(loaded)} / {mb(total)} MB · {step}
      </span>
      <ul>
        {list.map(([name, f]) => (
          <li key={name}>
            {name}: {f.cached ? 'from cache' : `${Math.round((100 * f.loaded) / Math.max(1, f.total))}%`}
          </li>
        ))}
      </ul>
    </div>
  );
}
