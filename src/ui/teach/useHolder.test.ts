import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { throttled } from './useHolder';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('passes changes on at most hz times a second, and always the last one', () => {
  let emit = () => {};
  const source = (cb: () => void) => {
    emit = cb;
    return () => {
      emit = () => {};
    };
  };
  const seen: number[] = [];
  let n = 0;
  const off = throttled(source, 4)(() => seen.push(n));
  n = 1;
  emit(); // passes at once
  n = 2;
  emit(); // within 250 ms: held back
  n = 3;
  emit();
  expect(seen).toEqual([1]);
  vi.advanceTimersByTime(260);
  expect(seen).toEqual([1, 3]); // the trailing call sees the newest
  off();
  n = 4;
  emit();
  vi.advanceTimersByTime(1000);
  expect(seen).toEqual([1, 3]);
});
