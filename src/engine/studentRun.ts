/**
 * The student's one pass for a step. With the decoder fused into its graph (WebGPU) one run
 * predicts and decodes, and one packed readback brings pixels and token ids (two with the
 * logits). Otherwise the run gives the tokens as a tensor, which feeds the decoder here or, on
 * WASM, whose ids go to the decode worker.
 */
import type { Tensor } from 'onnxruntime-common';
import { digitEntropy } from './insight';
import { tokensPerFrame } from './manifest';
import { type RunCounter, toBytes } from './runCounter';
import type { ModelRunners, StudentDraw, StudentInputs } from './runners';

export interface StudentRun {
  ids: Int32Array;
  /** the tokens as a tensor for the decoder (null when the fused graph already decoded) */
  tokens: Tensor | null;
  fusedFrame: Uint8Array | null;
  /** per-token entropy of the digit distributions, when asked for (insight) */
  entropy: Float32Array | null;
  /** the copy gate per token, when asked for and the student has one (FrameInsight.copyGate) */
  copyGate: Float32Array | null;
}

export async function runStudent(
  runners: ModelRunners,
  counter: RunCounter,
  inputs: StudentInputs,
  o: { draw: StudentDraw; decode: boolean; insight: boolean },
): Promise<StudentRun> {
  const m = runners.manifest;
  const entropyOf = (logits: Float32Array) => digitEntropy(logits, tokensPerFrame(m), m.tokens.fsq_levels);
  if (o.decode && runners.fusedStudent) {
    const r = await runners.studentStepDecoded(inputs, o.draw, (t) => counter.floats(t), o.insight);
    return {
      ids: r.ids,
      tokens: null,
      fusedFrame: toBytes(r.frame),
      entropy: r.logits ? entropyOf(r.logits) : null,
      copyGate: r.copyGate,
    };
  }
  let tokens: Tensor;
  let entropy: Float32Array | null = null;
  let copyGate: Float32Array | null = null;
  if (o.insight) {
    const r = await runners.studentStepTensorLogits(inputs, o.draw, (t) => counter.floats(t));
    tokens = r.tokens;
    entropy = entropyOf(r.logits);
    copyGate = r.copyGate;
  } else tokens = await runners.studentStepTensor(inputs, o.draw);
  // The tokens join the memory (a 1 KB readback on a GPU); the tensor itself feeds the decoder.
  return { ids: await counter.ints(tokens), tokens, fusedFrame: null, entropy, copyGate };
}
