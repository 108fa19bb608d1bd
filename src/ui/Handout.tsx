/**
 * The students' one-page handout, printed from the app itself (the toolbar's "print handout", or
 * the browser's print): controls, the lessons in one line each, and the glossary, all from the
 * same tables the app shows, with the loaded model's numbers. Hidden on screen; the print
 * stylesheet shows it alone.
 */
import { useApp } from '../store/store';
import { GLOSSARY } from '../teach/glossary';
import { fillFacts } from '../teach/lessonFacts';
import { LESSONS } from '../teach/lessons';
import { KeyList } from './KeyList';

export function Handout() {
  const facts = useApp((s) => s.facts);
  return (
    <article className="handout" data-testid="handout">
      <h1>World-model playground: handout</h1>
      <p>
        Left: the true world, rendered. Right: what the world model imagines for the same camera. It turns each frame into a{' '}
        {fillFacts('{grid}', facts)} grid of codes and predicts the next frame’s codes from what it remembers and the action you take. Open
        it at <strong>{window.location.origin}</strong>.
      </p>
      <h2>Controls</h2>
      <KeyList className="handout-keys" />
      <h2>Lessons</h2>
      <ol className="handout-lessons">
        {LESSONS.map((l) => (
          <li key={l.id}>
            <strong>{l.title.replace(/^\d+\. /, '')}</strong> ({l.id}): {fillFacts(l.takeaway, facts)}
          </li>
        ))}
      </ol>
      <h2>Glossary</h2>
      <dl className="handout-glossary">
        {GLOSSARY.map((e) => (
          <div key={e.id}>
            <dt>{e.term}</dt>
            <dd>{fillFacts(e.text, facts)}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}
