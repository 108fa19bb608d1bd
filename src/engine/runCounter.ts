/**
 * Every run of a model graph goes through a counter: runs, and the outputs a GPU session handed
 * back on the CPU (readbacks), which is where the HUD's runs and readbacks come from.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { type Runnable, asRunnable } from './runners';

/** Counts runs, and outputs that a GPU session handed back on the CPU (readbacks). */
export class RunCounter {
  runs = 0;
  readbacks = 0;
  readbackBytes = 0;
  constructor(private gpu: boolean) {}

  wrap(s: InferenceSession): Runnable {
    return {
      run: async (feeds, fetches) => {
        this.runs++;
        const out = await asRunnable(s).run(feeds, fetches);
        if (this.gpu) {
          for (const t of Object.values(out)) {
            if (t.location === 'cpu') {
              this.readbacks++;
              this.readbackBytes += (t.data as ArrayBufferView).byteLength;
            }
          }
        }
        return out;
      },
    };
  }

  /** The floats of a tensor on the CPU; a GPU tensor is read back, and counted. */
  async floats(t: Tensor): Promise<Float32Array> {
    if (t.location === 'cpu') return Float32Array.from(t.data as Float32Array);
    const data = Float32Array.from((await t.getData()) as Float32Array);
    this.readbacks++;
    this.readbackBytes += data.byteLength;
    return data;
  }

  /** The ids of a tensor on the CPU; a GPU tensor is read back, and counted. */
  async ints(t: Tensor): Promise<Int32Array> {
    if (t.location === 'cpu') return Int32Array.from(t.data as Int32Array);
    const data = Int32Array.from((await t.getData()) as Int32Array);
    this.readbacks++;
    this.readbackBytes += data.byteLength;
    return data;
  }

  take(): { runs: number; readbacks: number; readbackBytes: number } {
    const r = { runs: this.runs, readbacks: this.readbacks, readbackBytes: this.readbackBytes };
    this.runs = this.readbacks = this.readbackBytes = 0;
    return r;
  }
}

export function toBytes(rgb: Float32Array, out = new Uint8Array(rgb.length)): Uint8Array {
  for (let i = 0; i < rgb.length; i++) {
    const v = Math.round(rgb[i]!);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** What the student saw for one prediction: the remembered frames in its slots. */
