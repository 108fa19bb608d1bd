/**
 * One token up close: where it sits, the code the model chose and its FSQ digits, how unsure it
 * was, the code the encoder gives the truth there, and the 8 x 8 patch the decoder painted for
 * it beside the true patch. While paused the code can be edited: the model then continues from
 * what it was told it saw.
 */
import { useEffect, useState } from 'react';
import { digitsOf, idOf } from '../../engine/insight';
import type { ModelSession } from '../../session/modelSession';
import type { Frame } from '../../sim/frame';
import { insightHolder, meanOf } from '../../store/insightHolder';
import { progress } from '../../teach/progress';
import { useApp } from '../../store/store';
import { pixelError } from './errorMap';
import { RgbCanvas } from './RgbCanvas';
import { useInsightTick } from './useHolder';

const ZOOM = 64;

/** The patch of a frame under token `cell`, as a small frame. */
function patchOf(frame: Frame, cell: number, grid: number): Frame {
  const ps = frame.width / grid;
  const i0 = Math.floor(cell / grid) * ps;
  const j0 = (cell % grid) * ps;
  const data = new Uint8Array(ps * ps * 3);
  for (let y = 0; y < ps; y++)
    data.set(frame.data.subarray(((i0 + y) * frame.width + j0) * 3, ((i0 + y) * frame.width + j0 + ps) * 3), y * ps * 3);
  return { width: ps, height: ps, data };
}

function Patch({ frame, cell, grid, label }: { frame: Frame | null; cell: number; grid: number; label: string }) {
  const p = frame ? patchOf(frame, cell, grid) : null;
  return (
    <figure className="patch">
      {p && <RgbCanvas data={p.data} width={p.width} height={p.height} size={ZOOM} label={label} />}
      <figcaption>{label}</figcaption>
    </figure>
  );
}

export function CellInspector({ session, grid, levels }: { session: ModelSession; grid: number; levels: number[] }) {
  useInsightTick();
  const cell = useApp((s) => s.cell);
  const paused = useApp((s) => s.paused);
  const n = insightHolder.now;
  const [truthTokens, setTruthTokens] = useState<{ version: number; tokens: Int32Array } | null>(null);
  const [draftOf, setDraftOf] = useState<{ cell: number; version: number; digits: number[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [paint, setPaint] = useState('#d03030');

  // The truth's codes, encoded when a cell is inspected (one encoder run per shown frame).
  const version = n.version;
  useEffect(() => {
    if (cell === null || !n.truth || truthTokens?.version === version) return;
    let live = true;
    session.client.encode(n.truth.data).then(
      (tokens) => live && setTruthTokens({ version, tokens }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [cell, version, session, n.truth, truthTokens?.version]);

  if (cell === null || !n.tokens) {
    return (
      <div className="cell-inspector" data-testid="cell-inspector">
        <p className="muted">Pick a token on the map (click, or focus a map and use the arrow keys) to see its code.</p>
      </div>
    );
  }
  const id = n.tokens[cell]!;
  const digits = digitsOf(id, levels);
  const truthId = truthTokens?.version === version ? truthTokens.tokens[cell]! : null;
  if (truthId !== null) progress.inspected.add(cell);
  const h = n.entropy?.[cell];
  // mean |prediction - truth| over this token's patch only
  const err = n.predicted && n.truth ? meanOf(pixelError(patchOf(n.predicted, cell, grid), patchOf(n.truth, cell, grid))) : null;
  const draft = draftOf && draftOf.cell === cell && draftOf.version === version ? draftOf.digits : null;
  const setDraft = (d: number[] | null) => setDraftOf(d && { cell, version, digits: d });
  const shown = draft ?? digits;
  const apply = async (d: number[]) => {
    setBusy(true);
    try {
      await session.editToken(cell, idOf(d, levels));
      setDraft(null);
    } catch (e) {
      useApp.getState().notify('error', `Could not edit the token: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  /** Paints the patch one colour, lets the encoder find the code for it, and puts that code here. */
  const paintPatch = async () => {
    const f = n.predicted;
    if (!f) return;
    const rgb = [1, 3, 5].map((i) => parseInt(paint.slice(i, i + 2), 16));
    const data = f.data.slice();
    const ps = f.width / grid;
    const i0 = Math.floor(cell / grid) * ps;
    const j0 = (cell % grid) * ps;
    for (let y = i0; y < i0 + ps; y++) for (let x = j0; x < j0 + ps; x++) data.set(rgb, (y * f.width + x) * 3);
    setBusy(true);
    try {
      const tokens = await session.client.encode(data);
      await session.editToken(cell, tokens[cell]!);
    } catch (e) {
      useApp.getState().notify('error', `Could not paint the patch: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="cell-inspector" data-testid="cell-inspector">
      <h4>
        token row {Math.floor(cell / grid)}, column {cell % grid}{' '}
        <span className="muted">
          (position {cell} of {grid * grid}, raster order)
        </span>
      </h4>
      <dl>
        <div>
          <dt>predicted code</dt>
          <dd data-testid="cell-code">
            {id} = digits [{digits.join(', ')}]{n.edited ? ' (edited)' : ''}
          </dd>
        </div>
        <div>
          <dt>true code</dt>
          <dd data-testid="cell-truth-code">
            {truthId === null
              ? 'encoding…'
              : `${truthId} = digits [${digitsOf(truthId, levels).join(', ')}]${truthId === id ? ' — the same' : ''}`}
          </dd>
        </div>
        <div>
          <dt>uncertainty</dt>
          <dd data-testid="cell-entropy">
            {h === undefined
              ? 'switch on the uncertainty map to measure it'
              : `${h.toFixed(2)} nats (as unsure as a fair pick among ${Math.exp(h).toFixed(1)} codes)`}
          </dd>
        </div>
        <div>
          <dt>error here</dt>
          <dd>{err === null ? '–' : `${err.toFixed(1)} of 255 per channel`}</dd>
        </div>
      </dl>
      <div className="patches">
        <Patch frame={n.predicted} cell={cell} grid={grid} label="decoded patch" />
        <Patch frame={n.truth} cell={cell} grid={grid} label="true patch" />
      </div>
      <fieldset className="edit" disabled={!paused || busy}>
        <legend>Edit this token {paused ? '' : '(pause first)'}</legend>
        {shown.map((d, k) => (
          <label key={k}>
            digit {k + 1}
            <input
              type="number"
              min={0}
              max={levels[k]! - 1}
              value={d}
              data-testid={`edit-digit-${k}`}
              onChange={(e) => {
                const next = [...shown];
                next[k] = Math.max(0, Math.min(levels[k]! - 1, Math.round(Number(e.target.value) || 0)));
                setDraft(next);
              }}
            />
          </label>
        ))}
        <button type="button" data-testid="edit-apply" onClick={() => void apply(shown)}>
          Apply: the model now believes this
        </button>
        <button
          type="button"
          data-testid="edit-truth"
          disabled={truthId === null}
          onClick={() => truthId !== null && void apply(digitsOf(truthId, levels))}
        >
          Put the true code here
        </button>
        <label>
          or paint it <input type="color" value={paint} onChange={(e) => setPaint(e.target.value)} data-testid="paint-color" />
        </label>
        <button
          type="button"
          onClick={() => void paintPatch()}
          data-testid="paint-apply"
          title="the encoder picks the code closest to the painted patch"
        >
          Paint
        </button>
      </fieldset>
    </div>
  );
}
