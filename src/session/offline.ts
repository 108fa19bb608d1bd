/**
 * The service worker (vite-plugin-pwa) and what the toolbar says about it: whether the app works
 * offline, whether the browser is offline now, and the browser's install prompt when it offers one.
 */
import { registerSW } from 'virtual:pwa-register';
import { useApp } from '../store/store';

interface InstallPrompt extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

let installPrompt: InstallPrompt | null = null;

export function startOffline(): void {
  const { patchOffline } = useApp.getState();
  const online = () => patchOffline({ online: navigator.onLine });
  window.addEventListener('online', online);
  window.addEventListener('offline', online);
  online();
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault(); // shown as our own button instead of the browser's mini-infobar
    installPrompt = e as InstallPrompt;
    patchOffline({ installable: true });
  });
  window.addEventListener('appinstalled', () => patchOffline({ installable: false }));
  if (!('serviceWorker' in navigator)) {
    patchOffline({ unavailable: 'this browser has no service workers here' });
    return;
  }
  // A page that is already controlled was precached on an earlier visit.
  if (navigator.serviceWorker.controller) patchOffline({ ready: true });
  registerSW({
    immediate: true,
    onOfflineReady: () => patchOffline({ ready: true }),
    // Said by the toolbar badge, not a notice: browsers without service workers (private windows
    // in some) work as before, online.
    onRegisterError: (e: Error) => patchOffline({ unavailable: `the service worker could not register (${e.message})` }),
  });
}

export async function install(): Promise<void> {
  if (!installPrompt) return;
  await installPrompt.prompt();
  await installPrompt.userChoice;
  installPrompt = null;
  useApp.getState().patchOffline({ installable: false });
}
