import { useState } from 'react';
import type { StepLoop } from '../session/stepLoop';
import { useApp } from '../store/store';

export function Toolbar({ loop }: { loop: StepLoop | null }) {
  const worldSeed = useApp((s) => s.worldSeed);
  const upscale = useApp((s) => s.upscale);
  const setUpscale = useApp((s) => s.setUpscale);
  const notify = useApp((s) => s.notify);
  const [seedText, setSeedText] = useState<string | null>(null);
  const [spawn, setSpawn] = useState(0);

  const applySeed = () => {
    if (seedText === null || !loop) return;
    const v = Number(seedText);
    setSeedText(null);
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
      notify('error', `World seed must be a whole number from 0 to ${2 ** 31 - 1}; '${seedText}' was ignored.`);
      return;
    }
    if (v !== worldSeed) void loop.setWorld(v);
  };

  return (
    <header className="toolbar">
      <h1>World-model playground</h1>
      <label>
        world seed
        <input
          data-testid="world-seed"
          inputMode="numeric"
          value={seedText ?? String(worldSeed)}
          onChange={(e) => setSeedText(e.target.value)}
          onBlur={applySeed}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
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
    </header>
  );
}
