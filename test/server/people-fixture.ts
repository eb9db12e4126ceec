import type { Context } from 'mocha';
import type { Db } from '../../core/db.ts';
import { hashPassword } from '../../core/passwords.ts';
import type { Role } from '../../server/people/users.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { serve, testApp, type Reply, type Served, type TestAppOptions } from './serve.ts';

export const goodPassword = 'correct horse battery';

/** A user who can sign in with `password`. */
export async function addUser(db: Db, email: string, role: Role, password = goodPassword): Promise<number> {
  const [row] = await db.query<{ id: number }>(`insert into users (email, name, role, password_hash) values ($1, $2, $3, $4) returning id::int`, [
    email,
    email.split('@')[0],
    role,
    await hashPassword(password),
  ]);
  return row!.id;
}

/** Where the clock of a test that moves it starts. */
export const clockStart = Date.parse('2026-03-02T09:00:00Z');

/**
 * A fresh test database holding `users` (each signs in with `goodPassword`), and the API on it;
 * `options.now` is the clock sessions and links expire by, `port` 0 a free one.
 */
export async function serveWithPeople(context: Context, users: Record<string, Role>, options: TestAppOptions = {}, port = 0): Promise<{ db: Db; api: Served }> {
  const { db } = await testDatabase(context);
  for (const [email, role] of Object.entries(users)) await addUser(db, email, role);
  return { db, api: await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, options), port) };
}

/** The session cookie a Set-Cookie header carries, as a Cookie header sends it back. */
export function sessionCookieOf(reply: Reply): string {
  const set = reply.headers.getSetCookie().find((c) => c.startsWith('bw_session='));
  if (!set) throw new Error(`no session cookie in ${reply.status} ${JSON.stringify(reply.body)}`);
  return set.split(';')[0]!;
}

export async function signIn(api: Served, email: string, password = goodPassword): Promise<Reply> {
  return api.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
}

/** A browser signed in as `email`: its requests carry the cookie and, for changes, the server's own Origin. */
export async function browser(api: Served, email: string, password = goodPassword) {
  const cookie = sessionCookieOf(await signIn(api, email, password));
  return {
    cookie,
    get: (path: string) => api.request(path, { headers: { cookie } }),
    send: (method: string, path: string, json?: unknown) =>
      api.request(path, {
        method,
        headers: { cookie, origin: api.base, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      }),
  };
}
