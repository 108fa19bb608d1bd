/**
 * Command lines of the TypeScript tools (benchmarks, parity, screenshots): Node's util.parseArgs
 * with one way to fail. A bad flag or value prints the error and the usage and exits with 2.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function cli<T extends Options>(usage: string, options: T, argv: string[] = process.argv.slice(2)) {
  const fail = (msg: string): never => {
    console.error(`${msg}\nusage: ${usage}`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    return fail((e as Error).message);
  }
  return {
    ...parsed,
    fail,
    /** a whole-number option at least `min` (its default when absent) */
    int(name: keyof T & string, fallback: number, min = 0): number {
      const raw = (parsed.values as Record<string, unknown>)[name];
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min) fail(`--${name} needs a whole number >= ${min}, got '${String(raw)}'`);
      return n;
    },
  };
}
