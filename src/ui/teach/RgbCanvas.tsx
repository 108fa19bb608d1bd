/** A small RGB picture (a frame, a thumbnail, a patch) on a canvas, shown at `size` CSS pixels. */
import { useEffect, useRef } from 'react';
import { rgbImage } from '../../viewport/rgbImage';

export function RgbCanvas({
  data,
  width,
  height,
  size,
  label,
  testId,
}: {
  data: Uint8Array;
  width: number;
  height: number;
  size?: number;
  label: string;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    ref.current?.getContext('2d')?.putImageData(rgbImage(data, width, height), 0, 0);
  }, [data, width, height]);
  const style = size ? { width: size, height: size } : undefined;
  return <canvas ref={ref} width={width} height={height} style={style} role="img" aria-label={label} data-testid={testId} />;
}
