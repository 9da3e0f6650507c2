/**
 * Debian's Chromium driven by playwright-core, for the browser tests and the docs screenshots (dev only:
 * playwright-core is a devDependency). No browser download works here, so the executable is the system's.
 * When it is missing the browser suites are skipped with the command that installs it, and fail under CI
 * (`system-program.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { programPath, skipUnlessFound, type SystemProgram } from './system-program.js';

export const CHROMIUM: SystemProgram = {
  name: 'Chromium',
  env: 'REGLAB_CHROMIUM',
  candidates: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'],
  install: 'apt-get install -y chromium',
};

export function chromiumPath(): string {
  return programPath(CHROMIUM);
}

/** node:test's `skip` option for a suite that drives Chromium (see `skipUnlessFound`). */
export function skipUnlessChromium(): string | false {
  return skipUnlessFound(CHROMIUM);
}

/** The page's uncaught errors and console errors as they happen, to assert none at the end of a test. */
export function pageErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return errors;
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
