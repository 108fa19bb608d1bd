import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PSNR_CAP_DB, gradientEnergy, sharpness, type Frame } from './frame';

const frame = (f: (i: number) => number): Frame => ({
  width: 8,
  height: 6,
  data: Uint8Array.from({ length: 8 * 6 * 3 }, (_, i) => f(i) % 256),
});

describe('sharpness', () => {
  // Golden values from models/export/scoring.py (gradient_energy, sharpness) on the same frames:
  //   i = np.arange(144); a = ((i * 37) % 256).reshape(6, 8, 3); b = ((i * i * 13 + 5) % 256).reshape(6, 8, 3)
  const a = frame((i) => i * 37);
  const b = frame((i) => i * i * 13 + 5);
  it('matches the evaluation script', () => {
    expect(gradientEnergy(a)).toBeCloseTo(32294.485714285714, 6);
    expect(sharpness(a, b)).toBeCloseTo(1.485598211457554, 9);
  });
  it('is 1 for the truth itself and 0 for a flat frame', () => {
    expect(sharpness(a, a)).toBe(1);
    expect(
      sharpness(
        frame(() => 90),
        a,
      ),
    ).toBe(0);
  });
});

it('caps PSNR for means at the same value as the Python evaluation (models/common.py)', () => {
  const py = readFileSync('models/common.py', 'utf8');
  const cap = /^PSNR_CAP_DB = ([\d.]+)$/m.exec(py);
  expect(cap, 'models/common.py defines PSNR_CAP_DB').not.toBeNull();
  expect(Number(cap![1])).toBe(PSNR_CAP_DB);
});
