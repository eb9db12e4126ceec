import path from 'node:path';
import { Router } from 'express';
import { AppError, ErrorCode } from '../../core/errors.ts';

export const widgetDist = path.join(import.meta.dirname, '..', '..', 'widget', 'dist');

/** The ES module, and the same element as a classic script (Salesforce static resource, Visualforce). */
const bundles = ['strategic-accounts.js', 'strategic-accounts.iife.js'];

/**
 * GET /widget/strategic-accounts.js (and .iife.js): the built <strategic-accounts> element, public.
 * Any page may load it: a module script is fetched with CORS, so it carries
 * `Access-Control-Allow-Origin: *`. The URL has no version in it, so caches keep it an hour and then
 * revalidate by ETag.
 */
export function widgetBundleRoutes(dist: string = widgetDist): Router {
  const router = Router();
  router.get(bundles.map((name) => `/widget/${name}`), (req, res, next) => {
    const file = path.join(dist, path.basename(req.path));
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
