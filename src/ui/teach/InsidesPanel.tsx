/**
 * "Inside the model": switches for the live views (each costs a little per frame only while on),
 * pause and single-step, the drift guard, and the views themselves.
 */
import type { Manifest } from '../../engine/manifest';
import type { AtlasSource } from '../../store/atlasThumbs';
import type { ModelSession } from '../../session/modelSession';
import type { StepLoop } from '../../session/stepLoop';
import { useApp } from '../../store/store';
import { type DriftGuard, VIEW_NAMES, type ViewName } from '../../store/views';
import { CellInspector } from './CellInspector';
import { CopyMap } from './CopyMap';
import { MemoryStrip } from './MemoryStrip';
import { Suspense, lazy, useMemo } from 'react';

// uPlot loads when the chart is first shown, not with the page.
const PsnrChart = lazy(() => import('./PsnrChart').then((m) => ({ default: m.PsnrChart })));
import { TokenMap } from './TokenMaps';
import { TeacherStepper } from './TeacherStepper';
import { ComparePanel } from './ComparePanel';
import { TimelinePanel } from './TimelinePanel';
import { BlurLab } from './BlurLab';
import { ViewFrame } from './ViewFrame';

const VIEW_LABEL: Record<ViewName, string> = {
  grid: 'tokens',
  confidence: 'uncertainty',
  error: 'error',
  chart: 'PSNR over time',
  memory: 'memory',
  decoding: 'teacher step by step',
  compare: 'teacher vs student',
  blur: 'why dreams blur',
  timeline: 'rewind and branch',
};

export function InsidesPanel({ session, loop, manifest }: { session: ModelSession; loop: StepLoop | null; manifest: Manifest | null }) {
  const views = useApp((s) => s.views);
  const paused = useApp((s) => s.paused);
  const guard = useApp((s) => s.driftGuard);
  const { setView, setPaused, setDriftGuard } = useApp.getState();
  const grid = manifest?.tokens.grid[0] ?? 16;
  const atlasKey = manifest?.atlas ? `${manifest.id}:${manifest.atlas.sha256}` : null;
  const atlasSource = useMemo<AtlasSource | null>(
    () =>
      atlasKey && manifest
        ? { key: atlasKey, width: manifest.frame.width, height: manifest.frame.height, frame: (i) => session.client.atlasFrame(i) }
        : null,
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key names the model; its frame size comes with it
    [atlasKey, session],
  );
  const levels = manifest?.tokens.fsq_levels ?? [8, 8, 8, 8];
  return (
    <section className="panel insides" aria-labelledby="insides-title" data-testid="insides">
      <header className="insides-head">
        <h3 id="insides-title">Inside the model</h3>
        <div className="toggles" role="group" aria-label="views">
          {VIEW_NAMES.map((v) => (
            <label key={v}>
              <input type="checkbox" checked={views[v]} data-testid={`view-${v}`} onChange={(e) => setView(v, e.target.checked)} />{' '}
              {VIEW_LABEL[v]}
            </label>
          ))}
        </div>
        <div className="transport" role="group" aria-label="time">
          <button type="button" data-testid="pause" aria-pressed={paused} onClick={() => setPaused(!paused)} title="P">
            {paused ? '▶ Resume' : '⏸ Pause'}
          </button>
          <button
            type="button"
            data-testid="step-once"
            disabled={!paused || !loop}
            onClick={() => void loop?.stepOnce()}
            title="full stop (.), or any movement key while paused"
          >
            Step one frame
          </button>
        </div>
        <label
          className="guard"
          title="The model's own uncertainty climbing well above its level just after an anchor means it no longer knows where it is."
        >
          drift guard
          <select data-testid="drift-guard" value={guard} onChange={(e) => setDriftGuard(e.target.value as DriftGuard)}>
            <option value="off">off</option>
            <option value="warn">warn when lost</option>
            <option value="reanchor">re-anchor when lost</option>
          </select>
        </label>
      </header>
      {(views.grid || views.confidence || views.error) && (
        <ViewFrame box="maps" label="the token maps">
          <div className="maps">
            {views.grid && <TokenMap kind="tokens" grid={grid} />}
            {views.confidence && <TokenMap kind="confidence" grid={grid} />}
            {views.error && <TokenMap kind="error" grid={grid} />}
            <CellInspector session={session} grid={grid} levels={levels} />
          </div>
        </ViewFrame>
      )}
      {views.decoding && (
        <ViewFrame box="decoding" label={VIEW_LABEL.decoding}>
          <TeacherStepper loop={loop} grid={grid} levels={levels} />
        </ViewFrame>
      )}
      {views.compare && (
        <ViewFrame box="compare" label={VIEW_LABEL.compare}>
          <ComparePanel loop={loop} grid={grid} side={manifest?.frame.width ?? 128} />
        </ViewFrame>
      )}
      {views.blur && (
        <ViewFrame box="blur" label={VIEW_LABEL.blur}>
          <BlurLab loop={loop} session={session} />
        </ViewFrame>
      )}
      {views.timeline && (
        <ViewFrame box="timeline" label={VIEW_LABEL.timeline}>
          <TimelinePanel loop={loop} />
        </ViewFrame>
      )}
      {views.memory && (
        <ViewFrame box="memory" label={VIEW_LABEL.memory}>
          <MemoryStrip atlas={atlasSource} />
          <CopyMap grid={grid} />
        </ViewFrame>
      )}
      {views.chart && (
        <ViewFrame box="chart" label={VIEW_LABEL.chart}>
          <Suspense fallback={<p className="muted">loading the chart…</p>}>
            <PsnrChart />
          </Suspense>
        </ViewFrame>
      )}
    </section>
  );
}
