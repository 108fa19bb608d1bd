import { install } from '../session/offline';
import { useApp } from '../store/store';

/** Whether the app reopens without a network (and whether the network is there now); the install button when the browser offers one. */
export function OfflineBadge() {
  const { ready, online, installable, unavailable } = useApp((s) => s.offline);
  const phase = useApp((s) => s.phase);
  const text = !online
    ? ready
      ? 'offline: running from this device'
      : 'offline'
    : ready
      ? phase === 'ready'
        ? 'available offline'
        : 'app available offline'
      : unavailable
        ? 'online only'
        : '';
  return (
    <>
      {text && (
        <span
          className={`offline-badge${online && !unavailable ? '' : ' off'}`}
          data-testid="offline-badge"
          title={
            unavailable
              ? `Not available offline: ${unavailable}`
              : 'The app, the WASM runtimes and the model are kept on this device by a service worker and Cache Storage'
          }
        >
          {text}
        </span>
      )}
      {installable && (
        <button data-testid="install" onClick={() => void install()} title="Install the playground as an app (it works offline)">
          install
        </button>
      )}
    </>
  );
}
