import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../engine/manifest';
import { GLOSSARY } from './glossary';
import { factsOf, fillFacts } from './lessonFacts';
import { LESSONS } from './lessons';

const shipped = parseManifest(JSON.parse(readFileSync('models/wm-courtyard-v3/manifest.json', 'utf8')));

describe('lesson facts', () => {
  it('fill the lesson text from the shipped manifest', () => {
    const f = factsOf(shipped);
    const lesson1 = LESSONS[0]!.text.map((t) => fillFacts(t, f)).join(' ');
    expect(lesson1).toContain('each 128 × 128 frame into a 16 × 16 grid and gives every 8 × 8 patch one of 4,096 codes');
    expect(lesson1).toContain('A code is four FSQ digits, each 0 to 7');
    expect(fillFacts('{runs} runs, {slots} slots', f)).toBe('257 runs, four slots');
  });

  it('follow another model: a coarser grid, other levels, more slots', () => {
    const m = structuredClone(shipped);
    m.tokens.grid = [8, 8];
    m.tokens.fsq_levels = [8, 5, 5, 5];
    m.tokens.vocab_size = 1000;
    m.student.slots = 6;
    m.teacher.tokens_per_frame = 64;
    const f = factsOf(m);
    expect(fillFacts('{grid} grid of {patch} patches, {codes} codes, {digitRange}, {levelProduct}', f)).toBe(
      '8 × 8 grid of 16 × 16 patches, 1,000 codes, 0 to 7, 4, 4, 4, 8 × 5 × 5 × 5 = 1,000',
    );
    expect(fillFacts('{runs} runs, {slots} slots', f)).toBe('65 runs, six slots');
  });

  it('every fact a lesson or glossary entry names exists, and no text shows braces', () => {
    const f = factsOf(shipped);
    const texts = [...LESSONS.flatMap((l) => [...l.text, l.tryThis, l.takeaway]), ...GLOSSARY.map((g) => g.text)];
    for (const t of texts) expect(fillFacts(t, f)).not.toMatch(/[{}]/);
    expect(() => fillFacts('{nope}', f)).toThrow(/unknown fact \{nope\}/);
    expect(fillFacts('a {grid} grid', null)).toBe('a … grid');
  });
});
