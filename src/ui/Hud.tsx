import { useApp } from '../store/store';
import { Term } from './Glossary';

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** Backend, speed and quality over the prediction; numbers arrive a few times a second. */
export function Hud() {
  const backend = useApp((s) => s.backend);
  const hud = useApp((s) => s.hud);
  const phase = useApp((s) => s.phase);
  const lost = useApp((s) => s.lost);
  const guard = useApp((s) => s.driftGuard);
  if (phase !== 'ready' || !backend) return null;
  const st = hud.stats;
  return (
    <div className="hud" data-testid="hud">
      <div className="backend" data-testid="hud-backend">
        {backend.name === 'webgpu' ? 'WebGPU' : 'WASM'} · {backend.adapter}
        {backend.name === 'wasm'
          ? ` · ${backend.threads} thread${backend.threads === 1 ? '' : 's'}${backend.student === 'int8' ? ' · int8 student' : ''}${backend.pipeline ? ' · decode pipelined' : ''}`
          : backend.shaderF16
            ? ' · f16'
            : ''}
      </div>
      <div data-testid="hud-fps">{hud.fps.toFixed(1)} frames/s</div>
      <div className="detail">
        predict {ms(hud.predictMs)} · decode {ms(hud.decodeMs)} · display {ms(hud.displayMs)} ms
      </div>
      {st && (
        <div className="detail">
          {st.runs} runs{backend.name === 'webgpu' ? ` · ${st.readbacks} readback${st.readbacks === 1 ? '' : 's'}` : ''}
        </div>
      )}
      {st && (
        <div
          className="detail"
          data-testid="hud-memory"
          title="the remembered frames this prediction was made from, and how many steps ago each was seen (* = ground truth; A = an atlas frame of the world it learned)"
        >
          {st.model === 'student' ? 'memory' : 'window'} {st.contextFrames} of {st.memoryFrames} · ages{' '}
          {st.slots.map((m) => (m.atlas !== undefined ? 'A' : `${st.step - m.step}${m.level === 0 ? '*' : ''}`)).join(', ')}
          {st.slots.some((m) => m.atlas !== undefined) && (
            <span data-testid="hud-atlas"> · {st.slots.filter((m) => m.atlas !== undefined).length} from the atlas</span>
          )}
        </div>
      )}
      {hud.tokens && (
        <div data-testid="hud-tokens">
          token {hud.tokens.done} / {hud.tokens.total}
        </div>
      )}
      {guard !== 'off' && lost && (
        <div className="lost" data-testid="hud-lost" role="status">
          lost: the model is unsure of where it is{guard === 'reanchor' ? ' — re-anchoring' : ' (press R to re-anchor)'}
        </div>
      )}
      <div data-testid="hud-psnr">
        <Term id="psnr">PSNR</Term> {hud.psnr === null ? '–' : hud.psnr === Infinity ? '∞' : hud.psnr.toFixed(1)} dB
        {hud.psnrMean !== null && ` (mean ${hud.psnrMean.toFixed(1)} over ${hud.sinceAnchor} since anchor)`}
      </div>
      {hud.sharpness !== null && (
        <div
          data-testid="hud-sharpness"
          title="sharpness: how much edge and texture the prediction has, over the truth's (1 = as sharp; a blurred average is well under 1; even a perfect prediction stays under 1, since the codes lose detail finer than a token)"
        >
          <Term id="sharpness">sharpness</Term> {hud.sharpness.toFixed(2)}
        </div>
      )}
    </div>
  );
}
