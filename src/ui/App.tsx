import { useEffect, useState } from 'react';
import { bindKeyboard } from '../input/bindInputs';
import { Steering } from '../input/steering';
import { installDebugHook } from '../session/debugHook';
import { StepLoop, UnsupportedBrowserError } from '../session/stepLoop';
import { useApp } from '../store/store';
import { parseUrlState } from '../store/urlState';
import { ActionMeter } from './ActionMeter';
import { FramePanel } from './FramePanel';
import { Joystick } from './Joystick';
import { KeyHelp } from './KeyHelp';
import { MiniMap } from './MiniMap';
import { Notices } from './Notices';
import { PoseEditor } from './PoseEditor';
import { Toolbar } from './Toolbar';
import { useUrlSync } from './useUrlSync';

export function App() {
  const [steering] = useState(() => new Steering());
  const [loop, setLoop] = useState<StepLoop | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  useUrlSync();

  useEffect(() => {
    const { state, errors } = parseUrlState(window.location.search);
    const { notify, setWorldSeed, setUpscale } = useApp.getState();
    errors.forEach((e) => notify('error', e));
    setWorldSeed(state.world);
    setUpscale(state.upscale);
    let l: StepLoop;
    try {
      l = new StepLoop(steering, state.world);
    } catch (e) {
      // The world cannot start (no WebGL 2): replace the app with an explanation, once.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setFatal(e instanceof UnsupportedBrowserError ? e.message : `Could not start the world: ${(e as Error).message}`);
      return;
    }
    installDebugHook(() => l);
    void l.reset(0, state.pose).then(() => {
      l.start();
      setLoop(l);
    });
    const unbind = bindKeyboard(steering);
    return () => {
      unbind();
      l.dispose();
      setLoop(null);
    };
  }, [steering]);

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
    <div className="app">
      <Toolbar loop={loop} />
      <Notices />
      <main className="stage">
        <FramePanel title="Ground truth" subtitle="rendered by the world, 128×128" slot="groundTruth" steering={steering} testId="gt-view">
          <Joystick steering={steering} />
        </FramePanel>
        <FramePanel
          title="Model prediction"
          subtitle="what the world model imagines"
          slot="predicted"
          steering={steering}
          testId="pred-view"
          placeholder="No world model is loaded yet. The ground truth on the left is what a model will be scored against."
        />
        <aside className="side">
          <PoseEditor loop={loop} />
          <ActionMeter />
          <MiniMap loop={loop} />
          <KeyHelp />
        </aside>
      </main>
    </div>
  );
}
