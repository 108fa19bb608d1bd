/**
 * The shipped model folder, checked the way a user's runtime meets it: the manifest parses and
 * matches its files byte for byte, the ONNX graphs agree with PyTorch (golden tensors written at
 * export) in onnxruntime-node, and broken manifests or files fail with a message that says what.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_FILES, MODEL_ID, parseManifest } from '../../src/engine/manifest';
import { loadRunners, readManifest, verifyFiles } from './ortNode';
import { parity } from './parity';

const DIR = join(import.meta.dirname, '..', MODEL_ID);
const raw = () => JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));

describe(`shipped model ${MODEL_ID}`, () => {
  it('has a manifest that matches every file it names, within the 40 MB budget', () => {
    const m = readManifest(DIR);
    expect(verifyFiles(DIR, m)).toEqual([]);
    const total = Object.values(m.files).reduce((s, f) => s + (f?.bytes ?? 0), 0);
    expect(total).toBeLessThanOrEqual(40e6);
    expect(m.opset).toBeGreaterThanOrEqual(17);
    for (const k of MODEL_FILES) for (const t of m.files[k].inputs) if (/tokens|context/.test(t.name)) expect(t.dtype).toBe('int32');
    expect(m.metrics).toHaveProperty('dream_psnr');
    expect(m.world.seed).toBe(0);
  });

  it('runs in onnxruntime-node exactly as in PyTorch', { timeout: 240_000 }, async () => {
    const checks = await parity(DIR);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.length).toBeGreaterThanOrEqual(7);
  });

  it('refuses malformed manifests with a message naming the field', () => {
    const m = raw();
    expect(() => parseManifest({ ...m, format: 'other' })).toThrow(/format/);
    const noStudent = structuredClone(m);
    delete noStudent.files.student;
    expect(() => parseManifest(noStudent)).toThrow(/files\.student/);
    const badVocab = structuredClone(m);
    badVocab.tokens.vocab_size = 4095;
    expect(() => parseManifest(badVocab)).toThrow(/vocab_size/);
    const badSlots = structuredClone(m);
    badSlots.student.slots = 7;
    expect(() => parseManifest(badSlots)).toThrow(/mem_tokens/);
    const badRule = structuredClone(m);
    badRule.student.memory.rule = 'psychic';
    expect(() => parseManifest(badRule)).toThrow(/student\.memory\.rule/);
    expect(() => parseManifest({ ...m, format: 'world-model-playground manifest v1' })).toThrow(/reads v2 manifests/);
    if (m.student.noise_sampler) {
      const noInput = structuredClone(m);
      for (const k of ['student', 'student_int8'])
        noInput.files[k].inputs = noInput.files[k].inputs.filter((t: { name: string }) => t.name !== 'shared_noise');
      expect(() => parseManifest(noInput)).toThrow(/student\.noise_sampler: files\.student has no 'shared_noise' input/);
    }
  });

  it('refuses a corrupted or truncated model file before creating a session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-corrupt-'));
    const m = readManifest(DIR);
    for (const f of Object.values(m.files)) if (f) copyFileSync(join(DIR, f.path), join(dir, f.path));
    copyFileSync(join(DIR, 'manifest.json'), join(dir, 'manifest.json'));
    const bytes = readFileSync(join(dir, m.files.student.path));
    const mid = bytes.length >> 1;
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(join(dir, m.files.student.path), bytes);
    writeFileSync(join(dir, m.files.decoder.path), readFileSync(join(DIR, m.files.decoder.path)).subarray(0, 1000));
    const err = await loadRunners(dir).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/student: student\.onnx sha256 \w+… does not match the manifest/);
    expect(err).toMatch(/decoder: decoder\.onnx has 1000 bytes, the manifest says \d+/);
    writeFileSync(join(dir, 'manifest.json'), '{"format": ');
    expect(() => readManifest(dir)).toThrow(/not valid JSON/);
  });
});
