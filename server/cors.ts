import type { RequestHandler } from 'express';
import { AppError, ErrorCode } from '../core/errors.ts';

/**
 * Cross-origin access for pages on the allowed origins (CORS_ORIGINS) only: their requests get
 * `Access-Control-Allow-Origin`, and their preflights an answer; a preflight from any other origin
 * is refused, so the browser never sends the request. Requests without an Origin (same origin,
 * server to server) pass untouched. https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function allowOrigins(origins: readonly string[], methods: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (origin === undefined || !allowed.has(origin)) {
      if (preflight) return next(new AppError(ErrorCode.FORBIDDEN, `origin ${origin ?? '(none)'} may not call this API: add it to CORS_ORIGINS`));
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
  };
}
