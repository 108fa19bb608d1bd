import { useRef, useState } from 'react';
import type { Steering } from '../input/steering';

/** On-screen stick for touch screens (also works with a mouse): up moves forward, sideways strafes. */
export function Joystick({ steering }: { steering: Steering }) {
  const base = useRef<HTMLDivElement>(null);
  const [knob, setKnob] = useState({ x: 0, y: 0 });
  const [active, setActive] = useState<number | null>(null);

  const update = (e: React.PointerEvent) => {
    const r = base.current!.getBoundingClientRect();
    const rad = r.width / 2;
    let x = (e.clientX - (r.left + rad)) / rad;
    let y = (e.clientY - (r.top + rad)) / rad;
    const len = Math.hypot(x, y);
    if (len > 1) [x, y] = [x / len, y / len];
    steering.setJoystick(x, -y);
    setKnob({ x, y });
  };
  const end = () => {
    setActive(null);
    steering.setJoystick(0, 0);
    setKnob({ x: 0, y: 0 });
  };
  return (
    <div
      ref={base}
      className="joystick"
      data-testid="joystick"
      role="group"
      aria-roledescription="joystick"
      aria-label="movement joystick: drag to walk and strafe (keys W, A, S, D do the same)"
      onPointerDown={(e) => {
        e.stopPropagation();
        setActive(e.pointerId);
        e.currentTarget.setPointerCapture(e.pointerId);
        update(e);
      }}
      onPointerMove={(e) => active === e.pointerId && update(e)}
      onPointerUp={end}
      onPointerCancel={end}
    >
      <div className="knob" style={{ transform: `translate(${knob.x * 50}%, ${knob.y * 50}%)` }} />
    </div>
  );
}
