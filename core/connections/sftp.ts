import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import { csvDialectShape } from '../records/csv-source.ts';
import { previewRowSchema } from '../records/preview-rows.ts';
import type { SecretBox } from '../secret-box.ts';

const hostKeyFingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'an OpenSSH SHA256 fingerprint, as `ssh-keygen -lf` prints it');

const sftpFields = z.strictObject({
  name: z.string().trim().min(1),
  host: z.string().trim().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  password: z.string().min(1).optional(),
  privateKey: z.string().min(1).optional(),
  passphrase: z.string().min(1).optional(),
  hostKeyFingerprint,
});

/** A password or a private key, and a passphrase only with a key. */
function withSecretRules<T extends z.ZodType<{ password?: string | undefined; privateKey?: string | undefined; passphrase?: string | undefined }>>(schema: T) {
  return schema
    .refine((c) => c.password !== undefined || c.privateKey !== undefined, { message: 'a password or a private key is required' })
    .refine((c) => c.passphrase === undefined || c.privateKey !== undefined, { message: 'a passphrase goes with a private key' });
}

/** What an admin gives to connect a server: a password, or a private key (with its passphrase). */
export const sftpConnectionInput = withSecretRules(sftpFields);

/**
 * A connection to test: a new one (no host key trusted yet, or the one about to be), or a stored one
 * (`id`) with the fields about to change; `folder` is the folder to list.
 */
export const sftpTestInput = withSecretRules(sftpFields.extend({ name: sftpFields.shape.name.default('new connection'), hostKeyFingerprint: hostKeyFingerprint.optional(), folder: z.string().min(1).default('.') }));

export type SftpConnectionInput = z.input<typeof sftpConnectionInput>;

/** A connection as it may be shown: never its secrets. */
export const sftpConnectionSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  auth: z.enum(['password', 'privateKey']),
  hostKeyFingerprint: z.string(),
});
export type SftpConnection = z.infer<typeof sftpConnectionSchema>;

/** What the extract needs to connect, secrets opened. */
export type SftpCredentials = SftpConnection & { password?: string; privateKey?: string; passphrase?: string };

/** One entry of a folder on the server. */
export const sftpEntrySchema = z.object({ name: z.string(), type: z.enum(['file', 'folder', 'other']), size: z.number(), modifiedAt: z.date() });
export type SftpEntry = z.infer<typeof sftpEntrySchema>;

/** What a test found: the server's key, and, when that key is the one trusted, the folder's first entries. */
export const sftpTestResult = z.object({
  hostKeyFingerprint: z.string().describe("the key the server presented, as `ssh-keygen -lf` prints it"),
  trusted: z.boolean().describe('whether it is the fingerprint given; only then did the test log in and list the folder'),
  folder: z.string().nullable(),
  entries: z.array(sftpEntrySchema),
  moreEntries: z.number().int().describe('entries of the folder beyond those shown'),
});
export type SftpTestResult = z.infer<typeof sftpTestResult>;

/** A folder of a stored connection's server to list; none: the folder its login starts in. */
export const sftpFolderQuery = z.strictObject({ path: z.string().min(1).optional().describe("the folder; unset: the one the connection's login starts in") });

/** A folder of the server: its absolute path, its parent, and its entries by name. */
export const sftpFolderSchema = z.object({
  connectionId: z.number().int(),
  folder: z.string().describe('the absolute path of the folder listed'),
  parent: z.string().nullable().describe('the folder above it; null at the root'),
  entries: z.array(sftpEntrySchema),
  moreEntries: z.number().int().describe('entries of the folder beyond those shown'),
});
export type SftpFolder = z.infer<typeof sftpFolderSchema>;

/** A file of a stored connection's server to preview: its `path`, or the `pattern` an extract holds, read with an extract's CSV settings. */
export const sftpPreviewQuery = z.strictObject({
  path: z.string().min(1).optional().describe('the file'),
  pattern: z.string().min(1).optional().describe("a folder and a file name pattern (/exports/accounts_*.csv): its newest match is read, as a run picks it"),
  ...csvDialectShape,
});
export type SftpPreviewQuery = z.infer<typeof sftpPreviewQuery>;

/** The file a preview read, its header, and its first rows parsed as a run's SFTP extract parses them. */
export const sftpPreviewSchema = z.object({
  connectionId: z.number().int(),
  path: z.string().describe('the file read: the one given, or the newest match of the pattern'),
  name: z.string(),
  size: z.number(),
  modifiedAt: z.date(),
  columns: z.array(z.string()),
  rows: z.array(previewRowSchema),
});
export type SftpPreview = z.infer<typeof sftpPreviewSchema>;

/** Checks that a connection works before it is stored: the server is reached, its key is the one trusted, the login is accepted. */
export type VerifySftp = (connection: SftpConnectionParsed) => Promise<void>;
export type SftpConnectionParsed = z.output<typeof sftpConnectionInput> & { id?: number };

/** A change to a connection: any of its fields; a new password replaces a private key and the other way round. */
export const sftpConnectionPatch = z.strictObject({
  name: z.string().trim().min(1).optional(),
  host: z.string().trim().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  privateKey: z.string().min(1).optional(),
  passphrase: z.string().min(1).optional(),
  hostKeyFingerprint: hostKeyFingerprint.optional(),
});

/** What a test is asked with: a new connection's fields, or a stored one's `id` and the fields about to change; `folder` to list. */
export const sftpTestRequest = sftpConnectionPatch.extend({ id: z.number().int().positive().optional(), folder: z.string().min(1).optional() });

const columns = `id::int, name, host, port, username, host_key_fingerprint as "hostKeyFingerprint",
  case when private_key_sealed is not null then 'privateKey' else 'password' end as auth`;

