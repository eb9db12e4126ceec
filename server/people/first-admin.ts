import type { Config } from '../../core/config.ts';
import type { Queryable } from '../../core/db.ts';
import type { Logger } from '../../core/log.ts';
import { hashPassword, verifyPassword } from '../../core/passwords.ts';
import { issueSignUpToken } from './users.ts';

/** How long the first start's setup link works. */
export const setupLinkExpiryMs = 24 * 3600_000;

/**
 * At start: ADMIN_EMAIL and ADMIN_PASSWORD create that admin, or give it that password back (and
 * its admin role, and activate it). Without them, and with no user yet, a one-time setup link is
 * answered to be printed; each such start replaces the earlier link, so a lost one is never stuck.
 */
export async function prepareFirstAdmin(db: Queryable, config: Pick<Config, 'firstAdmin' | 'publicUrl'>, logger: Logger, now = new Date()): Promise<string | null> {
  // A setup link printed earlier stops working once an admin exists, or when a new one replaces it.
  await db.query(`delete from sign_up_tokens where purpose = 'setup'`);
  if (config.firstAdmin) {
    await ensureAdmin(db, config.firstAdmin.email.trim().toLowerCase(), config.firstAdmin.password, logger);
    return null;
  }
  const [{ anyone }] = (await db.query<{ anyone: boolean }>('select exists (select 1 from users) as anyone')) as [{ anyone: boolean }];
  if (anyone) return null;
  const token = await issueSignUpToken(db, 'setup', null, new Date(now.getTime() + setupLinkExpiryMs));
  return `${config.publicUrl}/setup?token=${token}`;
}

async function ensureAdmin(db: Queryable, email: string, password: string, logger: Logger): Promise<void> {
  const [current] = await db.query<{ id: number; passwordHash: string | null; role: string; active: boolean }>(
    `select id::int, password_hash as "passwordHash", role, active from users where email = $1`,
    [email],
  );
  const samePassword = current?.passwordHash ? await verifyPassword(password, current.passwordHash) : false;
  if (current && samePassword && current.role === 'admin' && current.active) return;
  const passwordHash = samePassword ? current!.passwordHash : await hashPassword(password);
  const [saved] = await db.query<{ id: number; created: boolean }>(
    `insert into users (email, role, password_hash) values ($1, 'admin', $2)
     on conflict (email) do update set role = 'admin', active = true, password_hash = excluded.password_hash
     returning id::int, (xmax = 0) as created`,
    [email, passwordHash],
  );
  // A new password signs out whoever held the old one.
  if (!samePassword) await db.query('delete from sessions where user_id = $1', [saved!.id]);
  logger.info({ email }, saved!.created ? 'admin created from ADMIN_EMAIL' : 'admin reset from ADMIN_EMAIL and ADMIN_PASSWORD');
}
