/** Keyboard bindings by KeyboardEvent.code (layout independent), as normalized action components. */
import type { Action } from '../sim/contract';

export const KEYMAP: Record<string, Partial<Action>> = {
  KeyW: { forward: 1 },
  KeyS: { forward: -1 },
  KeyA: { strafe: -1 },
  KeyD: { strafe: 1 },
  ArrowLeft: { yaw: 1 },
  ArrowRight: { yaw: -1 },
  KeyQ: { yaw: 1 },
  KeyE: { yaw: -1 },
  ArrowUp: { pitch: 1 },
  ArrowDown: { pitch: -1 },
  Space: { vertical: 1 },
  ShiftLeft: { vertical: -1 },
  ShiftRight: { vertical: -1 },
  KeyC: { vertical: -1 },
};

export const KEY_HELP: [string, string][] = [
  ['W / S', 'forward / back'],
  ['A / D', 'strafe left / right'],
  ['← → or Q / E', 'turn'],
  ['↑ ↓', 'look up / down'],
  ['Space / Shift or C', 'rise / sink'],
  ['drag, or lock mouse look', 'look with the mouse'],
  ['R', 're-anchor: show the model the true frame again'],
  ['P', 'pause / resume'],
  ['.', 'one frame while paused (or any movement key)'],
  ['F', 'presentation mode on / off (for a projector)'],
  ['PageDown / PageUp', 'next / previous lesson'],
  ['V', "enlarge the lesson's view / put it back (Esc)"],
];

/** The other ways to steer, listed after the keys. */
export const DEVICE_HELP: [string, string][] = [
  ['gamepad', 'left stick moves, right stick looks, shoulders rise/sink'],
  ['touch', 'joystick moves, drag the view to look'],
];
