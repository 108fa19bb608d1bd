import { KeyList } from './KeyList';

export function KeyHelp() {
  return (
    <section className="panel key-help" aria-label="Controls">
      <h3>Controls</h3>
      <KeyList />
    </section>
  );
}
