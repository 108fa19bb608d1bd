/**
 * What the newest prediction was made from: the remembered frames in the student's slots, as
 * thumbnails with their age and whether each was the truth or the model's own imagining.
 */
import { THUMB, insightHolder } from '../../store/insightHolder';
import { RgbCanvas } from './RgbCanvas';
import { useInsightTick } from './useHolder';

export function MemoryStrip() {
  useInsightTick(4);
  const n = insightHolder.now;
  return (
    <div className="memory-strip" data-testid="memory-strip">
      <p className="muted">
        The newest prediction (step {n.step < 0 ? '–' : n.step}) was made from {n.slots.length} remembered frame
        {n.slots.length === 1 ? '' : 's'}, picked by how much of the new view each one covers (of {insightHolder.remembered.size}{' '}
        remembered). The map marks where each was seen.
      </p>
      <ol>
        {n.slots.map((s) => {
          if (s.atlas !== undefined) {
            return (
              <li key={`atlas-${s.atlas}`} className="atlas" data-testid="memory-slot">
                <span className="atlas-tile">atlas</span>
                <span>frame {s.atlas} of the learned world</span>
              </li>
            );
          }
          const kept = insightHolder.remembered.get(s.step);
          const truth = s.level === 0;
          return (
            <li key={s.step} className={truth ? 'truth' : 'own'} data-testid="memory-slot">
              {kept ? (
                <RgbCanvas data={kept.thumb} width={THUMB} height={THUMB} label={`remembered frame, ${n.step - s.step} steps ago`} />
              ) : (
                <span className="gone">not kept</span>
              )}
              <span>
                {n.step - s.step} step{n.step - s.step === 1 ? '' : 's'} ago · {truth ? 'truth' : 'its own'}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
