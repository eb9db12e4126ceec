import type { RequestHandler } from 'express';
import { AppError, ErrorCode } from '../core/errors.ts';

/**
 * Cross-origin access for pages on the allowed origins only (CORS_ORIGINS, and those `stored`
 * answers for: the ones added in the console): their requests get `Access-Control-Allow-Origin`,
 * and their preflights an answer; a preflight from any other origin is refused, so the browser
 * never sends the request. Requests without an Origin (same origin, server to server) pass
 * untouched. https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function allowOrigins(origins: readonly string[], methods: readonly string[], stored: (origin: string) => Promise<boolean> = async () => false): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (origin === undefined) return next();
    // Read on each cross-origin request, so an origin added or removed in the console counts at once, in every web process.
    (allowed.has(origin) ? Promise.resolve(true) : stored(origin)).then((isAllowed) => {
      if (!isAllowed) {
        if (preflight) return next(new AppError(ErrorCode.FORBIDDEN, `origin ${origin} may not call this API: allow it under Widgets → Allowed origins (or in CORS_ORIGINS)`));
        return next();
      }
      res.set('Access-Control-Allow-Origin', origin);
      if (!preflight) return next();
      res.set({
        'Access-Control-Allow-Methods': methods.join(', '),
        'Access-Control-Allow-Headers': 'Authorization',
        'Access-Control-Max-Age': '600',
      });
      res.status(204).end();
    }, next);
  };
}
