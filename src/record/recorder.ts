/**
 * Encodes the composed side-by-side frames: MP4 or WebM through WebCodecs with mediabunny (a
 * maintained muxer that picks a codec the browser can encode), or GIF with gifenc. Frames are
 * timed at the world's step rate, so the file plays at the speed the world moves whatever the
 * model's speed. Encoding runs on a promise chain beside the loop; stop() waits for it.
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import {
  BufferTarget,
  CanvasSource,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  WebMOutputFormat,
  getFirstEncodableVideoCodec,
} from 'mediabunny';
import { STEP_RATE_HZ } from '../sim/contract';
import type { Frame } from '../sim/frame';
import { Composer, type HudLine } from './compose';
import { FORMAT_INFO, type RecordFormat, type Recording } from './formats';

export type { RecordFormat, Recording };

export class RecordError extends Error {
  override name = 'RecordError';
}

export class Recorder {
  private composer: Composer;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private frames = 0;
  private output: Output | null = null;
  private source: CanvasSource | null = null;
  private gif: ReturnType<typeof GIFEncoder> | null = null;
  codec: string | null = null;

  private constructor(
    readonly format: RecordFormat,
    frameW: number,
    frameH: number,
  ) {
    this.composer = new Composer(frameW, frameH, format === 'gif' ? 1 : 2);
  }

  /** A recorder ready for frames, or a RecordError saying why this browser cannot make the format. */
  static async create(format: RecordFormat, frameW: number, frameH: number): Promise<Recorder> {
    const r = new Recorder(format, frameW, frameH);
    if (format === 'gif') {
      r.gif = GIFEncoder();
      return r;
    }
    if (typeof VideoEncoder === 'undefined')
      throw new RecordError(
        `This browser has no WebCodecs video encoder, so it cannot record ${FORMAT_INFO[format].label}; record a GIF instead.`,
      );
    const fmt = format === 'mp4' ? new Mp4OutputFormat({ fastStart: 'in-memory' }) : new WebMOutputFormat();
    const { width, height } = r.composer.canvas;
    const codec = await getFirstEncodableVideoCodec(fmt.getSupportedVideoCodecs(), { width, height });
    if (!codec)
      throw new RecordError(
        `This browser cannot encode any codec ${FORMAT_INFO[format].label} can hold; try ${format === 'mp4' ? 'WebM' : 'MP4'} or GIF.`,
      );
    r.codec = codec;
    r.output = new Output({ format: fmt, target: new BufferTarget() });
    r.source = new CanvasSource(r.composer.canvas, { codec, bitrate: QUALITY_HIGH, keyFrameInterval: 2 });
    r.output.addVideoTrack(r.source, { frameRate: STEP_RATE_HZ });
    await r.output.start();
    return r;
  }

  /** Queues one frame; the frames must not change afterwards (the session hands fresh buffers). */
  add(truth: Frame, pred: Frame, hud: HudLine): void {
    const i = this.frames++;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        this.composer.draw(truth, pred, hud);
        if (this.source) await this.source.add(i / STEP_RATE_HZ, 1 / STEP_RATE_HZ);
        else this.addGif();
      } catch (e) {
        this.failure = e as Error;
      }
    });
  }

  private addGif(): void {
    const c = this.composer.canvas;
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    const palette = quantize(data, 256, { format: 'rgb444' });
    this.gif!.writeFrame(applyPalette(data, palette, 'rgb444'), c.width, c.height, { palette, delay: Math.round(1000 / STEP_RATE_HZ) });
  }

  get frameCount(): number {
    return this.frames;
  }

  async stop(): Promise<Recording> {
    await this.chain;
    if (this.failure) throw new RecordError(`Recording failed: ${this.failure.message}`);
    if (this.frames === 0) throw new RecordError('Nothing was recorded: no predicted frame was shown while recording.');
    let bytes: Uint8Array | ArrayBuffer;
    if (this.gif) {
      this.gif.finish();
      bytes = this.gif.bytes();
    } else {
      await this.output!.finalize();
      const buf = (this.output!.target as BufferTarget).buffer;
      if (!buf) throw new RecordError('The video muxer produced no file.');
      bytes = buf;
    }
    const blob = new Blob([bytes as ArrayBuffer], { type: FORMAT_INFO[this.format].mime });
    return { blob, format: this.format, frames: this.frames, seconds: this.frames / STEP_RATE_HZ, codec: this.codec };
  }

  /** Abandons the recording (the encoder is closed, nothing is kept). */
  async cancel(): Promise<void> {
    this.failure = new RecordError('cancelled');
    await this.chain.catch(() => {});
    await this.output?.cancel().catch(() => {});
  }
}
