/**
 * "Why dreams blur", side by side: the same start and actions dreamed greedily and with three
 * sampling seeds, each last frame beside the truth with its PSNR and sharpness.
 */
import { useState } from 'react';
import { type BlurRun, dreamFourWays } from '../../session/blurLab';
import type { ModelSession } from '../../session/modelSession';
import type { StepLoop } from '../../session/stepLoop';
import { useApp } from '../../store/store';
import { progress } from '../../teach/progress';
import { RgbCanvas } from './RgbCanvas';

const STEPS = 20;

export function BlurLab({ loop, session }: { loop: StepLoop | null; session: ModelSession }) {
  const [runs, setRuns] = useState<BlurRun[] | null>(null);
  const [busy, setBusy] = useState(false);
  const phase = useApp((s) => s.phase);
  const run = async () => {
    const pose = useApp.getState().pose;
    if (!loop || !pose) return;
    setBusy(true);
    try {
      const r = await dreamFourWays(loop, session, pose, STEPS);
      setRuns(r);
      const greedy = r[0]!;
      const samples = r.slice(1);
      progress.blurRuns++;
      progress.blur = {
        greedyPsnr: greedy.meanPsnr,
        greedySharpness: greedy.meanSharpness,
        samplePsnr: samples.reduce((a, s) => a + s.meanPsnr, 0) / samples.length,
        sampleSharpness: samples.reduce((a, s) => a + s.meanSharpness, 0) / samples.length,
      };
    } catch (e) {
      useApp.getState().notify('error', `Could not dream four ways: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const first = runs?.[0];
  return (
    <div className="blur-lab" data-testid="blur-lab">
      <p className="muted">
        From where you stand, the model starts again from one true frame and dreams {STEPS} steps of a slow left turn four times: once
        taking the most likely code of every token (greedy), then drawing a sample with three seeds. Same start, same actions.
      </p>
      <button type="button" data-testid="blur-run" disabled={!loop || busy || phase !== 'ready'} onClick={() => void run()}>
        {busy ? 'dreaming…' : `Dream ${STEPS} steps four ways from here`}
      </button>
      {runs && first && (
        <div className="blur-result">
          <figure>
            <RgbCanvas
              data={first.truth.data}
              width={first.truth.width}
              height={first.truth.height}
              label="the truth"
              testId="blur-truth"
            />
            <figcaption>truth, step {STEPS}</figcaption>
          </figure>
          {runs.map((r, i) => (
            <figure key={r.label}>
              <RgbCanvas data={r.pred.data} width={r.pred.width} height={r.pred.height} label={r.label} testId={`blur-frame-${i}`} />
              <figcaption data-testid={`blur-score-${i}`}>
                {r.label}
                <br />
                PSNR {r.psnr.toFixed(1)} dB · sharpness {r.sharpness.toFixed(2)}
                <br />
                <span className="muted">
                  mean over {STEPS}: {r.meanPsnr.toFixed(1)} dB · {r.meanSharpness.toFixed(2)}
                </span>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </div>
  );
}
