import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';
import { minimumPasswordLength } from '../../core/passwords.ts';

/** What each role may do is server/people/access.ts's table; the order here is from least to most. */
export const roles = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof roles)[number];

/** A user as a session shows it. */
export const userSchema = z.object({ id: z.number().int(), email: z.string(), name: z.string(), role: z.enum(roles) });
export type User = z.infer<typeof userSchema>;

/** A user as the users' list shows it to admins. */
export const userListItemSchema = userSchema.extend({ active: z.boolean(), invitedAt: z.date().nullable(), lastSignInAt: z.date().nullable() });
export type UserListItem = z.infer<typeof userListItemSchema>;

export const email = z.string({ error: 'must be an email address' }).trim().toLowerCase().pipe(z.email('must be an email address').max(320));
export const password = z.string().min(minimumPasswordLength, `must be at least ${minimumPasswordLength} characters`).max(1000, 'must be at most 1000 characters');
export const name = z.string().trim().max(200, 'must be at most 200 characters');

export const userColumns = `id::int, email, name, role, active, invited_at as "invitedAt", last_sign_in_at as "lastSignInAt"`;

export function publicUser({ id, email, name, role }: User): User {
  return { id, email, name, role };
}

/** A user with the password hash, for signing in; null when no user has this email. */
export async function findUserByEmail(db: Queryable, address: string): Promise<(UserListItem & { passwordHash: string | null }) | null> {
  const [row] = await db.query<UserListItem & { passwordHash: string | null }>(`select ${userColumns}, password_hash as "passwordHash" from users where email = $1`, [address]);
  return row ?? null;
}

export async function listUsers(db: Queryable): Promise<UserListItem[]> {
  return db.query<UserListItem>(`select ${userColumns} from users order by lower(name), email`);
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A one-time link's token: 32 random bytes; only its SHA-256 is stored. */
export async function issueSignUpToken(db: Queryable, purpose: 'setup' | 'invitation', userId: number | null, expiresAt: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query('insert into sign_up_tokens (token_sha256, purpose, user_id, expires_at) values ($1, $2, $3, $4)', [sha256(token), purpose, userId, expiresAt]);
  return token;
}

/** The unexpired token's row, or null; `use` deletes it in the same statement so it works once. */
export async function findSignUpToken(
  db: Queryable,
  purpose: 'setup' | 'invitation',
  token: string,
  now: Date,
  use = false,
): Promise<{ userId: number | null } | null> {
  const [row] = await db.query<{ userId: number | null }>(
    use
      ? `delete from sign_up_tokens where token_sha256 = $1 and purpose = $2 and expires_at > $3 returning user_id::int as "userId"`
      : `select user_id::int as "userId" from sign_up_tokens where token_sha256 = $1 and purpose = $2 and expires_at > $3`,
    [sha256(token), purpose, now],
  );
  return row ?? null;
}
