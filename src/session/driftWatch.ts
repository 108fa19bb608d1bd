/**
 * The drift guard's rule (Cosmos has input and output guardrails; this is ours for the output):
 * right after an anchor the model knows where it is, and its mean per-token entropy then is the
 * baseline. When the recent mean climbs LOST_MARGIN nats above that baseline the model is
 * guessing, and is called lost; it is found again only below FOUND_MARGIN (hysteresis, so the HUD
 * does not flicker). Margins measured on the shipped model: see driftWatch.test.ts and the
 * teaching section of the README.
 */
export const BASELINE_FRAMES = 2;
export const WINDOW = 6;
export const LOST_MARGIN = 0.6;
export const FOUND_MARGIN = 0.35;

export class DriftWatch {
  private baseline: number[] = [];
  private recent: number[] = [];
  private lost = false;

  anchored(): void {
    this.baseline = [];
    this.recent = [];
    this.lost = false;
  }

  /** One frame's mean entropy (nats); returns whether the model is now lost. */
  push(entropy: number): boolean {
    if (this.baseline.length < BASELINE_FRAMES) {
      this.baseline.push(entropy);
      return false;
    }
    this.recent.push(entropy);
    if (this.recent.length > WINDOW) this.recent.shift();
    if (this.recent.length < WINDOW) return this.lost;
    const base = this.baseline.reduce((a, b) => a + b) / this.baseline.length;
    const now = this.recent.reduce((a, b) => a + b) / this.recent.length;
    if (!this.lost && now > base + LOST_MARGIN) this.lost = true;
    else if (this.lost && now < base + FOUND_MARGIN) this.lost = false;
    return this.lost;
  }

  /** how far above its baseline the model's uncertainty is now (nats), for the HUD */
  get excess(): number | null {
    if (this.baseline.length < BASELINE_FRAMES || this.recent.length === 0) return null;
    const base = this.baseline.reduce((a, b) => a + b) / this.baseline.length;
    return this.recent.reduce((a, b) => a + b) / this.recent.length - base;
  }
}
