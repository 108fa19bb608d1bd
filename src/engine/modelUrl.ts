import { ManifestError } from './manifest';

/**
 * The folder a ?modelUrl= names (a folder, or its manifest.json). Only this page's own origin:
 * the Content-Security-Policy lets the page contact nothing else.
 */
export function modelFolderUrl(raw: string, page: string = window.location.href): string {
  let u: URL;
  try {
    u = new URL(raw, page);
  } catch {
    throw new ManifestError(`modelUrl '${raw}' is not a URL`);
  }
  if (u.origin !== new URL(page).origin) {
    throw new ManifestError(
      `modelUrl '${raw}' is on another origin (${u.origin}). This page contacts only its own origin; put the model's folder on this server, or drop its files on the page.`,
    );
  }
  u.search = '';
  u.hash = '';
  if (u.pathname.endsWith('.json')) return new URL('.', u).href;
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u.href;
}
