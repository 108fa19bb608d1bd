/**
 * The guided lessons: a list (each a link, ?lesson=<id>), the open lesson's idea and its
 * "try this", which notices when it has been done. Works by keyboard alone: links and buttons.
 */
import { useEffect, useState } from 'react';
import type { StepLoop } from '../../session/stepLoop';
import { useApp } from '../../store/store';
import { applyLesson, clearLessonsDone, lessonsDone, markLessonDone } from '../../teach/applyLesson';
import { LESSONS, WRAP_UP_ID, WRAP_UP_QUESTIONS, lessonById } from '../../teach/lessons';
import { fillFacts } from '../../teach/lessonFacts';
import { progress } from '../../teach/progress';
import { Linked } from '../Glossary';

const hrefOf = (id: string) => {
  const q = new URLSearchParams(window.location.search);
  q.set('lesson', id);
  return `?${q.toString()}`;
};

export function LessonPanel({ loop }: { loop: StepLoop | null }) {
  const id = useApp((s) => s.lesson);
  const lesson = lessonById(id);
  const [done, setDone] = useState(() => lessonsDone());
  const [, setTick] = useState(0);
  const [now, setNow] = useState(false);
  const [ready, setReady] = useState<string | null>(null);
  const { setLesson } = useApp.getState();
  const facts = useApp((s) => s.facts);
  const phase = useApp((s) => s.phase);
  // a lesson about the model waits for its first prediction: before it, what the learner does shows nothing
  const waiting = !!lesson?.setup.model && (phase !== 'ready' || progress.frames.student + progress.frames.teacher === 0);

  // Set the lesson up once the world runs (a lesson from the URL waits for it).
  useEffect(() => {
    if (!lesson || !loop) return;
    let live = true;
    void applyLesson(lesson, loop).then(() => live && setReady(lesson.id));
    return () => {
      live = false;
    };
  }, [lesson, loop]);

  // Notice when the "try this" has been done.
  useEffect(() => {
    if (!lesson || ready !== lesson.id) return;
    const timer = setInterval(() => {
      const ok = lesson.done(progress, useApp.getState());
      setNow(ok);
      setTick((t) => t + 1); // the readout's numbers and the wait for the model change every frame
      if (ok) {
        markLessonDone(lesson.id);
        setDone(lessonsDone());
      }
    }, 250);
    return () => {
      clearInterval(timer);
      setNow(false);
    };
  }, [lesson, ready]);

  // Point at the control the lesson is about (in presentation mode, at the drawer's button while the control is in the closed drawer).
  useEffect(() => {
    if (!lesson?.highlight) return;
    let marked: Element[] = [];
    const find = setInterval(() => {
      marked.forEach((m) => m.classList.remove('lesson-highlight'));
      const el = document.querySelector(`[data-testid="${lesson.highlight}"]`);
      const drawer =
        el?.closest('.side:not(.open)') && useApp.getState().present ? document.querySelector('[data-testid="controls-toggle"]') : null;
      marked = [el, drawer].filter((m): m is Element => m !== null && m !== undefined);
      marked.forEach((m) => m.classList.add('lesson-highlight'));
    }, 500);
    return () => {
      clearInterval(find);
      marked.forEach((m) => m.classList.remove('lesson-highlight'));
    };
  }, [lesson]);

  const open = (next: string | null) => (e?: { preventDefault(): void }) => {
    e?.preventDefault();
    setReady(null);
    setLesson(next);
  };
  const index = lesson ? LESSONS.indexOf(lesson) : -1;
  const seen = new Set<string>(); // a word links to the glossary at its first mention in the lesson
  const next = LESSONS[index + 1];
  const previous = index > 0 ? LESSONS[index - 1] : undefined;
  return (
    <section className={lesson ? 'panel lessons has-lesson' : 'panel lessons'} aria-labelledby="lessons-title" data-testid="lessons">
      <header className="lessons-head">
        <h3 id="lessons-title">Lessons</h3>
        <nav aria-label="lessons">
          <ol>
            {LESSONS.map((l) => (
              <li key={l.id}>
                <a
                  href={hrefOf(l.id)}
                  onClick={open(l.id)}
                  aria-current={l.id === id ? 'page' : undefined}
                  data-testid={`lesson-link-${l.id}`}
                >
                  {l.title}
                  {done.has(l.id) ? ' ✓' : ''}
                </a>
              </li>
            ))}
          </ol>
        </nav>
        {done.size > 0 && (
          <button
            type="button"
            className="link"
            data-testid="lessons-clear"
            title="Forget which lessons are done on this machine (for the next student at a shared computer)"
            onClick={() => {
              clearLessonsDone();
              setDone(lessonsDone());
            }}
          >
            clear the ✓ marks
          </button>
        )}
      </header>
      {id === WRAP_UP_ID && (
        <article className="lesson wrap-up" data-testid="wrap-up">
          <h4>Wrap-up: what the {LESSONS.length} lessons showed</h4>
          <ol>
            {LESSONS.map((l) => (
              <li key={l.id}>
                <a href={hrefOf(l.id)} onClick={open(l.id)}>
                  {l.title.replace(/^\d+\. /, '')}
                </a>
                {done.has(l.id) ? ' ✓' : ''}: {fillFacts(l.takeaway, facts)}
              </li>
            ))}
          </ol>
          <p data-testid="wrap-up-count">
            {done.size >= LESSONS.length
              ? 'You did every lesson.'
              : `${LESSONS.filter((l) => done.has(l.id)).length} of ${LESSONS.length} lessons done here.`}
          </p>
          <h4>To talk about</h4>
          <ul>
            {WRAP_UP_QUESTIONS.map((q) => (
              <li key={q}>{q}</li>
            ))}
          </ul>
          <div className="lesson-buttons">
            <button type="button" onClick={open(LESSONS[LESSONS.length - 1]!.id)} data-testid="lesson-previous">
              Previous
            </button>
            <button type="button" onClick={open(null)} data-testid="lesson-close">
              Close lessons
            </button>
          </div>
        </article>
      )}
      {lesson && (
        <article className="lesson" data-testid="lesson" aria-live="polite">
          <h4>
            {lesson.title}
            <span className="lesson-count present-only">
              {' '}
              · {index + 1} of {LESSONS.length} (PageDown / PageUp)
            </span>
          </h4>
          {lesson.text.map((t, i) => (
            <p key={i}>
              <Linked text={fillFacts(t, facts)} seen={seen} />
            </p>
          ))}
          <div className={`try ${now ? 'done' : ''}`} data-testid="lesson-try">
            <strong>Try this:</strong> <Linked text={lesson.tryThis} seen={seen} />
            <div className="status" data-testid="lesson-status" role="status">
              {ready !== lesson.id
                ? 'setting up…'
                : now
                  ? '✓ Done: that is it.'
                  : waiting
                    ? 'Wait for the model: its first prediction is not on screen yet.'
                    : 'Not yet.'}
            </div>
            {lesson.readout && (
              <div className="readout" data-testid="lesson-readout">
                {lesson.readout(progress, useApp.getState())}
              </div>
            )}
          </div>
          <div className="lesson-buttons">
            <button type="button" onClick={() => loop && void applyLesson(lesson, loop)} data-testid="lesson-reset">
              Set it up again
            </button>
            {previous && (
              <button type="button" className="present-only" onClick={open(previous.id)} data-testid="lesson-previous">
                Previous
              </button>
            )}
            {next ? (
              <button type="button" onClick={open(next.id)} data-testid="lesson-next">
                Next: {next.title.replace(/^\d+\. /, '')}
              </button>
            ) : (
              <button type="button" onClick={open(WRAP_UP_ID)} data-testid="lesson-next">
                Next: wrap-up
              </button>
            )}
            <button type="button" onClick={open(null)} data-testid="lesson-close">
              Close lesson
            </button>
          </div>
        </article>
      )}
    </section>
  );
}
