/**
 * Where a model comes from: the bundled one (vite.config.ts serves models/<id>/ at /models/<id>/),
 * another folder on this page's own origin (?modelUrl=), or files a person dropped on the page.
 * Each is resolved to a parsed manifest before any model file is read, so a bad manifest fails
 * with every problem named.
 */
import { MODEL_ID, type Manifest, ManifestError, VARIANT_FILES, graphKeys, parseManifest } from './manifest';
import { modelFolderUrl } from './modelUrl';

export const MODEL_BASE_URL = new URL(`${import.meta.env.BASE_URL}models/${MODEL_ID}/`, window.location.href).href;
export const MATMUL_PROBE = {
  url: new URL(`${import.meta.env.BASE_URL}models/probes/matmul-1024.onnx`, window.location.href).href,
  size: 1024,
};

export type ModelSource = { kind: 'bundled' } | { kind: 'url'; url: string } | { kind: 'files'; label: string; n: number };

export interface ResolvedModel {
  /** equal keys, same model: no reload */
  key: string;
  /** what the UI calls it: the manifest id and where it came from */
  label: string;
  baseUrl: string;
  manifest: Manifest;
  /** dropped files by manifest path; absent when the files are fetched from baseUrl */
  files?: Record<string, Blob>;
  bundled: boolean;
}

export const sourceKey = (s: ModelSource): string =>
  s.kind === 'bundled' ? 'bundled' : s.kind === 'url' ? `url:${s.url}` : `files:${s.n}`;

export async function fetchManifest(baseUrl: string): Promise<Manifest> {
  const url = new URL('manifest.json', baseUrl).href;
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    throw new ManifestError(`manifest.json could not be fetched (${(e as Error).message})`);
  }
  if (!res.ok) throw new ManifestError(`manifest.json could not be fetched from ${url}: HTTP ${res.status}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ManifestError('manifest.json is not valid JSON');
  }
  return parseManifest(json);
}

let dropped: ResolvedModel | null = null;
let droppedCount = 0;

/** Reads a dropped model (manifest.json and the files it names), naming every problem; keeps it for resolveModel. */
export async function readDroppedModel(files: readonly File[], label: string): Promise<ModelSource> {
  const manifests = files.filter((f) => f.name === 'manifest.json');
  if (manifests.length !== 1) {
    throw new ManifestError(
      manifests.length
        ? 'more than one manifest.json was dropped: drop one model folder at a time'
        : 'no manifest.json among the dropped files: drop the model folder, or its manifest.json with the .onnx files it names',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await manifests[0]!.text());
  } catch (e) {
    throw new ManifestError(`manifest.json is not valid JSON (${(e as Error).message})`);
  }
  const manifest = parseManifest(json); // throws naming every problem
  const byName = new Map(files.map((f) => [f.name, f]));
  // A variant (the int8 student) is optional: without its file the model runs the graph it stands in for.
  for (const key of VARIANT_FILES) if (manifest.files[key] && !byName.has(manifest.files[key]!.path)) delete manifest.files[key];
  const blobs: Record<string, Blob> = {};
  const problems: string[] = [];
  for (const key of graphKeys(manifest)) {
    const spec = manifest.files[key]!;
    const f = byName.get(spec.path);
    if (!f) problems.push(`${spec.path} (files.${key}) is not among the dropped files`);
    else if (f.size !== spec.bytes) problems.push(`${spec.path} is ${f.size} bytes, files.${key}.bytes says ${spec.bytes}`);
    else blobs[spec.path] = f;
  }
  // The atlas is optional too: without its file the model runs on the session's memory alone.
  const atlas = manifest.atlas;
  if (atlas) {
    const f = byName.get(atlas.path);
    if (!f) delete manifest.atlas;
    else if (f.size !== atlas.bytes) problems.push(`${atlas.path} is ${f.size} bytes, atlas.bytes says ${atlas.bytes}`);
    else blobs[atlas.path] = f;
  }
  if (problems.length) throw ManifestError.of('dropped model', problems);
  const n = ++droppedCount;
  dropped = {
    key: `files:${n}`,
    label: `${manifest.id} (from ${label})`,
    baseUrl: window.location.href,
    manifest,
    files: blobs,
    bundled: false,
  };
  return { kind: 'files', label, n };
}

export async function resolveModel(source: ModelSource): Promise<ResolvedModel> {
  if (source.kind === 'bundled')
    return {
      key: 'bundled',
      label: `${MODEL_ID} (bundled)`,
      baseUrl: MODEL_BASE_URL,
      manifest: await fetchManifest(MODEL_BASE_URL),
      bundled: true,
    };
  if (source.kind === 'url') {
    const base = modelFolderUrl(source.url);
    const manifest = await fetchManifest(base);
    return {
      key: sourceKey(source),
      label: `${manifest.id} (from ${new URL(base).pathname})`,
      baseUrl: base,
      manifest,
      bundled: base === MODEL_BASE_URL,
    };
  }
  if (!dropped || dropped.key !== sourceKey(source))
    throw new ManifestError('the dropped model is no longer in memory: drop its files again');
  return dropped;
}
