import { useSyncExternalStore } from 'react';

/** Phones (and narrow windows): the layout puts the two views side by side and the joystick under them. */
const QUERY = '(max-width: 700px)';

const subscribe = (cb: () => void) => {
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', cb);
  return () => mq.removeEventListener('change', cb);
};

export const useNarrow = (): boolean => useSyncExternalStore(subscribe, () => window.matchMedia(QUERY).matches);
