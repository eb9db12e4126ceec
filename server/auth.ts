import type { RequestHandler } from 'express';
import type { AdminKey } from '../core/admin-key.ts';
import { AppError, ErrorCode } from '../core/errors.ts';

const bearer = /^Bearer +(\S+) *$/i;

/**
 * Lets a request through only with `Authorization: Bearer <admin key>`. A refusal carries
 * `WWW-Authenticate: Bearer`, as RFC 6750 asks (https://www.rfc-editor.org/rfc/rfc6750#section-3).
 */
export function requireAdminKey(adminKey: AdminKey): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const token = header === undefined ? undefined : bearer.exec(header)?.[1];
    if (token !== undefined && adminKey.verify(token)) return next();
    res.set('WWW-Authenticate', 'Bearer');
    next(
      new AppError(
        ErrorCode.UNAUTHORIZED,
        header === undefined ? 'an admin API key is required: send it as "Authorization: Bearer <key>"' : 'the admin API key is not valid',
      ),
    );
  };
}

/**
 * The admin key for a page read in a browser: HTTP Basic with the key as the password (any user
 * name), so the browser asks for it itself. A refusal is a plain-text 401 that makes it ask.
 */
export function requireAdminKeyInBrowser(adminKey: AdminKey, realm: string): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const basic = /^Basic +(\S+) *$/i.exec(header)?.[1];
    const password = basic === undefined ? undefined : Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':');
    const token = password ?? bearer.exec(header)?.[1];
    if (token !== undefined && adminKey.verify(token)) return next();
    res.status(401).set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`).type('text/plain').send('Sign in with the admin API key as the password.\n');
  };
}
