import { KEY_HELP } from '../input/keymap';

export function KeyHelp() {
  return (
    <section className="panel key-help" aria-label="Controls">
      <h3>Controls</h3>
      <dl>
        {KEY_HELP.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>gamepad</dt>
          <dd>left stick moves, right stick looks, shoulders rise/sink</dd>
        </div>
        <div>
          <dt>touch</dt>
          <dd>joystick moves, drag the view to look</dd>
        </div>
      </dl>
    </section>
  );
}
