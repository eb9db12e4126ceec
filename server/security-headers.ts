import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The headers every answer carries (helmet): `nosniff`, `Referrer-Policy: no-referrer` (survey links
 * hold a personal token), no framing by any site (`frame-ancestors 'none'`, `X-Frame-Options: DENY`:
 * the documented embeds load the widget script, never our pages in a frame), HSTS, and a CSP that
 * allows nothing, for answers that are not pages. Each HTML page sets its own CSP for what it loads;
 * the widget script allows cross-origin loading itself (Cross-Origin-Resource-Policy).
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
