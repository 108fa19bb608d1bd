import type { ModelSession } from '../session/modelSession';
import { atlasActive, useApp } from '../store/store';
import type { AtlasChoice, ControlName, ModelChoice } from '../store/urlState';
import { openModelFiles } from './ModelDrop';
import { SeedInput } from './SeedInput';
import { progress } from '../teach/progress';

/** Which model imagines the next frame, how it samples, and when it looks at the truth again. */
export function ModelControls({ session }: { session: ModelSession | null }) {
  const model = useApp((s) => s.model);
  const temperature = useApp((s) => s.temperature);
  const topk = useApp((s) => s.topk);
  const seed = useApp((s) => s.seed);
  const anchor = useApp((s) => s.anchor);
  const teacherReady = useApp((s) => s.teacherReady);
  const phase = useApp((s) => s.phase);
  const label = useApp((s) => s.modelLabel);
  const source = useApp((s) => s.source);
  const problems = useApp((s) => s.modelProblems);
  const atlas = useApp((s) => s.atlas);
  const atlasFrames = useApp((s) => s.atlasFrames);
  const atlasOn = useApp(atlasActive);
  const learned = useApp((s) => s.learnedWorld);
  const { setModel, setSampling, setAnchor, setSource, setAtlas } = useApp.getState();
  // Exercise links (hide=..., lock=...) take controls away or fix them.
  const hidden = useApp((s) => s.hidden);
  const locked = useApp((s) => s.locked);
  const shows = (c: ControlName) => !hidden.includes(c);
  const fixed = (c: ControlName) => locked.includes(c) || undefined;

  return (
    <section className="panel model-controls" aria-label="model controls">
      <h3>World model</h3>
      {shows('model') && (
        <label className="row">
          model
          <select
            data-testid="model-select"
            disabled={fixed('model')}
            value={model}
            onChange={(e) => setModel(e.target.value as ModelChoice)}
          >
            <option value="student">student (one pass a frame)</option>
            <option value="teacher">teacher (token by token){teacherReady ? '' : ' — loads when chosen'}</option>
            <option value="off">off</option>
          </select>
        </label>
      )}
      {shows('decoding') && (
        <label
          className="row"
          title="Where the model is unsure, the most likely code of every token on its own is the average of the futures it cannot tell apart: a smear. A sample draws one of those futures instead: sharper, and a little less like the truth on average. A model with a noise sampler draws each token knowing what its neighbours drew, in the same single run, as its token-by-token teacher does."
        >
          decoding
          <select
            data-testid="decoding"
            disabled={fixed('decoding')}
            value={temperature === 0 ? 'greedy' : 'sample'}
            onChange={(e) => setSampling({ temperature: e.target.value === 'greedy' ? 0 : 1 })}
          >
            <option value="greedy">average (greedy): blurs where unsure</option>
            <option value="sample">sample: one possible future</option>
          </select>
        </label>
      )}
      {shows('temperature') && (
        <label className="row" title="0 = greedy (always the most likely token)">
          <span>
            temperature <output data-testid="temperature-value">{temperature.toFixed(2)}</output>
          </span>
          <input
            data-testid="temperature"
            disabled={fixed('temperature')}
            type="range"
            min={0}
            max={2}
            step={0.05}
            value={temperature}
            onChange={(e) => setSampling({ temperature: Number(e.target.value) })}
          />
        </label>
      )}
      {shows('topk') && (
        <label className="row" title="student: levels kept per FSQ digit (0 = all 8); the teacher samples from all tokens">
          top-k
          <select data-testid="topk" disabled={fixed('topk')} value={topk} onChange={(e) => setSampling({ topk: Number(e.target.value) })}>
            {[0, 1, 2, 3, 4, 6].map((k) => (
              <option key={k} value={k}>
                {k === 0 ? 'all' : k}
              </option>
            ))}
          </select>
        </label>
      )}
      {shows('seed') && (
        <label className="row">
          seed
          <SeedInput
            value={seed}
            what="Sampling seed"
            testId="sampling-seed"
            disabled={fixed('seed')}
            onCommit={(v) => {
              setSampling({ seed: v });
              session?.reanchor(); // a seed starts its sampling stream at an anchor
            }}
          />
        </label>
      )}
      {shows('anchor') && (
        <label className="row" title="dream: the model only sees its own predictions after the start">
          ground truth
          <select data-testid="anchor-mode" disabled={fixed('anchor')} value={anchor} onChange={(e) => setAnchor(Number(e.target.value))}>
            <option value={0}>dream (never re-anchor)</option>
            <option value={1}>re-anchor every frame</option>
            <option value={15}>every 15 frames (1 s)</option>
            <option value={45}>every 45 frames (3 s)</option>
          </select>
        </label>
      )}
      {atlasFrames > 0 && shows('atlas') && (
        <label
          className="row"
          title="The atlas: training frames the model carries as memory of the world it learned, retrieved beside what this session has seen"
        >
          <span>
            atlas <output data-testid="atlas-state">{atlasOn ? `on (${atlasFrames.toLocaleString('en')} frames)` : 'off'}</output>
          </span>
          <select
            data-testid="atlas"
            disabled={fixed('atlas')}
            value={atlas}
            onChange={(e) => {
              setAtlas(e.target.value as AtlasChoice);
              progress.atlasSwitches++;
            }}
          >
            <option value="auto">auto (on in world {learned ?? 0}, which it learned)</option>
            <option value="on">on: remember the learned world</option>
            <option value="off">off: only what this session saw</option>
          </select>
        </label>
      )}
      {shows('reanchor') && (
        <button
          data-testid="reanchor"
          disabled={phase !== 'ready' || fixed('reanchor')}
          onClick={() => session?.reanchor()}
          title="Encode the current ground truth into the model's context (R)"
        >
          re-anchor now
        </button>
      )}
      <div className="model-source">
        <span className="hint" data-testid="model-label">
          {label || 'no model loaded'}
        </span>
        {shows('open-model') && (
          <label
            className="file-open"
            title="A model folder's manifest.json and the .onnx (and atlas .bin) files it names (or drop the folder on the page)"
          >
            open another model…
            <input
              type="file"
              multiple
              accept=".json,.onnx,.bin"
              data-testid="model-files"
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                if (files.length) void openModelFiles(files, 'chosen files');
              }}
            />
          </label>
        )}
        {source.kind !== 'bundled' && (
          <button data-testid="bundled-model" onClick={() => setSource({ kind: 'bundled' })}>
            back to the bundled model
          </button>
        )}
        {problems.length > 0 && (
          <ul className="error" data-testid="open-problems" role="alert">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
