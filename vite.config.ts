import react from '@vitejs/plugin-react';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';

// Multi-threaded WASM (onnxruntime-web) needs SharedArrayBuffer, which needs cross-origin isolation.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The page may load and contact nothing but its own origin: no CDN, no analytics, no model host.
 * 'wasm-unsafe-eval' lets onnxruntime compile its WebAssembly; nothing else is evaluated. The dev
 * server goes without it (React's hot reload injects an inline script).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const locked = { ...isolation, 'Content-Security-Policy': CONTENT_SECURITY_POLICY };

export default defineConfig(({ mode }) => ({
  // classroom() first: its counter must see the model requests before modelFiles() answers them
  plugins: [react(), ...(mode === 'classroom' ? [classroom()] : []), modelFiles(), offline()],
  server: { headers: isolation },
  preview: { headers: locked },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1500 },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts', 'models/**/*.test.ts'],
    environment: 'node',
  },
}));

/**
 * A self-signed certificate made on the spot (the selfsigned library, not hand-rolled crypto) for
 * every name and address this machine answers on. Students' browsers warn once: "Advanced",
 * then "Proceed" (Chrome, Edge), "Accept the risk" (Firefox), "visit this website" (Safari).
 */
async function classroomCertificate(): Promise<{ key: string; cert: string }> {
  const { generate } = await import('selfsigned');
  const { hostname, networkInterfaces } = await import('node:os');
  const ips = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4')
    .map((a) => a!.address);
  const names = [...new Set([hostname(), `${hostname()}.local`, 'localhost'])];
  const pems = await generate([{ name: 'commonName', value: hostname() }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  console.log(
    `\n  Classroom server: HTTPS with a certificate made just now for ${[...names, ...ips].join(', ')}.\n` +
      `  Students open one of the Network addresses below and accept the warning once (it is this certificate):\n` +
      `  Chrome/Edge: Advanced -> Proceed; Firefox: Advanced -> Accept the risk; Safari: Show details -> visit this website.\n` +
      `  Its SHA-1 fingerprint, to read out: ${pems.fingerprint}\n` +
      `  How many devices have loaded the model: printed here as they do, and at /__classroom.json.\n`,
  );
  return { key: pems.private, cert: pems.cert };
}

/**
 * `npm run classroom`: the build for a room, on every network address over HTTPS (a secure
 * context, so WebGPU, threads and caching stay on for every laptop), counting the devices
 * (client addresses) that have downloaded a student graph, for the host.
 */
function classroom(): Plugin {
  const devices = new Set<string>();
  const count: Connect.NextHandleFunction = (req, res, next) => {
    const url = req.url ?? '';
    if (url.startsWith('/__classroom.json')) {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      for (const [k, v] of Object.entries(locked)) res.setHeader(k, v);
      res.end(JSON.stringify({ devices: devices.size }));
      return;
    }
    const who = req.socket.remoteAddress ?? '?';
    if (/^\/models\/[\w.-]+\/student(_int8)?\.onnx/.test(url) && !devices.has(who)) {
      devices.add(who);
      console.log(`  [classroom] ${devices.size} device${devices.size === 1 ? ' has' : 's have'} loaded the model (newest: ${who})`);
    }
    next();
  };
  return {
    name: 'classroom',
    config: async () => ({ preview: { host: '0.0.0.0', https: await classroomCertificate() } }),
    configurePreviewServer: (server) => void server.middlewares.use(count),
  };
}

/**
 * Serves the shipped model folders (models/<id>/ with a manifest.json) and the probes at
 * /models/... in dev and preview, and copies them into the build: the files stay where training
 * writes them, with no second copy in public/.
 */
const ROOT = resolve(import.meta.dirname, 'models');
/** What a browser needs: manifests, ONNX graphs and atlases (no checkpoints, golden tensors or reports). */
const SERVED = /^(manifest\.json|[\w.-]+\.onnx|atlas\.bin)$/;

function servedFiles(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(ROOT)) {
    const d = join(ROOT, dir);
    if (!statSync(d).isDirectory()) continue;
    if (!existsSync(join(d, 'manifest.json')) && dir !== 'probes') continue;
    for (const f of readdirSync(d)) if (SERVED.test(f)) out.push(`${dir}/${f}`);
  }
  return out;
}

const middleware: Connect.NextHandleFunction = (req, res, next) => {
  const m = /^\/models\/([\w.-]+\/[\w.-]+)(\?.*)?$/.exec(req.url ?? '');
  if (!m || !servedFiles().includes(m[1]!)) return next();
  const path = join(ROOT, m[1]!);
  const size = statSync(path).size;
  res.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Accept-Ranges', 'bytes');
  for (const [k, v] of Object.entries(locked)) res.setHeader(k, v);
  // A download that dropped resumes with "Range: bytes=N-" (src/engine/worker/modelFiles.ts).
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  if (range && start < size) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${size - 1}/${size}`);
  }
  res.setHeader('Content-Length', String(size - (res.statusCode === 206 ? start : 0)));
  createReadStream(path, { start: res.statusCode === 206 ? start : 0 }).pipe(res);
};

function modelFiles(): Plugin {
  return {
    name: 'model-files',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
    generateBundle() {
      for (const f of servedFiles()) this.emitFile({ type: 'asset', fileName: `models/${f}`, source: readFileSync(join(ROOT, f)) });
      // Static hosts that read _headers (Netlify, Cloudflare Pages) send the same headers as preview.
      const lines = Object.entries(locked).map(([k, v]) => `  ${k}: ${v}`);
      this.emitFile({ type: 'asset', fileName: '_headers', source: `# written by vite.config.ts\n/*\n${lines.join('\n')}\n` });
    },
  };
}
/**
 * Offline (workshop Wi-Fi): a Workbox service worker precaches the app, both onnxruntime WASM
 * builds and the model manifests, and serves index.html for every navigation. The .onnx graphs
 * are not precached: the inference worker keeps them in its own sha256-keyed Cache Storage, so they
 * are stored once. Precached responses keep the headers they were served with (COOP/COEP/CSP),
 * so the page stays cross-origin isolated offline.
 */
function offline() {
  return VitePWA({
    registerType: 'autoUpdate',
    injectRegister: false, // src/session/offline.ts registers it
    manifest: {
      name: 'World-model playground',
      short_name: 'World model',
      description: 'Steer a camera through a seeded 3D world and watch a world model imagine it, in your browser, offline.',
      start_url: '/',
      display: 'standalone',
      background_color: '#0f1216',
      theme_color: '#0f1216',
      icons: [
        { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,wasm,svg,png,webmanifest}', 'models/*/manifest.json'],
      globIgnores: ['**/*.onnx', '**/*.map'],
      // onnxruntime's WebGPU build is 27 MB of WASM
      maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/models\//, /^\/__model-cache\//, /^\/__classroom/],
      cleanupOutdatedCaches: true,
    },
  });
}
