import { useState } from 'react';
import type { StepLoop } from '../session/stepLoop';
import { useApp } from '../store/store';
import { OfflineBadge } from './OfflineBadge';
import { SeedInput } from './SeedInput';
import type { Manifest } from '../engine/manifest';
import { ModelCard } from './teach/ModelCard';

export function Toolbar({ loop, manifest }: { loop: StepLoop | null; manifest: Manifest | null }) {
  const worldSeed = useApp((s) => s.worldSeed);
  const upscale = useApp((s) => s.upscale);
  const setUpscale = useApp((s) => s.setUpscale);
  const notify = useApp((s) => s.notify);
  const [spawn, setSpawn] = useState(0);
  const present = useApp((s) => s.present);
  const controlsOpen = useApp((s) => s.controlsOpen);

  return (
    <header className="toolbar">
      <h1>World-model playground</h1>
      <label>
        world seed
        <SeedInput value={worldSeed} what="World seed" testId="world-seed" onCommit={(v) => void loop?.setWorld(v)} />
      </label>
      <button
        disabled={!loop}
        onClick={() => {
          const next = spawn + 1;
          setSpawn(next);
          void loop?.reset(next);
        }}
        title="Start again from another seeded spawn point"
      >
        respawn
      </button>
      <label>
        upscale
        <select data-testid="upscale" value={upscale} onChange={(e) => setUpscale(e.target.value as 'crisp' | 'smooth')}>
          <option value="crisp">crisp</option>
          <option value="smooth">smooth</option>
        </select>
      </label>
      <button
        className="mouse-only"
        onClick={() => document.querySelector<HTMLCanvasElement>('[data-testid=gt-view]')?.requestPointerLock?.()}
        title="Mouse moves the view until you press Esc"
      >
        lock mouse look
      </button>
      <button
        onClick={() => {
          void navigator.clipboard?.writeText(window.location.href).then(
            () => notify('info', 'Link copied: it opens this world at this pose.'),
            () => notify('error', 'Could not copy the link; copy it from the address bar.'),
          );
        }}
      >
        copy link
      </button>
      <button
        type="button"
        data-testid="print-handout"
        onClick={() => window.print()}
        title="A one-page handout for students: controls, lessons, glossary"
      >
        print handout
      </button>
      <ModelCard manifest={manifest} />
      <OfflineBadge />
      <span className="present-buttons">
        {present && (
          <button
            type="button"
            data-testid="controls-toggle"
            aria-expanded={controlsOpen}
            aria-controls="controls"
            onClick={() => useApp.getState().setControlsOpen(!controlsOpen)}
            title="The model panel, the pose, the map and the rest of the controls"
          >
            {controlsOpen ? 'hide controls' : 'controls'}
          </button>
        )}
        <button
          type="button"
          data-testid="present-toggle"
          aria-pressed={present}
          onClick={() => useApp.getState().setPresent(!present)}
          title="For a projector: the frames, the lesson and its view on one screen in large type (F; PageDown / PageUp change lesson, V enlarges its view)"
        >
          {present ? 'leave presentation' : 'present'}
        </button>
      </span>
    </header>
  );
}
