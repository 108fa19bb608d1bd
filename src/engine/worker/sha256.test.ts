import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from './modelFiles';

describe('sha256 of model files', () => {
  afterEach(() => vi.unstubAllGlobals());
  const buf = new Uint8Array(70_001).map((_, i) => (i * 31) % 251).buffer;
  const want = createHash('sha256').update(new Uint8Array(buf)).digest('hex');

  it('uses crypto.subtle in a secure context', async () => {
    expect(await sha256Hex(buf)).toBe(want);
  });

  it('gives the same hash without crypto.subtle (plain HTTP on a LAN address)', async () => {
    vi.stubGlobal('crypto', {});
    expect(globalThis.crypto.subtle).toBeUndefined();
    expect(await sha256Hex(buf)).toBe(want);
  });
});