function invalid(error: z.ZodError): AppError {
  return new AppError(ErrorCode.BAD_REQUEST, `invalid SFTP connection: ${describeIssues(error, '(connection)')}`);
}

/** Stores a connection, its secrets sealed, once `verify` (when given) found that it works. */
export async function createSftpConnection(db: Queryable, box: SecretBox, input: SftpConnectionInput, verify?: VerifySftp): Promise<SftpConnection> {
  const parsed = sftpConnectionInput.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const c = parsed.data;
  await refuseTakenName(db, c.name);
  await verify?.(c);
  const seal = (value: string | undefined) => (value === undefined ? null : box.seal(value));
  const [row] = await db.query<SftpConnection>(
    `insert into sftp_connections (name, host, port, username, password_sealed, private_key_sealed, passphrase_sealed, host_key_fingerprint)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (name) do nothing returning ${columns}`,
    [c.name, c.host, c.port, c.username, seal(c.password), seal(c.privateKey), seal(c.passphrase), c.hostKeyFingerprint],
  );
  if (!row) throw new AppError(ErrorCode.CONFLICT, `an SFTP connection named "${c.name}" already exists`);
  return row;
}

async function refuseTakenName(db: Queryable, name: string, id = 0): Promise<void> {
  const taken = await db.query('select 1 from sftp_connections where name = $1 and id <> $2', [name, id]);
  if (taken.length > 0) throw new AppError(ErrorCode.CONFLICT, `an SFTP connection named "${name}" already exists`);
}

/**
 * Changes a connection. A change to how it connects (server, user, secret, trusted host key) is
 * checked with `verify` before it is stored, so a wrong fingerprint or password is refused now and
 * not at the next run; a new name alone is not.
 */
export async function updateSftpConnection(db: Queryable, box: SecretBox, id: number, input: unknown, verify: VerifySftp): Promise<SftpConnection> {
  const parsed = sftpConnectionPatch.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const patch = parsed.data;
  const merged = sftpConnectionInput.safeParse(changed(await findSftpCredentials(db, box, id), patch));
  if (!merged.success) throw invalid(merged.error);
  const c = merged.data;
  await refuseTakenName(db, c.name, id);
  if (Object.keys(patch).some((key) => key !== 'name')) await verify({ ...c, id });
  const seal = (value: string | undefined) => (value === undefined ? null : box.seal(value));
  const [row] = await db.query<SftpConnection>(
    `update sftp_connections set name = $2, host = $3, port = $4, username = $5, password_sealed = $6, private_key_sealed = $7, passphrase_sealed = $8,
       host_key_fingerprint = $9, updated_at = now() where id = $1 returning ${columns}`,
    [id, c.name, c.host, c.port, c.username, seal(c.password), seal(c.privateKey), seal(c.passphrase), c.hostKeyFingerprint],
  );
  if (!row) throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `SFTP connection ${id} does not exist`);
  return row;
}

/** A stored connection with a change applied: a new password replaces the private key and its passphrase, a new key the password. */
export function changed(stored: SftpCredentials, patch: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, auth: _auth, ...current } = stored;
  const secrets = patch.password !== undefined
    ? { password: patch.password }
    : patch.privateKey !== undefined
      ? { privateKey: patch.privateKey, passphrase: patch.passphrase }
      : { password: current.password, privateKey: current.privateKey, passphrase: patch.passphrase ?? current.passphrase };
  const merged: Record<string, unknown> = { ...current, ...patch, password: undefined, privateKey: undefined, passphrase: undefined, ...secrets };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
}

export async function listSftpConnections(db: Queryable): Promise<SftpConnection[]> {
  return db.query<SftpConnection>(`select ${columns} from sftp_connections order by lower(name), id`);
}

/** Removes a connection and what it remembers of loaded files; false when there was none. */
export async function deleteSftpConnection(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('delete from sftp_connections where id = $1 returning 1', [id])).length === 1;
}

export async function findSftpCredentials(db: Queryable, box: SecretBox, id: number): Promise<SftpCredentials> {
  const [row] = await db.query<SftpConnection & { password: string | null; privateKey: string | null; passphrase: string | null }>(
    `select ${columns}, password_sealed as password, private_key_sealed as "privateKey", passphrase_sealed as passphrase
     from sftp_connections where id = $1`,
    [id],
  );
  if (!row) throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `SFTP connection ${id} does not exist`);
  const { password, privateKey, passphrase, ...connection } = row;
  const open = (sealed: string | null, what: string) => (sealed === null ? {} : { [what]: box.open(sealed, `${what} of SFTP connection "${row.name}"`) });
  return { ...connection, ...open(password, 'password'), ...open(privateKey, 'privateKey'), ...open(passphrase, 'passphrase') };
}

export type RemoteFile = { path: string; size: number; modifiedAt: Date };

/** Whether this very file (same path, size and modification time) was loaded before into this directory. */
export async function wasLoaded(db: Queryable, connectionId: number, directoryId: number, file: RemoteFile): Promise<boolean> {
  const rows = await db.query(
    'select 1 from sftp_loaded_files where connection_id = $1 and directory_id = $2 and path = $3 and size = $4 and modified_at = $5',
    [connectionId, directoryId, file.path, file.size, file.modifiedAt],
  );
  return rows.length > 0;
}

export async function recordLoaded(db: Queryable, connectionId: number, directoryId: number, file: RemoteFile, runId: number): Promise<void> {
  await db.query(
    `insert into sftp_loaded_files (connection_id, directory_id, path, size, modified_at, run_id) values ($1, $2, $3, $4, $5, $6)
     on conflict do nothing`,
    [connectionId, directoryId, file.path, file.size, file.modifiedAt, runId],
  );
}
