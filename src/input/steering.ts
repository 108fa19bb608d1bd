/**
 * Folds every input source into one action per step: held keys, mouse/touch look deltas, the
 * on-screen joystick and gamepads. Sources write mutable fields; the step loop calls sample().
 * Nothing here goes through React state: input changes at event rate, the loop reads at step rate.
 */
import { ACTION_KEYS, ACTION_MAX, type Action, ZERO_ACTION, clampAction } from '../sim/contract';
import { KEYMAP } from './keymap';

/** Radians of look per pixel of mouse/touch drag. */
export const LOOK_RAD_PER_PX = 0.004;
const STICK_DEADZONE = 0.15;
/** Steps of look a drag may queue beyond the current one (8 steps: about half a second at 15 steps/s). */
export const MAX_LOOK_STEPS = 8;

export class Steering {
  private held = new Set<string>();
  private lookYaw = 0;
  private lookPitch = 0;
  /** on-screen joystick, normalized: x = strafe, y = forward */
  private joystick = { x: 0, y: 0 };

  setJoystick(x: number, y: number): void {
    this.joystick = { x: Number.isFinite(x) ? x : 0, y: Number.isFinite(y) ? y : 0 };
  }

  keyDown(code: string): boolean {
    if (!(code in KEYMAP)) return false;
    this.held.add(code);
    return true;
  }

  keyUp(code: string): void {
    this.held.delete(code);
  }

  releaseAll(): void {
    this.held.clear();
    this.joystick = { x: 0, y: 0 };
    this.lookYaw = this.lookPitch = 0;
  }

  /** Pointer movement in pixels (drag right turns right, drag up looks up). */
  look(dxPx: number, dyPx: number): void {
    if (!Number.isFinite(dxPx) || !Number.isFinite(dyPx)) return;
    // The backlog is bounded: a fling turns at most MAX_LOOK_STEPS steps' worth, then stops (the
    // input storm found the camera still turning seconds after the mouse had stopped).
    const yawMax = ACTION_MAX.yaw * MAX_LOOK_STEPS;
    const pitchMax = ACTION_MAX.pitch * MAX_LOOK_STEPS;
    this.lookYaw = Math.max(-yawMax, Math.min(yawMax, this.lookYaw - dxPx * LOOK_RAD_PER_PX));
    this.lookPitch = Math.max(-pitchMax, Math.min(pitchMax, this.lookPitch - dyPx * LOOK_RAD_PER_PX));
  }

  private gamepad(): Partial<Action> {
    const pads = typeof navigator !== 'undefined' && navigator.getGamepads ? navigator.getGamepads() : [];
    const out: Partial<Action> = {};
    // A worn or badly mapped pad can report NaN or values past 1: read as centred, or clamped later.
    const dz = (v: number | undefined): number => (v === undefined || !Number.isFinite(v) || Math.abs(v) < STICK_DEADZONE ? 0 : v);
    for (const pad of pads) {
      if (!pad || !pad.connected) continue;
      // Standard mapping: left stick moves, right stick looks, shoulders/triggers rise and sink.
      out.strafe = (out.strafe ?? 0) + dz(pad.axes[0]);
      out.forward = (out.forward ?? 0) - dz(pad.axes[1]);
      out.yaw = (out.yaw ?? 0) - dz(pad.axes[2]);
      out.pitch = (out.pitch ?? 0) - dz(pad.axes[3]);
      const b = (i: number): number => {
        const v = pad.buttons[i]?.value ?? 0;
        return Number.isFinite(v) ? v : 0;
      };
      out.vertical = (out.vertical ?? 0) + b(5) + b(7) - b(4) - b(6);
    }
    return out;
  }

  /** The action for this step; consumes the accumulated look deltas. */
  sample(): Action {
    const n: Action = { ...ZERO_ACTION };
    for (const code of this.held) {
      const m = KEYMAP[code];
      if (m) for (const k of ACTION_KEYS) n[k] += m[k] ?? 0;
    }
    n.strafe += this.joystick.x;
    n.forward += this.joystick.y;
    const g = this.gamepad();
    for (const k of ACTION_KEYS) n[k] += g[k] ?? 0;
    const a: Action = { ...ZERO_ACTION };
    for (const k of ACTION_KEYS) a[k] = Math.max(-1, Math.min(1, n[k])) * ACTION_MAX[k];
    // Mouse look is in radians already; what exceeds one step's maximum carries over to later steps.
    const yaw = Math.max(-ACTION_MAX.yaw, Math.min(ACTION_MAX.yaw, this.lookYaw));
    const pitch = Math.max(-ACTION_MAX.pitch, Math.min(ACTION_MAX.pitch, this.lookPitch));
    // Rounding residue is not a turn: without the snap a fling ends in a step of 1e-17 rad.
    this.lookYaw = Math.abs(this.lookYaw - yaw) < 1e-9 ? 0 : this.lookYaw - yaw;
    this.lookPitch = Math.abs(this.lookPitch - pitch) < 1e-9 ? 0 : this.lookPitch - pitch;
    a.yaw = Math.max(-ACTION_MAX.yaw, Math.min(ACTION_MAX.yaw, a.yaw + yaw));
    a.pitch = Math.max(-ACTION_MAX.pitch, Math.min(ACTION_MAX.pitch, a.pitch + pitch));
    return clampAction(a);
  }
}
