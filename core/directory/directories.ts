import { z } from 'zod';
import type { Db, Queryable } from '../db.ts';
import { lockDirectory } from './lock.ts';
import { AppError, ErrorCode } from '../errors.ts';

/** A directory with its live accounts and contacts. */
export const directorySchema = z.object({ id: z.number().int(), name: z.string(), accounts: z.number().int(), contacts: z.number().int(), createdAt: z.date() });
export type Directory = z.infer<typeof directorySchema>;

/** What removing a directory removes with it (live accounts and contacts; every run, mailing list and widget configuration). */
export const removalCountsSchema = z.object({
  accounts: z.number().int(),
  contacts: z.number().int(),
  runs: z.number().int(),
  mailingLists: z.number().int(),
  widgetConfigs: z.number().int(),
});
export type RemovalCounts = z.infer<typeof removalCountsSchema>;

export const directoryInput = z.strictObject({ name: z.string({ error: 'a directory needs a name' }).trim().min(1, 'a directory needs a name').max(200, 'must be at most 200 characters') });

const columns = `d.id::int, d.name, d.created_at as "createdAt",
  (select count(*)::int from accounts a where a.directory_id = d.id and not a.is_deleted) as accounts,
  (select count(*)::int from contacts c where c.directory_id = d.id and not c.is_deleted) as contacts`;

const removalCounts = `
  (select count(*)::int from accounts a where a.directory_id = d.id and not a.is_deleted) as accounts,
  (select count(*)::int from contacts c where c.directory_id = d.id and not c.is_deleted) as contacts,
  (select count(*)::int from sync_runs r where r.directory_id = d.id) as runs,
  (select count(*)::int from mailing_lists l where l.directory_id = d.id) as "mailingLists",
  (select count(*)::int from widget_configs w where w.directory_id = d.id) as "widgetConfigs"`;

function notFound(id: number): AppError {
  return new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${id} does not exist`);
}

function nameTaken(name: string) {
  return (error: { code?: string }): never => {
    if (error.code === '23505') throw new AppError(ErrorCode.CONFLICT, `a directory named "${name}" already exists`);
    throw error;
  };
}

export async function listDirectories(db: Queryable): Promise<Directory[]> {
  return db.query<Directory>(`select ${columns} from directories d order by lower(d.name), d.id`);
}

/** One directory with what removing it would remove. */
export async function findDirectory(db: Queryable, id: number): Promise<Directory & { removes: RemovalCounts }> {
  const [row] = await db.query<Directory & RemovalCounts>(`select ${columns}, ${removalCounts} from directories d where d.id = $1`, [id]);
  if (!row) throw notFound(id);
  const { id: _, name, createdAt, runs, mailingLists, widgetConfigs, accounts, contacts } = row;
  return { id, name, accounts, contacts, createdAt, removes: { accounts, contacts, runs, mailingLists, widgetConfigs } };
}

export async function createDirectory(db: Queryable, name: string): Promise<Directory> {
  const [row] = await db.query<{ id: number }>('insert into directories (name) values ($1) returning id::int', [name]).catch(nameTaken(name));
  const { removes: _, ...directory } = await findDirectory(db, row!.id);
  return directory;
}

export async function renameDirectory(db: Queryable, id: number, name: string): Promise<Directory> {
  const renamed = await db.query('update directories set name = $2 where id = $1 returning 1', [id, name]).catch(nameTaken(name));
  if (renamed.length === 0) throw notFound(id);
  const { removes: _, ...directory } = await findDirectory(db, id);
  return directory;
}

/**
 * Removes a directory and everything in it, after any load into it has finished. The directory's
 * own tables declare no foreign keys (sql/001_directory.sql), so they are emptied here; the rest
 * cascades from `directories`.
 */
export async function deleteDirectory(db: Db, id: number): Promise<RemovalCounts> {
  return db.tx(async (tx) => {
    await lockDirectory(tx, id);
    const { removes } = await findDirectory(tx, id);
    for (const table of ['mailing_list_members', 'management_roles', 'contacts', 'accounts']) await tx.query(`delete from ${table} where directory_id = $1`, [id]);
    await tx.query('delete from directories where id = $1', [id]);
    return removes;
  });
}
