import { useState } from 'react';
import { BOUNDS, POSE_KEYS, type Pose, isPoseValid } from '../sim/contract';
import type { StepLoop } from '../session/stepLoop';
import { useApp } from '../store/store';

const LABELS: Record<keyof Pose, string> = { x: 'x (m)', y: 'y (m)', z: 'z (m)', yaw: 'yaw (°)', pitch: 'pitch (°)' };
const toDeg = (k: keyof Pose, v: number): number => (k === 'yaw' || k === 'pitch' ? (v * 180) / Math.PI : v);
const fromDeg = (k: keyof Pose, v: number): number => (k === 'yaw' || k === 'pitch' ? (v * Math.PI) / 180 : v);
const show = (k: keyof Pose, v: number): string => toDeg(k, v).toFixed(k === 'yaw' || k === 'pitch' ? 1 : 2);

/** Live pose readout; edit a field and press Enter to move the camera there. */
export function PoseEditor({ loop }: { loop: StepLoop | null }) {
  const pose = useApp((s) => s.pose);
  const [editing, setEditing] = useState<Partial<Record<keyof Pose, string>>>({});
  const [error, setError] = useState<string | null>(null);

  const commit = async (key: keyof Pose) => {
    const raw = editing[key];
    setEditing((e) => ({ ...e, [key]: undefined }));
    if (raw === undefined || !pose || !loop) return;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) {
      setError(`${LABELS[key]}: '${raw}' is not a number`);
      return;
    }
    const wanted = { ...pose, [key]: fromDeg(key, v) };
    const got = await loop.teleport(wanted);
    if (!isPoseValid(wanted, loop.world.obstacles)) {
      setError(
        `${LABELS[key]} ${raw} is outside the world or inside an object; moved to the nearest allowed pose (${show(key, got[key])}).`,
      );
    } else setError(null);
  };

  return (
    <section className="panel pose-editor" aria-label="Camera pose">
      <h3>Camera pose</h3>
      <div className="pose-grid">
        {POSE_KEYS.map((k) => (
          <label key={k}>
            <span>{LABELS[k]}</span>
            <input
              data-testid={`pose-${k}`}
              inputMode="decimal"
              value={editing[k] ?? (pose ? show(k, pose[k]) : '')}
              onFocus={() => setEditing((e) => ({ ...e, [k]: pose ? show(k, pose[k]) : '' }))}
              onChange={(ev) => setEditing((e) => ({ ...e, [k]: ev.target.value }))}
              onBlur={() => void commit(k)}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter') (ev.target as HTMLInputElement).blur();
                if (ev.key === 'Escape') {
                  setEditing((e) => ({ ...e, [k]: undefined }));
                  (ev.target as HTMLInputElement).blur();
                }
              }}
            />
          </label>
        ))}
      </div>
      <p className="hint">
        x, z in ±{BOUNDS.halfExtent} m · y {BOUNDS.yMin}–{BOUNDS.yMax} m · pitch {Math.round((BOUNDS.pitchMin * 180) / Math.PI)}° to{' '}
        {Math.round((BOUNDS.pitchMax * 180) / Math.PI)}°
      </p>
      {error && (
        <p className="error" role="alert" data-testid="pose-error">
          {error}
        </p>
      )}
    </section>
  );
}
