import { useState } from 'react';
import { useApp } from '../store/store';

const MAX_SEED = 2 ** 31 - 1;

/**
 * A seed field: edits freely, commits on Enter or blur; anything but a whole number from 0 to
 * 2^31-1 is refused with a notice and the field shows the current value again.
 */
export function SeedInput({
  value,
  what,
  testId,
  onCommit,
  disabled,
}: {
  value: number;
  what: string;
  testId: string;
  onCommit: (v: number) => void;
  disabled?: boolean;
}) {
  const [text, setText] = useState<string | null>(null);
  const commit = () => {
    if (text === null) return;
    const v = Number(text);
    setText(null);
    if (text.trim() === '' || !Number.isInteger(v) || v < 0 || v > MAX_SEED) {
      useApp.getState().notify('error', `${what} must be a whole number from 0 to ${MAX_SEED}; '${text}' was ignored.`);
      return;
    }
    if (v !== value) onCommit(v);
  };
  return (
    <input
      data-testid={testId}
      inputMode="numeric"
      disabled={disabled}
      value={text ?? String(value)}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}
