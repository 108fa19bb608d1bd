import { describe, expect, it } from 'vitest';
import { GLOSSARY, linkTerms } from './glossary';

describe('glossary links', () => {
  it('links the first mention of each word, whole words only', () => {
    const p = linkTerms('PSNR fell; greedy decoding, then PSNR again. Tokenized tokens.');
    const links = p.filter((x) => typeof x !== 'string') as { entry: { id: string }; text: string }[];
    expect(links.map((l) => [l.entry.id, l.text])).toEqual([
      ['psnr', 'PSNR'],
      ['greedy', 'greedy'],
      ['token', 'tokens'],
    ]);
    expect(p.map((x) => (typeof x === 'string' ? x : x.text)).join('')).toBe(
      'PSNR fell; greedy decoding, then PSNR again. Tokenized tokens.',
    );
  });
  it('prefers the longer spelling and keeps ids unique', () => {
    const p = linkTerms('the KV cache grows');
    expect(p.some((x) => typeof x !== 'string' && x.entry.id === 'kv-cache')).toBe(true);
    expect(new Set(GLOSSARY.map((e) => e.id)).size).toBe(GLOSSARY.length);
  });
  it('defines every word the issue names', () => {
    for (const w of ['PSNR', 'nats', 'FSQ', 'KV cache', 'greedy', 'top-k'])
      expect(
        GLOSSARY.some((e) => e.matches.includes(w)),
        w,
      ).toBe(true);
  });
});
