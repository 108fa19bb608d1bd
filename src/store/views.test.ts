import { describe, expect, it } from 'vitest';
import { VIEW_NAMES, shownBoxes } from './views';

const off = Object.fromEntries(VIEW_NAMES.map((v) => [v, false])) as Record<(typeof VIEW_NAMES)[number], boolean>;

describe('shownBoxes', () => {
  it('lists the views on screen in page order, the three token maps as one box', () => {
    expect(shownBoxes(off)).toEqual([]);
    expect(shownBoxes({ ...off, chart: true, memory: true })).toEqual(['memory', 'chart']);
    expect(shownBoxes({ ...off, confidence: true, blur: true })).toEqual(['maps', 'blur']);
    expect(shownBoxes({ ...off, grid: true, error: true, decoding: true })).toEqual(['maps', 'decoding']);
  });
});
