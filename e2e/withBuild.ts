/**
 * The frame of every script that drives the production build: serve it, launch Chromium, run,
 * and always close both; a failure prints and exits 1.
 */
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../models/data/chromium';
import { serveBuild } from './serveBuild';

export async function withBuild<T>(port: number, run: (browser: Browser, base: string) => Promise<T>): Promise<T> {
  const server = await serveBuild(port);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    return await run(browser, `http://127.0.0.1:${port}`);
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

/** Runs a script's main, turning a failure into a message and exit code 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
