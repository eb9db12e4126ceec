import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Queryable } from '../../core/db.ts';
import { sha256, type User } from './users.ts';

/** A session ends after this long without a request… */
export const idleExpiryMs = 12 * 3600_000;
/** …and this long after sign-in, however busy. */
export const absoluteExpiryMs = 14 * 24 * 3600_000;
/** A session's last use is written at most this often, so reads do not each write. */
const touchEveryMs = 60_000;

export const sessionCookie = 'bw_session';

/** The value of cookie `name` in the request's Cookie header (RFC 6265 §5.4), if any. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const pair of (req.get('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** Sessions in Postgres, judged by `now` (a test drives it). */
export type Sessions = {
  /** Starts a session for the user and answers the cookie that carries it. */
  start: (res: Response, userId: number) => Promise<void>;
  /** The signed-in user of the request's cookie, or null when there is none, it expired or the user was deactivated. */
  find: (req: Request) => Promise<{ user: User; tokenHash: Buffer } | null>;
  /** Ends one session (this browser) and clears its cookie. */
  end: (res: Response, tokenHash: Buffer) => Promise<void>;
  /** Ends every session of a user (sign out everywhere, deactivation, a new password). */
  endAll: (userId: number) => Promise<void>;
};

export function sessions(db: Queryable, options: { secure: boolean; now: () => Date }): Sessions {
  const attributes = `Path=/; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
  return {
    async start(res, userId) {
      const now = options.now();
      const token = randomBytes(32).toString('base64url');
      await db.query(
        `with expired as (
           delete from sessions where user_id = $2 and (last_seen_at <= $4 or created_at <= $5)
         ), signed_in as (
           update users set last_sign_in_at = $3 where id = $2
         )
         insert into sessions (token_sha256, user_id, created_at, last_seen_at) values ($1, $2, $3, $3)`,
        [sha256(token), userId, now, new Date(now.getTime() - idleExpiryMs), new Date(now.getTime() - absoluteExpiryMs)],
      );
      // No Max-Age: the browser forgets it when closed, and the server's expiry applies anyway.
      res.append('Set-Cookie', `${sessionCookie}=${token}; ${attributes}`);
    },
    async find(req) {
      const token = readCookie(req, sessionCookie);
      if (token === undefined) return null;
      const tokenHash = sha256(token);
      const [row] = await db.query<User & { createdAt: Date; lastSeenAt: Date }>(
        `select u.id::int, u.email, u.name, u.role, s.created_at as "createdAt", s.last_seen_at as "lastSeenAt"
         from sessions s join users u on u.id = s.user_id
         where s.token_sha256 = $1 and u.active`,
        [tokenHash],
      );
      if (!row) return null;
      const now = options.now().getTime();
      const { createdAt, lastSeenAt, ...user } = row;
      if (now - lastSeenAt.getTime() >= idleExpiryMs || now - createdAt.getTime() >= absoluteExpiryMs) {
        await db.query('delete from sessions where token_sha256 = $1', [tokenHash]);
        return null;
      }
      if (now - lastSeenAt.getTime() >= touchEveryMs) await db.query('update sessions set last_seen_at = $2 where token_sha256 = $1', [tokenHash, new Date(now)]);
      return { user, tokenHash };
    },
    async end(res, tokenHash) {
      await db.query('delete from sessions where token_sha256 = $1', [tokenHash]);
      res.append('Set-Cookie', `${sessionCookie}=; ${attributes}; Max-Age=0`);
    },
    async endAll(userId) {
      await db.query('delete from sessions where user_id = $1', [userId]);
    },
  };
}
