import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import express from 'express';
import type { Page } from 'playwright-core';
import { listen } from '../../server/listen.ts';

/** The policy a careful portal sends: nothing inline, nothing evaluated, nothing from elsewhere. */
export const strictCsp = "default-src 'self'; script-src 'self'; style-src 'self'";

export type EmbedServer = { base: string; close: () => Promise<void> };

/**
 * A portal's pages, each sent with a Content-Security-Policy (strict by default). With `app`, the real
 * Bellwether app answers every other path on the same origin, so `'self'` covers its script and API.
 */
export async function serveEmbedPages(
  pages: Record<string, string>,
  options: { app?: express.Express; port?: number; csp?: string; stylesheets?: Record<string, string> } = {},
): Promise<EmbedServer> {
  const portal = express();
  // Browsers ask for it unprompted; a 404 would be logged as a console error.
  portal.get('/favicon.ico', (_req, res) => void res.status(204).end());
  for (const [path, body] of Object.entries(pages)) {
    portal.get(path, (_req, res) => {
      res.set('Content-Security-Policy', options.csp ?? strictCsp).type('html').send(body);
    });
  }
  for (const [path, css] of Object.entries(options.stylesheets ?? {})) portal.get(path, (_req, res) => void res.type('css').send(css));
  if (options.app) portal.use(options.app);
  const server = await listen(portal, options.port ?? 0);
  return {
    base: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export function embedPage(options: { head: string; tag: string }): string {
  return `<!doctype html>
<html lang="en-US">
<head><meta charset="utf-8"><title>Portal</title>${options.head}</head>
<body><h1>Portal</h1>${options.tag}</body>
</html>`;
}

type Recorded = { cspViolations: string[]; widgetEvents: string[] };

/** What a page did that a user or its owner would not want: CSP violations, script errors, dialogs. */
export type Trouble = {
  violations: () => Promise<string[]>;
  /** The widget's events so far, as `type detail-as-JSON`. */
  events: () => Promise<string[]>;
  errors: string[];
  dialogs: string[];
  requests: URL[];
};

/**
 * Watches a page before it loads: `securitypolicyviolation` events (recorded by a script the
 * browser injects itself, which the page's CSP does not govern), console errors, uncaught
 * exceptions, any dialog (an injected `alert` would open one), and every API request it makes.
 */
export async function watch(page: Page): Promise<Trouble> {
  const trouble: Trouble = {
    violations: () => page.evaluate(() => (window as unknown as Recorded).cspViolations),
    events: () => page.evaluate(() => (window as unknown as Recorded).widgetEvents),
    errors: [],
    dialogs: [],
    requests: [],
  };
  await page.addInitScript(() => {
    const recorded: Recorded = { cspViolations: [], widgetEvents: [] };
    Object.assign(window, recorded);
    document.addEventListener('securitypolicyviolation', (event) => recorded.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
    for (const type of ['accounts-load', 'accounts-error', 'period-change', 'sort-change']) {
      document.addEventListener(type, (event) => recorded.widgetEvents.push(`${type} ${JSON.stringify((event as CustomEvent).detail)}`));
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.errors.push(message.text());
  });
  page.on('pageerror', (error) => trouble.errors.push(error.message));
  page.on('dialog', (dialog) => {
    trouble.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/')) trouble.requests.push(url);
  });
  return trouble;
}
