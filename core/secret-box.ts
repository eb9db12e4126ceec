import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.ts';
import { AppError, ErrorCode } from './errors.ts';

/** Seals credentials for storage and opens them again; a sealed value is `v1:` and base64 of iv, tag, ciphertext. */
export type SecretBox = { seal: (plain: string) => string; open: (sealed: string, what: string) => string };

export function secretBox(secretKey: string): SecretBox {
  const key = createHash('sha256').update(secretKey).digest();
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed, what) {
      const bytes = Buffer.from(sealed.slice(3), 'base64');
      try {
        if (!sealed.startsWith('v1:')) throw new Error('unknown format');
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
        decipher.setAuthTag(bytes.subarray(12, 28));
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new AppError(ErrorCode.SECRET_UNREADABLE, `cannot read the stored ${what}: it was sealed with another SECRET_KEY`, { cause: error });
      }
    },
  };
}

/**
 * The key that seals stored credentials: SECRET_KEY when set. On the embedded database a key is
 * generated once and kept beside it, in the data folder. With DATABASE_URL it must be set: a
 * key generated on a disk that a platform may wipe would lose every stored credential.
 */
export async function resolveSecretKey(config: Config): Promise<string> {
  if (config.secretKey) return config.secretKey;
  if (config.databaseUrl) {
    throw new AppError(ErrorCode.CONFIG_INVALID, 'SECRET_KEY must be set to store credentials when DATABASE_URL is set');
  }
  const file = path.join(config.dataDir, 'secret-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

/** The instance's box, resolved on first use: a process that never touches a credential needs no key. */
export function lazySecretBox(config: Config): () => Promise<SecretBox> {
  let box: Promise<SecretBox> | undefined;
  return () => (box ??= resolveSecretKey(config).then(secretBox));
}
