/**
 * Where the shipped model is served (vite.config.ts serves models/<id>/ at /models/<id>/) and how
 * its manifest is fetched: parsed before any model file is requested, so a bad manifest fails
 * with a message that names the field.
 */
import { MODEL_ID, type Manifest, ManifestError, parseManifest } from './manifest';

export const MODEL_BASE_URL = new URL(`${import.meta.env.BASE_URL}models/${MODEL_ID}/`, window.location.href).href;
export const MATMUL_PROBE = { url: new URL(`${import.meta.env.BASE_URL}models/probes/matmul-1024.onnx`, window.location.href).href, size: 1024 };

export async function fetchManifest(baseUrl: string): Promise<Manifest> {
  const url = new URL('manifest.json', baseUrl).href;
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    throw new ManifestError(`manifest.json could not be fetched (${(e as Error).message})`);
  }
  if (!res.ok) throw new ManifestError(`manifest.json could not be fetched: HTTP ${res.status}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ManifestError('manifest.json is not valid JSON');
  }
  return parseManifest(json);
}
