import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Multi-threaded WASM (onnxruntime-web) needs SharedArrayBuffer, which needs cross-origin isolation.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1500 },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts', 'models/**/*.test.ts'],
    environment: 'node',
  },
});
