import { afterEach, expect, it, vi } from 'vitest';
import { cli } from './cli';

afterEach(() => vi.restoreAllMocks());

it('reads flags, whole numbers and positionals the Node way', () => {
  const a = cli(
    'tool [--steps N] [--out FILE] [--fast] FILE...',
    { steps: { type: 'string' }, out: { type: 'string' }, fast: { type: 'boolean' } },
    ['--steps', '12', '--fast', 'a.onnx', 'b.onnx'],
  );
  expect(a.int('steps', 5, 10)).toBe(12);
  expect(a.int('out', 7)).toBe(7);
  expect(a.values.fast).toBe(true);
  expect(a.positionals).toEqual(['a.onnx', 'b.onnx']);
});

it('exits with 2 and the usage on an unknown flag or a bad number', () => {
  const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
    throw new Error(`exit ${code}`);
  }) as never);
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(() => cli('tool [--steps N]', { steps: { type: 'string' } }, ['--nope'])).toThrow('exit 2');
  expect(err.mock.calls[0]![0]).toMatch(/Unknown option '--nope'[\s\S]*usage: tool/);
  const a = cli('tool [--steps N]', { steps: { type: 'string' } }, ['--steps', 'x']);
  expect(() => a.int('steps', 1, 10)).toThrow('exit 2');
  expect(err.mock.calls[1]![0]).toMatch(/--steps needs a whole number >= 10, got 'x'/);
  expect(exit).toHaveBeenCalledWith(2);
});
