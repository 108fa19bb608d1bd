/**
 * Model files: downloaded with progress, checked against the manifest's byte count and sha256,
 * and kept in Cache Storage under their hash, so a new model version never reads a stale file
 * and a second visit downloads nothing. A connection that drops mid-file is resumed where it
 * stopped (an HTTP Range request) a few times before giving up; a file the server says is larger
 * than the manifest's is refused before a byte of it is read. Files a person dropped on the page
 * come in as Blobs and get the same checks.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export const CACHE_NAME = 'wmp-models-v1';
/** resumes of one file before its download is given up */
export const MAX_RESUMES = 4;

export interface FileSpec {
  path: string;
  bytes: number;
  sha256: string;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** A connection that ended early after `loaded` bytes: worth resuming from there. */
class Dropped extends Error {
  constructor(
    message: string,
    readonly loaded: number,
  ) {
    super(message);
  }
}

export type Progress = (loaded: number, total: number, cached: boolean) => void;
/** Something the person should know that does not stop the model (a resume, no cache). */
export type Notify = (message: string) => void;

const cacheKey = (sha256: string) => new URL(`/__model-cache/${sha256}`, self.location.origin).href;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME);
  } catch {
    return null; // private windows and some embeddings have no Cache Storage: just download
  }
}

export async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  // crypto.subtle exists only in secure contexts (HTTPS, localhost): a page served over plain HTTP
  // by a LAN name or address (a workshop room) hashes with @noble/hashes instead (audited, no deps).
  const d = globalThis.crypto?.subtle ? new Uint8Array(await crypto.subtle.digest('SHA-256', buf)) : nobleSha256(new Uint8Array(buf));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Reads the file from byte `from` on into `out`; returns the new count. Throws Dropped when the
 * connection fails or ends early, ModelFileError when resuming cannot help.
 */
async function fetchFrom(url: string, spec: FileSpec, out: Uint8Array, from: number, onProgress: Progress): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-cache', headers: from > 0 ? { Range: `bytes=${from}-` } : {} });
  } catch (e) {
    throw new Dropped((e as Error).message, from);
  }
  if (res.status >= 500) throw new Dropped(`HTTP ${res.status}`, from);
  if (!res.ok) throw new ModelFileError(`${spec.path}: download failed, HTTP ${res.status} ${res.statusText}`);
  let loaded = from;
  if (from > 0 && res.status !== 206) loaded = 0; // the server ignored the range: start over
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && loaded + length > spec.bytes) {
    await res.body?.cancel();
    throw new ModelFileError(
      `${spec.path}: the server says it is ${loaded + length} bytes, the manifest says ${spec.bytes}: refused before downloading it (the file was replaced?)`,
    );
  }
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    if (loaded + buf.length > spec.bytes)
      throw new ModelFileError(`${spec.path}: the server sent more than the manifest's ${spec.bytes} bytes (the file was replaced?)`);
    out.set(buf, loaded);
    return loaded + buf.length;
  }
  const reader = res.body.getReader();
  let last = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      throw new Dropped((e as Error).message, loaded);
    }
    if (chunk.done) break;
    const value = chunk.value;
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
  return loaded;
}

async function download(url: string, spec: FileSpec, onProgress: Progress, notify: Notify): Promise<ArrayBuffer> {
  const out = new Uint8Array(spec.bytes);
  let loaded = 0;
  for (let resumes = 0; ; resumes++) {
    let why: string;
    try {
      loaded = await fetchFrom(url, spec, out, loaded, onProgress);
      if (loaded === spec.bytes) break;
      why = `the connection closed after ${mb(loaded)} of ${mb(spec.bytes)}`;
    } catch (e) {
      if (!(e instanceof Dropped)) throw e;
      loaded = e.loaded;
      why = `the connection dropped after ${mb(loaded)} of ${mb(spec.bytes)} (${e.message})`;
    }
    if (resumes >= MAX_RESUMES) {
      throw new ModelFileError(
        `${spec.path}: ${why}, ${MAX_RESUMES + 1} times. Check the network and reload: files already downloaded are kept.`,
      );
    }
    notify(`${spec.path}: ${why}; resuming from there (${resumes + 1} of ${MAX_RESUMES})…`);
    await new Promise((r) => setTimeout(r, 250 * 2 ** resumes));
  }
  onProgress(loaded, spec.bytes, false);
  return out.buffer;
}

async function verify(spec: FileSpec, buf: ArrayBuffer): Promise<void> {
  const got = await sha256Hex(buf);
  if (got !== spec.sha256) {
    throw new ModelFileError(
      `${spec.path}: sha256 ${got.slice(0, 12)}… does not match the manifest's ${spec.sha256.slice(0, 12)}… (corrupted or replaced file)`,
    );
  }
}

let warnedQuota = false;

/** The file's bytes, verified; from `blob` when given (dropped files), else from Cache Storage or the network. */
export async function loadModelFile(
  baseUrl: string,
  spec: FileSpec,
  onProgress: Progress,
  notify: Notify,
  blob?: Blob,
): Promise<ArrayBuffer> {
  if (blob) {
    if (blob.size !== spec.bytes) throw new ModelFileError(`${spec.path}: the file is ${blob.size} bytes, the manifest says ${spec.bytes}`);
    const buf = await blob.arrayBuffer();
    await verify(spec, buf);
    onProgress(spec.bytes, spec.bytes, false);
    return buf;
  }
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
  const buf = await download(new URL(spec.path, baseUrl).href, spec, onProgress, notify);
  await verify(spec, buf);
  try {
    await cache?.put(key, new Response(buf.slice(0), { headers: { 'content-type': 'application/octet-stream' } }));
  } catch (e) {
    if (!warnedQuota) {
      warnedQuota = true;
      const full = (e as DOMException).name === 'QuotaExceededError';
      notify(
        `${full ? 'The browser\u2019s storage for this page is full' : `Model files cannot be kept (${(e as Error).message})`}: the model runs, but the next visit downloads it again.`,
      );
    }
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
