/**
 * For the lab's browser suites: the lab's server and a headless Chromium, started in the suite's before()
 * and closed in its after() (call labSession() inside the describe), and pages that record their errors.
 */
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, pageErrors, type Session } from './browser.js';
import { startLabServer, type LabServer } from '../lab/server.js';

export interface LabSession {
  /** The lab's address (valid from the suite's first before()). */
  readonly url: string;
  readonly session: Session;
  /** A new page whose uncaught and console errors are pushed onto `errors`. */
  page(errors: string[]): Promise<Page>;
}

export function labSession(viewport: { width: number; height: number }): LabSession {
  let lab: LabServer | undefined;
  let session: Session | undefined;
  before(async () => {
    lab = await startLabServer(0);
    session = await launchChromium(viewport);
  });
  after(async () => {
    await session?.close();
    await lab?.close();
  });
  return {
    get url() {
      return lab!.url;
    },
    get session() {
      return session!;
    },
    async page(errors) {
      const page = await session!.context.newPage();
      pageErrors(page, errors);
      return page;
    },
  };
}
