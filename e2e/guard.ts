/**
 * Every end-to-end test runs under this guard: it fails on a request to any host but the page's
 * own, on a Content-Security-Policy violation and on a console error or uncaught exception, in the
 * page or its workers. A test that provokes an error on purpose names the messages it expects
 * (guard.allow), so an unexpected one still fails it.
 */
import { test as base, expect } from '@playwright/test';

export { expect };

export interface Guard {
  /** console errors matching this are expected by the test */
  allow(pattern: RegExp): void;
}

export const test = base.extend<{ guard: Guard }>({
  guard: [
    async ({ context, page, baseURL }, use) => {
      const origin = new URL(baseURL!).origin;
      const problems: string[] = [];
      const allowed: RegExp[] = [];
      const expected = (text: string) => allowed.some((re) => re.test(text));
      context.on('request', (req) => {
        const url = req.url();
        if (/^(data|blob):/.test(url)) return;
        if (new URL(url).origin !== origin) problems.push(`request to another host: ${url}`);
      });
      const onConsole = (where: string) => (msg: { type(): string; text(): string }) => {
        if (msg.type() === 'error' && !expected(msg.text())) problems.push(`console error (${where}): ${msg.text()}`);
      };
      page.on('console', onConsole('page'));
      page.on('worker', (w) => w.on('console', onConsole(`worker ${w.url().split('/').pop()}`)));
      page.on('pageerror', (e) => !expected(e.message) && problems.push(`uncaught exception: ${e.message}`));
      // Violations are reported as console errors too; this catches them where the console is quiet.
      await context.addInitScript(() =>
        document.addEventListener('securitypolicyviolation', (e) =>
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`),
        ),
      );
      await use({ allow: (re) => void allowed.push(re) });
      expect(problems, 'requests, CSP violations or console errors').toEqual([]);
    },
    { auto: true },
  ],
});
