import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { resolveModel, sourceKey } from '../engine/modelSource';
import { ModelSession } from '../session/modelSession';
import { bindKeyboard } from '../input/bindInputs';
import { Steering } from '../input/steering';
import { installDebugHook } from '../session/debugHook';
import { StepLoop } from '../session/stepLoop';
import { UnsupportedBrowserError } from '../sim/webgl2';
import { useApp } from '../store/store';
import { applyUrl } from '../store/urlBinding';
import { parseUrlState } from '../store/urlState';
import { ActionMeter } from './ActionMeter';
import { FramePanel } from './FramePanel';
import { Hud } from './Hud';
import { ModelControls } from './ModelControls';
import { ModelStatus } from './ModelStatus';
import { Joystick } from './Joystick';
import { KeyHelp } from './KeyHelp';
import { Glossary } from './Glossary';
import { Handout } from './Handout';
import { MiniMap } from './MiniMap';
import { ModelDrop } from './ModelDrop';
import { Notices } from './Notices';
import { PoseEditor } from './PoseEditor';
import { Toolbar } from './Toolbar';
import { useNarrow } from './useNarrow';
import { useUrlSync } from './useUrlSync';
import { WorldNote } from './WorldNote';
import { InsidesPanel } from './teach/InsidesPanel';
import { LessonPanel } from './teach/LessonPanel';
import { RecordPanel } from './teach/RecordPanel';
import { replay, sharedRun } from '../record/runRecording';
import { bindTeachKeys } from './teach/teachKeys';
import { bindPresentKeys } from './presentKeys';
import { factsOf } from '../teach/lessonFacts';

/** A shared run in the URL: replayed once the model (and the teacher, if it ran) is in. */
async function startReplay(loop: StepLoop, session: ModelSession): Promise<void> {
  const { notify } = useApp.getState();
  let run;
  try {
    run = await sharedRun(window.location.search);
  } catch (e) {
    notify('error', `The shared run cannot be replayed: ${(e as Error).message}`);
    return;
  }
  if (!run) return;
  const ready = () => {
    const s = useApp.getState();
    return s.phase === 'ready' && (s.model !== 'teacher' || s.teacherReady);
  };
  while (!ready()) {
    if (useApp.getState().phase === 'error') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  notify('info', `Replaying a shared run: ${run.actions.length} steps.`);
  useApp.getState().setReplay('running');
  await replay(loop, session, run);
  useApp.getState().setReplay('done');
  notify('info', 'The shared run has been replayed; paused on its last frame (P resumes).');
}

export function App() {
  const [steering] = useState(() => new Steering());
  const [loop, setLoop] = useState<StepLoop | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [session] = useState(() => new ModelSession());
  useUrlSync();
  const source = useApp((s) => s.source);
  const manifest = useQuery({
    queryKey: ['model', sourceKey(source)],
    queryFn: () => resolveModel(source),
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });
  const model = useApp((s) => s.model);
  const narrow = useNarrow();
  const present = useApp((s) => s.present);
  const controlsOpen = useApp((s) => s.controlsOpen);
  // rem sizes follow the root's font size, so presentation mode scales the whole page from one place
  useEffect(() => {
    document.documentElement.classList.toggle('present', present);
  }, [present]);

  // The engine starts once the manifest is in and a model is wanted (loading while the world is
  // still being built), and starts again when another model is opened.
  const wanted = model !== 'off';
  const resolved = manifest.data;
  useEffect(() => {
    if (!wanted || !resolved || session.loadedKey === resolved.key) return;
    const { backendChoice, model: m } = useApp.getState();
    void session.load(resolved, backendChoice, m === 'teacher');
  }, [wanted, resolved, session]);
  useEffect(() => () => session.dispose(), [session]);
  useEffect(() => {
    if (resolved) useApp.setState({ tokenGrid: resolved.manifest.tokens.grid[1], facts: factsOf(resolved.manifest) });
  }, [resolved]);

  useEffect(() => {
    const { state, errors } = parseUrlState(window.location.search);
    errors.forEach((e) => useApp.getState().notify('error', e));
    applyUrl(state);
    let l: StepLoop;
    try {
      l = new StepLoop(steering, state.world);
    } catch (e) {
      // The world cannot start (no WebGL 2): replace the app with an explanation, once.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setFatal(e instanceof UnsupportedBrowserError ? e.message : `Could not start the world: ${(e as Error).message}`);
      return;
    }
    l.model = session;
    installDebugHook(() => l, session);
    void l.reset(0, state.pose).then(() => {
      l.start();
      setLoop(l);
      void startReplay(l, session);
    });
    const unbindKeys = bindKeyboard(steering);
    const unbindTeach = bindTeachKeys(l);
    const unbindPresent = bindPresentKeys();
    const onR = (e: KeyboardEvent) => {
      if (e.code === 'KeyR' && !(e.target instanceof HTMLInputElement) && !e.ctrlKey && !e.metaKey) session.reanchor();
    };
    window.addEventListener('keydown', onR);
    const unbind = () => {
      unbindKeys();
      unbindTeach();
      unbindPresent();
      window.removeEventListener('keydown', onR);
    };
    return () => {
      unbind();
      l.dispose();
      setLoop(null);
    };
  }, [steering, session]);

  if (fatal) {
    return (
      <main className="fatal" role="alert">
        <h1>World-model playground</h1>
        <p>{fatal}</p>
        <p>Try a current Chrome, Edge, Firefox or Safari with hardware acceleration enabled.</p>
      </main>
    );
  }

  return (
    <div className={present ? 'app present' : 'app'}>
      <Toolbar loop={loop} manifest={resolved?.manifest ?? null} />
      <Notices />
      <ModelDrop />
      <main className="stage">
        <FramePanel title="Ground truth" subtitle="rendered by the world, 128×128" slot="groundTruth" steering={steering} testId="gt-view">
          {!narrow && <Joystick steering={steering} />}
        </FramePanel>
        <FramePanel
          title="Model prediction"
          subtitle="what the world model imagines, 128×128"
          slot="predicted"
          steering={steering}
          testId="pred-view"
        >
          <ModelStatus
            manifestError={manifest.error ?? null}
            teacherFiles={resolved ? [resolved.manifest.files.teacher_prev.path, resolved.manifest.files.teacher_step.path] : []}
          />
          {resolved && <WorldNote known={resolved.manifest.world.seed} />}
          <Hud />
        </FramePanel>
        {narrow && (
          <div className="touch-pad">
            <Joystick steering={steering} />
            <p className="hint">Left thumb: walk. Drag either view to look around.</p>
          </div>
        )}
        <aside className={controlsOpen ? 'side open' : 'side'} id="controls" aria-label="controls">
          <ModelControls session={session} />
          <PoseEditor loop={loop} />
          <ActionMeter />
          <MiniMap loop={loop} />
          <RecordPanel loop={loop} session={session} />
          <KeyHelp />
          <Glossary />
        </aside>
        {/* one column in presentation mode; in the normal layout its children are the stage's own grid items */}
        <div className="lesson-column">
          <LessonPanel loop={loop} />
          <InsidesPanel session={session} loop={loop} manifest={resolved?.manifest ?? null} />
        </div>
      </main>
      <Handout />
    </div>
  );
}
