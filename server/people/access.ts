import type { Request, RequestHandler, Response } from 'express';
import type { AdminKey } from '../../core/admin-key.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import type { Sessions } from './sessions.ts';
import { roles, type Role, type User } from './users.ts';

/** Who a request comes from: the admin API key (automation, acts as an admin) or a signed-in user. */
export type Principal = { kind: 'key' } | { kind: 'session'; user: User; tokenHash: Buffer };

/**
 * The least role each route needs, first match wins: a method (or * for any) and a path prefix that
 * ends at a segment. Everything under /api not named here is an editor's.
 */
const minimumRoles: readonly (readonly [method: string, prefix: string, role: Role])[] = [
  ['*', '/api/session', 'viewer'],
  ['DELETE', '/api/sessions', 'viewer'],
  ['GET', '/api/me', 'viewer'],
  ['*', '/api/users', 'admin'],
  // Editors see connections (never their secrets) to build workflows; connecting and removing is an admin's.
  ['GET', '/api/salesforce-connections/authorize', 'admin'],
  ['GET', '/api/sftp-connections', 'editor'],
  ['GET', '/api/salesforce-connections', 'editor'],
  ['*', '/api/sftp-connections', 'admin'],
  ['*', '/api/salesforce-connections', 'admin'],
  // Editors see the uploaded files to name them in workflows; uploading and removing is an admin's.
  ['GET', '/api/uploads', 'editor'],
  ['*', '/api/uploads', 'admin'],
  // Which sites may show the widget is an admin's to change.
  ['GET', '/api/allowed-origins', 'editor'],
  ['*', '/api/allowed-origins', 'admin'],
  // Editors see who is alerted of what; the rules and webhooks (which carry answers out of the product) are an admin's.
  ['GET', '/api/alert-rules', 'editor'],
  ['*', '/api/alert-rules', 'admin'],
  ['*', '/api/webhooks', 'admin'],
  ['GET', '/api/directories', 'editor'],
  ['*', '/api/directories', 'admin'],
  ['*', '/api', 'editor'],
];

/** Express matches routes regardless of case, so the table is matched in lower case too. */
export function minimumRole(method: string, requestPath: string): Role {
  const path = requestPath.toLowerCase();
  const found = minimumRoles.find(([m, prefix]) => (m === '*' || m === method) && (path === prefix || path.startsWith(`${prefix}/`)));
  return found?.[2] ?? 'admin';
}

const bearer = /^Bearer +(\S+) *$/i;
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request comes from a page of this server: its Origin is PUBLIC_URL's origin, or names the
 * host the request was sent to. Browsers send Origin on every cross-site request and on same-site POSTs.
 */
export function fromOwnOrigin(req: Request, publicOrigin: string): boolean {
  const origin = req.get('origin');
  if (origin === undefined || origin === 'null') return false;
  if (origin === publicOrigin) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/**
 * Lets a request through with the admin key (`Authorization: Bearer <key>`) or a session cookie
 * whose user's role the route allows. A change asked for with the cookie must come from this
 * server's own pages (the Origin check; SameSite=Lax keeps the cookie off other sites' POSTs too).
 */
export function authenticate(adminKey: AdminKey, sessions: Sessions, publicOrigin: string): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const token = bearer.exec(header)?.[1];
      if (token !== undefined && adminKey.verify(token)) {
        setPrincipal(res, { kind: 'key' });
        return next();
      }
      res.set('WWW-Authenticate', 'Bearer');
      throw new AppError(ErrorCode.UNAUTHORIZED, 'the admin API key is not valid');
    }
    const found = await sessions.find(req);
    if (!found) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new AppError(ErrorCode.UNAUTHORIZED, 'sign in, or send the admin API key as "Authorization: Bearer <key>"');
    }
    if (!safeMethods.has(req.method) && !fromOwnOrigin(req, publicOrigin)) {
      throw new AppError(ErrorCode.CSRF_REFUSED, "a change made with the session cookie must come from this server's own pages (its Origin header)");
    }
    const path = req.baseUrl + req.path;
    const needed = minimumRole(req.method, path);
    if (roles.indexOf(found.user.role) < roles.indexOf(needed)) {
      throw new AppError(ErrorCode.FORBIDDEN, `${req.method} ${path} needs the ${needed} role; ${found.user.email} is ${/^[ae]/.test(found.user.role) ? 'an' : 'a'} ${found.user.role}`);
    }
    setPrincipal(res, { kind: 'session', ...found });
    next();
  };
}

function setPrincipal(res: Response, principal: Principal): void {
  res.locals.principal = principal;
}

/** Who the request comes from; only for routes behind `authenticate`. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** The signed-in user of a route that only a session can call (the admin key is no one). */
export function signedInUser(res: Response): { user: User; tokenHash: Buffer } {
  const principal = principalOf(res);
  if (principal.kind !== 'session') throw new AppError(ErrorCode.UNAUTHORIZED, 'no one is signed in: the admin API key is no user', { status: 401 });
  return principal;
}
