/** Serves a production build with vite preview for the scripts that drive Chromium; resolves once it answers. */
import { type ChildProcess, spawn } from 'node:child_process';

export async function serveBuild(port: number, outDir?: string): Promise<ChildProcess> {
  const args = ['vite', 'preview', ...(outDir ? ['--outDir', outDir] : []), '--port', String(port), '--strictPort', '--host', '127.0.0.1'];
  const p = spawn('npx', args, { stdio: 'ignore', detached: true });
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return p;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (p.pid) process.kill(-p.pid);
  throw new Error('vite preview did not start (run npm run build first)');
}
