/**
 * What the newest prediction was made from: the remembered frames in the student's slots, as
 * thumbnails with their age and whether each was the truth or the model's own imagining. A lesson
 * can ask it to hold: it stops on the first prediction that uses a true frame that old, so the
 * moment stays on screen until the learner lets go.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { type AtlasSource, atlasThumb, atlasThumbsVersion, subscribeAtlasThumbs } from '../../store/atlasThumbs';
import { THUMB, insightHolder, subscribeInsight } from '../../store/insightHolder';
import { useApp } from '../../store/store';
import { lessonById } from '../../teach/lessons';
import { progress } from '../../teach/progress';
import { RgbCanvas } from './RgbCanvas';
import { useInsightTick } from './useHolder';

type Slot = (typeof insightHolder.now.slots)[number];
interface Shown {
  step: number;
  slots: Slot[];
  /** how old the true frame it brought back was (a held moment; the lesson's readout says the same) */
  returnedAge?: number;
  /** the thumbnail of each slot's remembered frame (undefined: no longer kept) */
  thumbs: (Uint8Array | undefined)[];
  remembered: number;
}

/** The newest prediction's slots; copy: a held moment keeps its own, since the holder reuses buffers and forgets old frames. */
function shownNow(copy: boolean): Shown {
  const n = insightHolder.now;
  const thumbs = n.slots.map((s) => insightHolder.remembered.get(s.step)?.thumb);
  return copy
    ? {
        step: n.step,
        slots: n.slots.map((x) => ({ ...x })),
        thumbs: thumbs.map((t) => t?.slice()),
        remembered: insightHolder.remembered.size,
        returnedAge: progress.lastReturn?.step === n.step ? progress.lastReturn.age : undefined,
      }
    : { step: n.step, slots: n.slots, thumbs, remembered: insightHolder.remembered.size };
}

/** this prediction brought back a true frame at least `age` steps old (the lesson counters decide, session/lessonCounters.ts) */
const broughtBack = (step: number, age: number) =>
  progress.lastReturn !== null && progress.lastReturn.step === step && progress.lastReturn.age >= age;

/** atlas: where the pictures of atlas slots come from (null: labelled tiles only) */
export function MemoryStrip({ atlas }: { atlas: AtlasSource | null }) {
  useInsightTick(4);
  useSyncExternalStore(subscribeAtlasThumbs, atlasThumbsVersion);
  const holdAt = useApp((s) => lessonById(s.lesson)?.setup.holdMemory ?? null);
  // 'let go' follows live again for the rest of the lesson; a hold belongs to the lesson that asked for it
  const [hold, setHold] = useState<{ at: number; shown: Shown | 'released' } | null>(null);
  const mine = hold && hold.at === holdAt ? hold.shown : null;
  const held = mine === 'released' ? null : mine;

  // Watched on every change of the holder, not at the strip's 4 Hz, so the one prediction that reached back is not missed.
  useEffect(() => {
    if (holdAt === null || mine) return;
    const at = holdAt;
    return subscribeInsight(() => {
      const n = insightHolder.now;
      if (!broughtBack(n.step, at)) return;
      setHold({ at, shown: shownNow(true) });
    });
  }, [holdAt, mine]);

  const n = held ?? shownNow(false);
  return (
    <div className={held ? 'memory-strip held' : 'memory-strip'} data-testid="memory-strip">
      {held && (
        <p className="hold" role="status" data-testid="memory-held">
          Held: the prediction at step {held.step} used a true frame seen{' '}
          {held.returnedAge ?? Math.max(...held.slots.filter((s) => s.level === 0 && s.atlas === undefined).map((s) => held.step - s.step))}{' '}
          steps earlier.{' '}
          <button type="button" onClick={() => setHold({ at: holdAt ?? 0, shown: 'released' })} data-testid="memory-let-go">
            let go (follow live again)
          </button>
        </p>
      )}
      <p className="muted">
        The {held ? 'held' : 'newest'} prediction (step {n.step < 0 ? '–' : n.step}) was made from {n.slots.length} remembered frame
        {n.slots.length === 1 ? '' : 's'}, picked by how much of the new view each one covers (of {n.remembered} remembered). The map marks
        where each was seen.
      </p>
      <ol>
        {n.slots.map((s, i) => {
          if (s.atlas !== undefined) {
            const pic = atlas && atlasThumb(s.atlas, atlas);
            return (
              <li key={`atlas-${s.atlas}`} className="atlas" data-testid="memory-slot">
                {pic ? (
                  <RgbCanvas data={pic} width={THUMB} height={THUMB} label={`atlas frame ${s.atlas}, a training frame of this place`} />
                ) : (
                  <span className="atlas-tile">atlas</span>
                )}
                <span>atlas · frame {s.atlas} of the learned world</span>
              </li>
            );
          }
          const thumb = n.thumbs[i];
          const truth = s.level === 0;
          return (
            <li key={s.step} className={truth ? 'truth' : 'own'} data-testid="memory-slot">
              {thumb ? (
                <RgbCanvas data={thumb} width={THUMB} height={THUMB} label={`remembered frame, ${n.step - s.step} steps ago`} />
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
