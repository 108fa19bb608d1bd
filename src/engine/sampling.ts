/**
 * Seeded sampling outside the graphs: the student's Gumbel noise input and the teacher's choice of
 * each token from its logits. Both use the world's PRNG, so a seed reproduces bit for bit.
 */
import { createRng, type Rng } from '../sim/rng';
import type { Sampling } from './protocol';

export class SamplingError extends RangeError {
  override name = 'SamplingError';
}

export function checkSampling(s: Sampling, maxTopK: number): void {
  if (!Number.isFinite(s.temperature) || s.temperature < 0 || s.temperature > 5) {
    throw new SamplingError(`temperature must be from 0 to 5, got ${s.temperature}`);
  }
  if (!Number.isInteger(s.topK) || s.topK < 0 || s.topK > maxTopK)
    throw new SamplingError(`top-k must be a whole number from 0 to ${maxTopK}, got ${s.topK}`);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 2 ** 31 - 1)
    throw new SamplingError(`seed must be a whole number from 0 to ${2 ** 31 - 1}, got ${s.seed}`);
}

export class Sampler {
  private rng: Rng;
  constructor(seed: number) {
    this.rng = createRng(seed);
  }

  save(): number[] {
    return this.rng.save();
  }

  load(state: readonly number[]): void {
    this.rng.load(state);
  }

  /** Uniform noise strictly inside (0, 1): Gumbel-max takes log(-log(u)). */
  fillUniform(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = (Math.floor(this.rng.next() * 16777215) + 0.5) / 16777216;
    return out;
  }

  /**
   * A token id from logits: greedy at temperature 0, else Gumbel-max over the topK largest
   * (0 = all). Ties go to the lower id, as argmax does.
   */
  pick(logits: Float32Array, temperature: number, topK: number): number {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    if (temperature <= 0) return best;
    const floor = topK > 0 && topK < logits.length ? kthLargest(logits, topK) : -Infinity;
    let pick = best;
    let score = -Infinity;
    for (let i = 0; i < logits.length; i++) {
      const l = logits[i]!;
      // Draw for every id, kept or not, so the stream does not depend on the logits.
      const u = (Math.floor(this.rng.next() * 16777215) + 0.5) / 16777216;
      if (l < floor) continue;
      const s = l / temperature - Math.log(-Math.log(u));
      if (s > score) [score, pick] = [s, i];
    }
    return pick;
  }
}

function kthLargest(a: Float32Array, k: number): number {
  return Float32Array.from(a).sort()[a.length - k]!;
}
