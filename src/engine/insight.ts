/**
 * What the model's outputs say about itself, per token: how unsure it was (entropy of its
 * distribution over the token's code), which code it chose and that code's FSQ digits. Pure
 * functions, run in the worker on the logits the graphs already compute.
 */

/** Per predicted frame, beside its pixels: the tokens and (when asked for) how unsure each was. */
export interface FrameInsight {
  /** the frame's token ids, raster order */
  tokens: Int32Array;
  /** per token, entropy of the model's distribution over the 4,096 codes, in nats (max ln 4096 = 8.32); null when not asked for */
  entropy: Float32Array | null;
  /**
   * per token, the student's copy gate [n x (1 + slots)]: the share of generating, then of copying
   * each memory slot's re-projected token (v3's copy path); null without one or when not asked for
   */
  copyGate: Float32Array | null;
}

/**
 * Per-token entropy from the student's per-digit logits [n, D, L]. The student predicts a
 * token's D digits independently, so the token's entropy is the sum of its digits' entropies.
 * levels[d] <= L: only the first levels[d] logits of digit d are real levels.
 */
export function digitEntropy(logits: Float32Array, n: number, levels: readonly number[]): Float32Array {
  const D = levels.length;
  const L = Math.max(...levels);
  if (logits.length !== n * D * L) throw new RangeError(`logits must hold ${n} x ${D} x ${L} values, got ${logits.length}`);
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    let h = 0;
    for (let d = 0; d < D; d++) h += entropyOf(logits, (t * D + d) * L, levels[d]!);
    out[t] = h;
  }
  return out;
}

/** Entropy (nats) of softmax(x[off .. off+len)); works on logits or log-probabilities alike. */
export function entropyOf(x: Float32Array, off = 0, len = x.length - off): number {
  let max = -Infinity;
  for (let i = 0; i < len; i++) if (x[off + i]! > max) max = x[off + i]!;
  if (max === -Infinity) return 0;
  let z = 0;
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = x[off + i]! - max;
    if (v === -Infinity) continue;
    const e = Math.exp(v);
    z += e;
    s += e * v;
  }
  // H = log z - E[v] with v = x - max
  return Math.log(z) - s / z;
}

/** The FSQ digits of a token id: digit i = floor(id / prod(levels[:i])) mod levels[i]. */
export function digitsOf(id: number, levels: readonly number[]): number[] {
  const out: number[] = [];
  for (const l of levels) {
    out.push(id % l);
    id = Math.floor(id / l);
  }
  return out;
}

/** The token id of FSQ digits (inverse of digitsOf); throws on a digit out of its range. */
export function idOf(digits: readonly number[], levels: readonly number[]): number {
  if (digits.length !== levels.length) throw new RangeError(`a token has ${levels.length} digits, got ${digits.length}`);
  let id = 0;
  let mult = 1;
  levels.forEach((l, i) => {
    const d = digits[i]!;
    if (!Number.isInteger(d) || d < 0 || d >= l) throw new RangeError(`digit ${i} must be a whole number from 0 to ${l - 1}, got ${d}`);
    id += d * mult;
    mult *= l;
  });
  return id;
}

/** The k most likely ids and their probabilities, from logits or log-probabilities. */
export function topCandidates(x: Float32Array, k: number): { id: number; p: number }[] {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  let z = 0;
  for (let i = 0; i < x.length; i++) z += Math.exp(x[i]! - max);
  const idx = Array.from(x.keys())
    .sort((a, b) => x[b]! - x[a]! || a - b)
    .slice(0, k);
  return idx.map((id) => ({ id, p: Math.exp(x[id]! - max) / z }));
}
