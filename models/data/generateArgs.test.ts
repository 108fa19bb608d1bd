import { describe, expect, it } from 'vitest';
import { parseGenArgs } from './generate';

describe('dataset generator arguments', () => {
  it('parses and fills defaults', () => {
    const c = parseGenArgs(['--out', '/tmp/x', '--frames', '300', '--res', '64', '--seed', '3']);
    expect(c).toMatchObject({ out: '/tmp/x', frames: 300, res: 64, seed: 3, worldSeed: 0, episodeLen: 128, pages: 2 });
  });

  it.each([
    [['--frames', '10'], /--out is required/],
    [['--out', 'x', '--frames', 'ten'], /--frames must be an integer/],
    [['--out', 'x', '--res', '4'], /--res must be an integer in \[16, 512\]/],
    [['--out', 'x', '--pages', '0'], /--pages/],
    [['--out', 'x', '--bogus', '1'], /Unknown option '--bogus'/],
    [['--out', 'x', 'stray'], /positional/],
  ])('rejects %j with a clear message', (argv, msg) => {
    expect(() => parseGenArgs(argv as string[])).toThrow(msg);
  });
});
