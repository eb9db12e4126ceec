import path from 'node:path';
import { Router } from 'express';
import { AppError, ErrorCode } from '../../core/errors.ts';

export const widgetBundleFile = path.join(import.meta.dirname, '..', '..', 'widget', 'dist', 'strategic-accounts.js');

/**
 * GET /widget/strategic-accounts.js: the built <strategic-accounts> element, public. Any page may
 * load it: a module script is fetched with CORS, so it carries `Access-Control-Allow-Origin: *`.
 * The URL has no version in it, so caches keep it an hour and then revalidate by ETag.
 */
export function widgetBundleRoutes(file: string = widgetBundleFile): Router {
  const router = Router();
  router.get('/widget/strategic-accounts.js', (_req, res, next) => {
    res.set({ 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    res.sendFile(file, { maxAge: '1h', etag: true, lastModified: true, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } }, (error) => {
      if (!error) return;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return next(new AppError(ErrorCode.NOT_FOUND, 'the widget bundle is not built: run `npm run build` (npm start and npm test build it first)'));
      }
      next(error);
    });
  });
  return router;
}
