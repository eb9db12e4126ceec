import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './db.ts';

/** Checks a presented admin API key against the one in force, in constant time. */
export type AdminKey = { verify: (presented: string) => boolean };

export type ResolvedAdminKey = AdminKey & {
  /** Set only when this call generated the key: it is shown once, then only its hash is kept. */
  generated: string | null;
};

const settingName = 'admin_api_key_sha256';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function adminKeyFromHash(hash: Buffer): AdminKey {
  return { verify: (presented) => timingSafeEqual(sha256(presented), hash) };
}

/**
 * The admin key is `ADMIN_API_KEY` when set. Otherwise the first start generates one, stores
 * only its hash (so web and worker processes agree) and hands it back once to be printed.
 */
export async function resolveAdminKey(db: Queryable, configured: string | undefined): Promise<ResolvedAdminKey> {
  if (configured) return { ...adminKeyFromHash(sha256(configured)), generated: null };
  const candidate = `bw_${randomBytes(24).toString('base64url')}`;
  const [row] = await db.query<{ value: string; inserted: boolean }>(
    `insert into instance_settings (name, value) values ($1, $2)
     on conflict (name) do update set name = excluded.name
     returning value, (xmax = 0) as inserted`,
    [settingName, sha256(candidate).toString('hex')],
  );
  return { ...adminKeyFromHash(Buffer.from(row!.value, 'hex')), generated: row!.inserted ? candidate : null };
}
