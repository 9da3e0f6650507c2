/**
 * Debian's Chromium driven by playwright-core, for the browser tests and the docs screenshots (dev only:
 * playwright-core is a devDependency). No browser download works here, so the executable is the system's;
 * when it is missing the tests FAIL with the command that installs it, never skip.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const fromEnv = process.env['REGLAB_CHROMIUM'];
  const found = fromEnv ? [fromEnv] : CANDIDATES.filter((p) => existsSync(p));
  if (found.length === 0 || !existsSync(found[0]!)) {
    throw new Error(
      'the browser tests need Chromium and none was found at ' + (fromEnv ?? CANDIDATES.join(', ')) +
        ': install it with `apt-get install -y chromium` (or set REGLAB_CHROMIUM to its path)',
    );
  }
  return found[0]!;
}

export interface Session {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh headless Chromium with its own profile, closed (and the profile removed) by close(). */
export async function launchChromium(viewport = { width: 1400, height: 1000 }): Promise<Session> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'reglab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const browser = context.browser() as Browser;
  return {
    browser,
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
