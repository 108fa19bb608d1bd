/**
 * The words the app and its lessons use, defined once for a student: the glossary panel lists
 * them, and every place a word appears links to its entry (Term, linkTerms).
 */
export interface GlossaryEntry {
  id: string;
  term: string;
  /** spellings in running text that link here (matched as whole words, case-insensitive) */
  matches: string[];
  /** one or two plain sentences */
  text: string;
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  {
    id: 'psnr',
    term: 'PSNR',
    matches: ['PSNR'],
    text: 'Peak signal-to-noise ratio, in decibels (dB): how close the prediction is to the truth, pixel by pixel. Higher is better; 6 dB lower means twice the pixel error. It rewards a blurry average over a sharp guess in the wrong place.',
  },
  {
    id: 'sharpness',
    term: 'sharpness',
    matches: ['sharpness'],
    text: 'How much edge and texture a prediction has, over the truth’s (the energy of its image gradients). 1 is as sharp as the truth; a blurred average scores well under 1.',
  },
  {
    id: 'token',
    term: 'token / code',
    matches: ['token', 'tokens', 'code', 'codes'],
    text: 'The model’s unit of a picture: each {patch} pixel patch of a frame becomes one of {codes} codes. A frame is a {grid} grid of them, like the words of a sentence.',
  },
  {
    id: 'fsq',
    term: 'FSQ',
    matches: ['FSQ'],
    text: 'Finite scalar quantization: the tokenizer rounds {digits} learned numbers per patch to {levels} each; the digits together are the code ({levelProduct}).',
  },
  {
    id: 'greedy',
    term: 'greedy',
    matches: ['greedy'],
    text: 'Decoding that always takes the most likely choice. The same start gives the same frames; where the model is unsure, the result is the average of the futures it cannot tell apart, so it blurs.',
  },
  {
    id: 'temperature',
    term: 'temperature / sampling',
    matches: ['temperature', 'sample', 'samples', 'sampling'],
    text: 'Sampling draws a choice at random in proportion to the model’s probabilities instead of always taking the top one. Temperature 0 is greedy; 1 samples the model’s own distribution; higher flattens it (wilder).',
  },
  {
    id: 'topk',
    term: 'top-k per digit',
    matches: ['top-k'],
    text: 'Before sampling, keep only the k most likely levels of each of a token’s four digits and drop the rest: fewer, safer choices.',
  },
  {
    id: 'seed',
    term: 'seed',
    matches: ['seed', 'seeds'],
    text: 'The number that starts the random draws. The same seed, start and actions give the same sampled frames again.',
  },
  {
    id: 'nats',
    term: 'nats (uncertainty)',
    matches: ['nats', 'entropy'],
    text: 'Entropy measures how unsure the model is about a token, in nats (natural-log units). 0 means certain of one code; each extra nat is about 2.7 times as many equally likely choices.',
  },
  {
    id: 'kv-cache',
    term: 'KV cache',
    matches: ['KV cache'],
    text: 'The teacher’s memory of the tokens it has already written in this frame (their attention keys and values), so each new token costs one more run instead of re-reading the whole frame.',
  },
  {
    id: 'teacher-student',
    term: 'teacher and student',
    matches: ['teacher', 'student', 'distillation', 'distilled'],
    text: 'The teacher writes a frame token by token (slow, {runs} runs); the student makes the whole frame in one run. Distillation trains the student to imitate the teacher.',
  },
  {
    id: 'dream',
    term: 'dream mode / re-anchor',
    matches: ['dream', 'dreaming', 're-anchor', 'anchor'],
    text: 'In dream mode the model sees only its own predictions after the start, so its errors compound. A re-anchor (R) shows it the true frame again.',
  },
  {
    id: 'atlas',
    term: 'atlas',
    matches: ['atlas'],
    text: 'Training frames with their camera poses that the model carries as long-term memory of the world it learned, retrieved beside what the session has seen.',
  },
];

export type Piece = string | { entry: GlossaryEntry; text: string };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ALL = GLOSSARY.flatMap((e) => e.matches.map((m) => ({ m, e }))).sort((a, b) => b.m.length - a.m.length);
const PATTERN = new RegExp(`(?<![\\w-])(${ALL.map((x) => escape(x.m)).join('|')})(?![\\w-])`, 'gi');

/** Running text -> plain pieces and glossary links (the first mention of each entry only, so text stays readable). */
export function linkTerms(text: string, seen: Set<string> = new Set()): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(PATTERN)) {
    const word = m[0];
    const entry = ALL.find((x) => x.m.toLowerCase() === word.toLowerCase())!.e;
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    if (m.index! > last) out.push(text.slice(last, m.index));
    out.push({ entry, text: word });
    last = m.index! + word.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
