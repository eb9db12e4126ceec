import type { RequestHandler } from 'express';
import type { AdminKey } from '../core/admin-key.ts';

const bearer = /^Bearer +(\S+) *$/i;

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
