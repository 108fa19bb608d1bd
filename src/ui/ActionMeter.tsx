import { ACTION_KEYS, ACTION_MAX, STEP_RATE_HZ } from '../sim/contract';
import { useApp } from '../store/store';

/** The action the model is given this step, each component as a bar in [-1, 1]. */
export function ActionMeter() {
  const action = useApp((s) => s.action);
  const step = useApp((s) => s.step);
  return (
    <section className="panel action-meter" aria-label="Current action">
      <h3>
        Action{' '}
        <span className="subtitle">
          step {step} · {STEP_RATE_HZ} steps/s
        </span>
      </h3>
      {ACTION_KEYS.map((k) => {
        const v = action[k] / ACTION_MAX[k];
        return (
          <div className="bar-row" key={k}>
            <span>{k}</span>
            <div className="bar" data-testid={`action-${k}`} data-value={v.toFixed(3)}>
              <div className="fill" style={{ left: `${50 + Math.min(0, v) * 50}%`, width: `${Math.abs(v) * 50}%` }} />
            </div>
          </div>
        );
      })}
    </section>
  );
}
