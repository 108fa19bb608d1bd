/**
 * The model card, written from the manifest alone: what the model is, where its data came from,
 * the compute each stage took with an energy and CO2 estimate (assumptions stated), the
 * evaluation table, and what it cannot do. A native <dialog>: focus moves in, Esc closes.
 */
import { useRef } from 'react';
import type { Manifest } from '../../engine/manifest';
import { progress } from '../../teach/progress';

/** Assumptions of the energy estimate, shown beside it. */
export const ENERGY = {
  /** average power of a 2-core slice of a server CPU under load, with its share of memory and power supply */
  watts: 35,
  /** grid carbon intensity, kg CO2 per kWh (close to the world average) */
  kgCo2PerKwh: 0.45,
};

type Rows = Record<string, Record<string, number>>;

export function energyOf(wallMinutes: Record<string, number>): { hours: number; kwh: number; kgCo2: number } {
  const hours = Object.values(wallMinutes).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) / 60;
  const kwh = (hours * ENERGY.watts) / 1000;
  return { hours, kwh, kgCo2: kwh * ENERGY.kgCo2PerKwh };
}

function EvalTable({ rows }: { rows: Rows }) {
  const hs = Object.keys(Object.values(rows)[0] ?? {});
  return (
    <table data-testid="card-eval">
      <thead>
        <tr>
          <th scope="col">dream from 1 true frame, PSNR dB</th>
          {hs.map((h) => (
            <th key={h} scope="col">
              {h.replace('h', '')} {h === 'h1' ? 'frame' : 'frames'} on
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Object.entries(rows).map(([name, r]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            {hs.map((h) => (
              <td key={h}>{r[h]?.toFixed(2) ?? '–'}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ModelCard({ manifest }: { manifest: Manifest | null }) {
  const ref = useRef<HTMLDialogElement>(null);
  const m = manifest;
  const data = m?.training_data as { source?: string; splits?: Record<string, { frames: number; episodes: number }> } | undefined;
  const compute = m?.compute as { hardware?: string; stage_wall_minutes?: Record<string, number>; training_cpu_hours?: number } | undefined;
  const dream = (m?.metrics.dream_psnr as { start_1?: Rows } | undefined)?.start_1;
  const targets = m?.metrics.targets as Record<string, boolean> | undefined;
  const e = compute?.stage_wall_minutes ? energyOf(compute.stage_wall_minutes) : null;
  return (
    <>
      <button
        type="button"
        data-testid="model-card-open"
        disabled={!m}
        onClick={() => {
          progress.modelCardOpened = true;
          ref.current?.showModal();
        }}
      >
        Model card
      </button>
      <dialog ref={ref} className="model-card" aria-labelledby="card-title" data-testid="model-card">
        {m && (
          <>
            <header>
              <h2 id="card-title">Model card: {m.id}</h2>
              <button type="button" onClick={() => ref.current?.close()} data-testid="model-card-close" aria-label="Close the model card">
                ✕
              </button>
            </header>
            {m.description && <p>{m.description}</p>}
            <h3>Data</h3>
            <p data-testid="card-data">{data?.source ?? 'not stated in the manifest'}</p>
            {data?.splits && (
              <ul>
                {Object.entries(data.splits).map(([k, v]) => (
                  <li key={k}>
                    {k}: {v.frames.toLocaleString('en')} frames in {v.episodes} episodes
                  </li>
                ))}
              </ul>
            )}
            <h3>Compute</h3>
            {compute ? (
              <>
                <p data-testid="card-compute">
                  {compute.hardware}. Training: <strong>{compute.training_cpu_hours} CPU hours</strong>. Wall time per pipeline stage
                  (minutes):{' '}
                  {Object.entries(compute.stage_wall_minutes ?? {})
                    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
                    .join(', ')}
                  .
                </p>
                {e && (
                  <p data-testid="card-energy">
                    Estimated energy: {e.kwh.toFixed(2)} kWh over {e.hours.toFixed(1)} hours of the stages listed, about{' '}
                    {(e.kgCo2 * 1000).toFixed(0)} g CO₂. Assumed: {ENERGY.watts} W for the machine while busy, {ENERGY.kgCo2PerKwh} kg CO₂
                    per kWh; stages the manifest does not list are not counted.
                  </p>
                )}
              </>
            ) : (
              <p>not stated in the manifest</p>
            )}
            <h3>Evaluation</h3>
            {dream ? <EvalTable rows={dream} /> : <p>no evaluation in the manifest</p>}
            {targets && (
              <ul className="targets">
                {Object.entries(targets).map(([k, ok]) => (
                  <li key={k}>
                    {ok ? '✓ met' : '✗ missed'}: {k.replaceAll('_', ' ')}
                  </li>
                ))}
              </ul>
            )}
            <h3>What it cannot do</h3>
            <ul data-testid="card-limitations">
              {(m.limitations ?? ['not stated in the manifest']).map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          </>
        )}
      </dialog>
    </>
  );
}
