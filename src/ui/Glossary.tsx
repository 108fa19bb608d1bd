/** The glossary panel, and the links to it from running text (a word's first mention). */
import type { ReactNode } from 'react';
import { useApp } from '../store/store';
import { GLOSSARY, linkTerms } from '../teach/glossary';
import { fillFacts } from '../teach/lessonFacts';

const entryOf = (id: string) => GLOSSARY.find((e) => e.id === id);

/** A word linked to its glossary entry; hovering shows the definition. */
export function Term({ id, children }: { id: string; children: ReactNode }) {
  const e = entryOf(id);
  const facts = useApp((s) => s.facts);
  if (!e) throw new Error(`no glossary entry '${id}'`);
  return (
    <a className="term" href={`#glossary-${id}`} title={fillFacts(e.text, facts)} data-testid={`term-${id}`}>
      {children}
    </a>
  );
}

/** Running text with its glossary words linked (`seen` carries over between paragraphs of one text). */
export function Linked({ text, seen }: { text: string; seen?: Set<string> }) {
  return (
    <>
      {linkTerms(text, seen).map((p, i) =>
        typeof p === 'string' ? (
          p
        ) : (
          <Term key={i} id={p.entry.id}>
            {p.text}
          </Term>
        ),
      )}
    </>
  );
}

export function Glossary() {
  const facts = useApp((s) => s.facts);
  return (
    <section className="panel glossary" aria-labelledby="glossary-title" id="glossary" data-testid="glossary">
      <h3 id="glossary-title">Glossary</h3>
      <dl>
        {GLOSSARY.map((e) => (
          <div key={e.id} id={`glossary-${e.id}`} tabIndex={-1}>
            <dt>{e.term}</dt>
            <dd>{fillFacts(e.text, facts)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
