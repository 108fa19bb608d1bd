/**
 * Model files: downloaded with progress, checked against the manifest's byte count and sha256,
 * and kept in Cache Storage under their hash, so a new model version never reads a stale file
 * and a second visit downloads nothing. Entries no manifest names any more are deleted.
 */

export const CACHE_NAME = 'wmp-models-v1';

export interface FileSpec {
  path: string;
  bytes: number;
  sha256: string;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export type Progress = (loaded: number, total: number, cached: boolean) => void;

const cacheKey = (sha256: string) => new URL(`/__model-cache/${sha256}`, self.location.origin).href;

async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME);
  } catch {
    return null; // private windows and some embeddings have no Cache Storage: just download
  }
}

export async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function download(url: string, spec: FileSpec, onProgress: Progress): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    throw new ModelFileError(`${spec.path}: download failed (${(e as Error).message})`);
  }
  if (!res.ok) throw new ModelFileError(`${spec.path}: download failed, HTTP ${res.status} ${res.statusText}`);
  if (!res.body) return res.arrayBuffer();
  const out = new Uint8Array(spec.bytes);
  const reader = res.body.getReader();
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > spec.bytes) {
      await reader.cancel();
      throw new ModelFileError(`${spec.path}: the server sent more than the manifest's ${spec.bytes} bytes (the file was replaced?)`);
    }
    out.set(value, loaded);
    loaded += value.length;
    const t = performance.now();
    if (t - last > 100) {
      last = t;
      onProgress(loaded, spec.bytes, false);
    }
  }
  if (loaded !== spec.bytes) throw new ModelFileError(`${spec.path}: got ${loaded} bytes, the manifest says ${spec.bytes} (truncated download or replaced file?)`);
  onProgress(loaded, spec.bytes, false);
  return out.buffer;
}

/** The file's bytes, verified; from Cache Storage when an entry with its hash is there. */
export async function loadModelFile(baseUrl: string, spec: FileSpec, onProgress: Progress): Promise<ArrayBuffer> {
  const cache = await openCache();
  const key = cacheKey(spec.sha256);
  const hit = await cache?.match(key);
  if (hit) {
    const buf = await hit.arrayBuffer();
    // A damaged entry is dropped and downloaded again rather than trusted.
    if (buf.byteLength === spec.bytes && (await sha256Hex(buf)) === spec.sha256) {
      onProgress(spec.bytes, spec.bytes, true);
      return buf;
    }
    await cache?.delete(key);
  }
  const buf = await download(new URL(spec.path, baseUrl).href, spec, onProgress);
  const got = await sha256Hex(buf);
  if (got !== spec.sha256) {
    throw new ModelFileError(`${spec.path}: sha256 ${got.slice(0, 12)}… does not match the manifest's ${spec.sha256.slice(0, 12)}… (corrupted or replaced file)`);
  }
  try {
    await cache?.put(key, new Response(buf.slice(0), { headers: { 'content-type': 'application/octet-stream' } }));
  } catch {
    // Over quota: run without caching.
  }
  return buf;
}

/** Deletes cached files that none of `keep` (sha256s) names. */
export async function deleteStale(keep: readonly string[]): Promise<number> {
  const cache = await openCache();
  if (!cache) return 0;
  const wanted = new Set(keep.map(cacheKey));
  let n = 0;
  for (const req of await cache.keys()) {
    if (!wanted.has(req.url)) {
      await cache.delete(req);
      n++;
    }
  }
  return n;
}
