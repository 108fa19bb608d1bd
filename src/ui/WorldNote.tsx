import { atlasActive, useApp } from '../store/store';

/** Says which world the model learned; in another world it still imagines that one. */
export function WorldNote({ known }: { known: number }) {
  const world = useApp((s) => s.worldSeed);
  const model = useApp((s) => s.model);
  const hasAtlas = useApp((s) => s.atlasFrames > 0);
  const atlasOn = useApp(atlasActive);
  if (model === 'off') return null;
  const other = world !== known;
  const atlasNote = !hasAtlas
    ? ''
    : atlasOn
      ? ` Its atlas (remembered frames of world ${known}) is on: where it recalls them, it shows world ${known}, not this one.`
      : ` Its atlas of world ${known} is off here, since it would recall the wrong world; switch it on in the model panel to see what memorising one world means.`;
  return (
    <div className={`world-note${other ? ' other' : ''}`} data-testid="world-note" role={other ? 'status' : undefined}>
      {other
        ? `This model learned world ${known} only: in world ${world} it still imagines world ${known}'s courtyard from what it sees.${atlasNote}`
        : `Trained on this world (seed ${known})`}
    </div>
  );
}
