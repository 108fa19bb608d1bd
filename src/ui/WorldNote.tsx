import { useApp } from '../store/store';

/** Says which world the model learned; in another world it still imagines that one. */
export function WorldNote({ known }: { known: number }) {
  const world = useApp((s) => s.worldSeed);
  const model = useApp((s) => s.model);
  if (model === 'off') return null;
  const other = world !== known;
  return (
    <div className={`world-note${other ? ' other' : ''}`} data-testid="world-note" role={other ? 'status' : undefined}>
      {other
        ? `This model learned world ${known} only: in world ${world} it still imagines world ${known}'s courtyard from what it sees.`
        : `Trained on this world (seed ${known})`}
    </div>
  );
}
