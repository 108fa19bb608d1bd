import { DEVICE_HELP, KEY_HELP } from '../input/keymap';

/** Every key and device, as the controls panel and the printed handout list them. */
export function KeyList({ className }: { className?: string }) {
  return (
    <dl className={className}>
      {[...KEY_HELP, ...DEVICE_HELP].map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
