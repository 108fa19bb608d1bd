/**
 * The teacher's frames. Whole, for a step: token by token in one go, with partial frames shown
 * as they arrive. Or one token at a time (the stepping view): a frame in progress, its KV cache in the
 * runners' TeacherDecoding. Begin with the action and camera pose of the frame to predict; each
 * call then decodes more tokens and answers with the newest token, its top candidates, the cache's
 * size and the frame so far (the newest remembered frame's tokens where the new ones are not in
 * yet). The last token completes the frame, which the core then remembers as a step would.
 */
import type { FrameStats, Sampling } from './protocol';
import type { MemoryEntry } from './memory';
import type { Tensor } from 'onnxruntime-common';
import type { ModelRunners, StudentInputs, TeacherDecoding } from './runners';
import { type FrameInsight, entropyOf, topCandidates } from './insight';
import { slotUse } from './slotUse';
import { toBytes } from './runCounter';

const now = () => performance.now();

/** What the stepper needs from the core: its memory's inputs, its sampler, and remembering a frame. */
export interface TeacherHost {
  readonly runners: ModelRunners;
  /** tokens a frame */
  readonly n: number;
  inputsFor(pose: number[], action: Float32Array): { inputs: StudentInputs; used: MemoryEntry[] };
  newestTokens(): Int32Array;
  pick(logits: Float32Array, sampling: Sampling): number;
  /** remembers a finished frame: its step and the memory's size after it */
  remember(ids: Int32Array, pose: number[]): { step: number; memoryFrames: number };
}

export class TeacherStepper {
  private inProgress: {
    dec: TeacherDecoding;
    pose: number[];
    used: MemoryEntry[];
    last: Int32Array;
    entropy: Float32Array;
    ms: number;
  } | null = null;

  constructor(private readonly host: TeacherHost) {}

  /**
   * A whole frame from these inputs. onPartial sees it as its tokens arrive, every `partialEvery`,
   * decoded with the newest remembered frame's tokens where the new ones are not in yet.
   */
  async frame(
    inputs: StudentInputs,
    sampling: Sampling,
    insight: boolean,
    onPartial: ((frame: Uint8Array, tokens: number) => void) | undefined,
    partialEvery: number,
  ): Promise<{ ids: Int32Array; tokens: Tensor; entropy: Float32Array | null }> {
    const { runners, n } = this.host;
    const last = this.host.newestTokens();
    const h = insight ? new Float32Array(n) : null;
    let pos = 0;
    const r = await runners.teacherFrame(
      inputs,
      (logits) => {
        if (h) h[pos++] = entropyOf(logits);
        return this.host.pick(logits, sampling);
      },
      onPartial &&
        (async (p, _id, sofar) => {
          if ((p + 1) % partialEvery !== 0 || p + 1 === n) return;
          const mixed = Int32Array.from(last);
          mixed.set(sofar.subarray(0, p + 1));
          onPartial(toBytes(await runners.decode(mixed)), p + 1);
        }),
    );
    return { ids: r.tokens, tokens: runners.tokensTensor(r.tokens), entropy: h };
  }

  /** Drops a frame decoded part way (a normal step, an anchor, or a new frame replaces it). */
  cancel(): void {
    this.inProgress?.dec.dispose();
    this.inProgress = null;
  }

  /** Starts a frame at a checked camera pose (the core has checked it and that memory is not empty). */
  async begin(pose: number[], action: Float32Array): Promise<void> {
    this.cancel();
    const s = this.host.inputsFor(pose, action);
    const t0 = now();
    const dec = await this.host.runners.teacherDecoding(s.inputs);
    this.inProgress = { dec, pose, used: s.used, last: this.host.newestTokens(), entropy: new Float32Array(this.host.n), ms: now() - t0 };
  }

  async next(count: number, sampling: Sampling, topK: number) {
    const st = this.inProgress;
    if (!st) throw new Error('no teacher frame in progress: begin one');
    const { runners, n } = this.host;
    const t1 = now();
    let newest: { position: number; id: number; logits: Float32Array } | null = null;
    for (let k = 0; k < count && !st.dec.done; k++) {
      newest = await st.dec.next((logits) => this.host.pick(logits, sampling));
      st.entropy[newest.position] = entropyOf(newest.logits);
    }
    st.ms += now() - t1;
    const r = newest!;
    const shown = Int32Array.from(st.last);
    shown.set(st.dec.tokens.subarray(0, st.dec.position));
    const t2 = now();
    const frame = toBytes(await runners.decode(shown));
    const decodeMs = now() - t2;
    const out = {
      position: r.position,
      total: n,
      token: r.id,
      candidates: topCandidates(r.logits, topK),
      kvPositions: st.dec.position,
      kvBytes: st.dec.kvBytes,
      frame,
      tokens: shown,
      done: st.dec.done,
      stats: null as FrameStats | null,
      insight: null as FrameInsight | null,
    };
    if (st.dec.done) {
      const ids = st.dec.tokens.slice();
      const { step, memoryFrames } = this.host.remember(ids, st.pose);
      out.stats = {
        model: 'teacher',
        predictMs: st.ms,
        decodeMs,
        runs: st.dec.runs + 1,
        readbacks: 0,
        readbackBytes: 0,
        contextFrames: st.used.length,
        memoryFrames,
        slots: st.used.map(slotUse),
        step,
        pose: st.pose,
      };
      out.insight = { tokens: ids.slice(), entropy: st.entropy.slice(), copyGate: null };
      this.cancel();
    }
    return out;
  }
}
