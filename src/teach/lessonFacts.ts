/**
 * The model's facts a lesson states (frame size, token grid, codes, digits, teacher runs, memory
 * slots), read from its manifest, so a lesson stays true for a model opened by URL. Lesson text
 * names them in braces: "{grid} grid", "{codes} codes".
 */
import type { Manifest } from '../engine/manifest';

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const word = (n: number) => WORDS[n] ?? n.toLocaleString('en-US');
const count = (n: number) => n.toLocaleString('en-US');

export type Facts = Record<string, string>;

export function factsOf(m: Manifest): Facts {
  const [gh, gw] = m.tokens.grid;
  const levels = m.tokens.fsq_levels;
  const even = levels.every((l) => l === levels[0]);
  return {
    frame: `${m.frame.width} × ${m.frame.height}`,
    grid: `${gw} × ${gh}`,
    patch: `${m.frame.width / gw} × ${m.frame.height / gh}`,
    tokens: count(gw * gh),
    codes: count(m.tokens.vocab_size),
    digits: word(levels.length),
    // "each 0 to 7" / "rounded to 8 levels" (levels differ per digit: say so)
    digitRange: even ? `each 0 to ${levels[0]! - 1}` : `0 to ${levels.map((l) => l - 1).join(', ')}`,
    levels: even ? `${levels[0]} levels` : `${levels.join(', ')} levels`,
    levelProduct: `${levels.join(' × ')} = ${count(m.tokens.vocab_size)}`,
    runs: count(m.teacher.tokens_per_frame + 1),
    slots: word(m.student.slots),
  };
}

/** The text with each {fact} filled in; a name that is not a fact is an error (a lesson must not show braces). */
export function fillFacts(text: string, facts: Facts | null): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!facts) return '…';
    const v = facts[name];
    if (v === undefined) throw new Error(`lesson text names an unknown fact {${name}} (facts: ${Object.keys(facts).join(', ')})`);
    return v;
  });
}
