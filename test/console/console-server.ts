import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, freePort, type TestDatabase } from '../helpers/database.ts';
import { withAxe } from './console-page.ts';
import { watch, type Trouble } from '../widget/embed-page.ts';

const root = path.join(import.meta.dirname, '..', '..');

/** `npm start`'s real server on a database of its own, the built console, and Chromium to open it in. */
export type ConsoleServer = {
  base: string;
  database: TestDatabase;
  /** A fresh browser (no cookie) at 1280 px, with axe and a watch for CSP violations and script errors. */
  openBrowser: () => Promise<{ page: Page; trouble: Trouble }>;
  /** Closes the browsers a test opened. */
  closeBrowsers: () => Promise<void>;
  /** Stops everything; the database is kept for a look when a test failed. */
  stop: (passed: boolean) => Promise<void>;
};

/** Builds the bundle, starts bin/start.ts with `env` added, and answers once it printed its banner. */
export async function startConsoleServer(name: string, env: NodeJS.ProcessEnv): Promise<ConsoleServer> {
  const database = await createTestDatabase(name);
  const port = await freePort();
  await buildWidget();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'start.ts')], {
    env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let banner = '';
  for await (const chunk of child.stdout!) {
    banner += String(chunk);
    if (banner.includes('Try:')) break;
  }
  const browser: Browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    base: `http://localhost:${port}`,
    database,
    async openBrowser() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      await withAxe(page);
      return { page, trouble: await watch(page) };
    },
    async closeBrowsers() {
      for (const context of contexts.splice(0)) await context.close();
    },
    async stop(passed) {
      await browser.close();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      if (passed) await database.drop();
      else await database.db.close();
    },
  };
}
