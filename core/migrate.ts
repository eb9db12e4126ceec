import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

const sqlDir = path.join(import.meta.dirname, '..', 'sql');
/** Any fixed number; every process that migrates takes the same advisory lock, so concurrent starts queue. */
const migrationLockKey = 7_412_530_001;

export type Migration = { id: number; name: string; file: string };

/** The numbered `NNN_name.sql` files of sql/, in order. */
export async function listMigrations(): Promise<Migration[]> {
  const files = (await readdir(sqlDir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return files.map((file) => ({ id: Number(file.slice(0, 3)), name: file.slice(4, -4), file: path.join(sqlDir, file) }));
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, under a session advisory lock
 * so a web and a worker process starting together never race. Returns the names applied.
 */
export async function migrate(connectionString: string): Promise<string[]> {
  const client = new pg.Client({ connectionString, application_name: 'bellwether-migrate' });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('set client_min_messages = warning');
    await client.query('select pg_advisory_lock($1)', [migrationLockKey]);
    await client.query(`create table if not exists migrations (
      id integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const done = new Set((await client.query<{ id: number }>('select id from migrations')).rows.map((r) => r.id));
    for (const migration of await listMigrations()) {
      if (done.has(migration.id)) continue;
      const text = await readFile(migration.file, 'utf8');
      try {
        await client.query('begin');
        await client.query('insert into migrations (id, name) values ($1, $2)', [migration.id, migration.name]);
        await client.query(text);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${path.basename(migration.file)} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [migrationLockKey]).catch(() => {});
    await client.end();
  }
  return applied;
}
