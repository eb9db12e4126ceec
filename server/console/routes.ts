import path from 'node:path';
import { Router } from 'express';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { widgetDist } from '../widgets/bundle.ts';

export const consoleDist = path.join(widgetDist, 'console');

/**
 * The console's pages: each answers the same shell, and the console's script shows the page its path
 * names, so a reload or a link lands where it points. The outbox is at /mail (/api/outbox is its data).
 */
export const consolePaths = [
  '/', '/sign-in', '/setup', '/invite', '/my-accounts',
  '/directory', '/directory/hierarchy', '/directory/contacts', '/directory/contacts/:externalId', '/directory/accounts/:externalId',
  '/directory/mailing-lists', '/directory/mailing-lists/:id', '/directory/attributes',
  '/connections', '/connections/uploads', '/workflows', '/workflows/:id', '/runs', '/runs/:id', '/surveys', '/widgets', '/mail',
  '/settings', '/settings/people', '/settings/directories', '/settings/alerts',
];

/**
 * Nothing inline and nothing from elsewhere: the console's script and its chunks come from /console/,
 * its styles are constructed stylesheets (which `style-src 'self'` allows), and it talks to this
 * origin's API only, and frames this origin only (an outbox message, GET /api/outbox/:id/body).
 */
const csp = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
  "frame-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const shell = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bellwether</title>
<link rel="icon" href="data:,">
<script type="module" src="/console/console.js"></script>
</head>
<body>
<bw-console><p>Loading the Bellwether console…</p></bw-console>
<noscript>The Bellwether console needs JavaScript.</noscript>
</body>
</html>
`;

/** Vite names chunks by their content's hash, so they never change; the entry keeps its name and is revalidated. */
const hashed = /-[\w-]{8}\.js$/;

/** The console: its shell at every page's path (public: the API decides what a visitor may see), and its script under /console/. */
export function consoleRoutes(dist: string = consoleDist): Router {
  const router = Router();
  // The outbox's address before the console: links and bookmarks to it land on the console's outbox.
  router.get('/outbox', (_req, res) => res.redirect(301, '/mail'));
  router.get(consolePaths, (_req, res) => {
    res.set({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-cache' }).type('html').send(shell);
  });
  router.get('/console/:file', (req, res, next) => {
    const name = path.basename(req.params.file);
    const options = hashed.test(name) ? { maxAge: '365d', immutable: true } : { maxAge: 0 };
    res.sendFile(path.join(dist, name), { ...options, etag: true, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } }, (error) => {
      if (!error) return;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return next(new AppError(ErrorCode.NOT_FOUND, `no console file ${name}: run \`npm run build\` if the console is not built`));
      }
      next(error);
    });
  });
  return router;
}
