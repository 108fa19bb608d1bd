import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npyHeader, readNpy, writeNpy } from './npy';

describe('npy', () => {
  it('writes 64-byte aligned headers numpy accepts', () => {
    const h = npyHeader('f4', [3, 5]);
    expect(h.length % 64).toBe(0);
    expect([...h.subarray(0, 8)]).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]); // \x93NUMPY v1.0
    expect(h.readUInt16LE(8)).toBe(h.length - 10);
    expect(h.toString('latin1', 10)).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 5\), \} *\n$/);
    expect(npyHeader('u1', [7]).toString('latin1')).toContain("'shape': (7,)");
  });

  it('round-trips every dtype', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const f = new Float32Array([1.5, -2, 3e-8, 4, 5, 6]);
    writeNpy(join(dir, 'f.npy'), 'f4', [2, 3], f);
    expect(readNpy(join(dir, 'f.npy'))).toEqual({ dtype: 'f4', shape: [2, 3], data: f });
    const u = Uint8Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => i % 256);
    writeNpy(join(dir, 'u.npy'), 'u1', [2, 4, 4, 3], u);
    const back = readNpy(join(dir, 'u.npy'));
    expect(back.shape).toEqual([2, 4, 4, 3]);
    expect(Array.from(back.data as Uint8Array)).toEqual(Array.from(u));
    const i = new Int32Array([-1, 2, 2 ** 30]);
    writeNpy(join(dir, 'i.npy'), 'i4', [3], i);
    expect(readNpy(join(dir, 'i.npy')).data).toEqual(i);
    expect(readFileSync(join(dir, 'i.npy')).length).toBe(128 + 12);
  });

  it('refuses data that does not match the shape', () => {
    expect(() => writeNpy('/tmp/never.npy', 'f4', [4], new Float32Array(3))).toThrow(/expected 16/);
  });
});
