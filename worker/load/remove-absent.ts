import { copyLine, copyText, type Tx } from '../../core/db.ts';
import type { SourceKind } from '../../core/records/source.ts';
import type { KnownRecords } from './known-records.ts';

/**
 * Every key a source still holds for one kind of record (a Salesforce object's Ids), as its
 * staging key: the external id, or `accountId/user email` for a team member.
 */
export type PresentKeys = { kind: SourceKind; keys: AsyncIterable<string> };

const tables: Record<SourceKind, { table: string; key: (t: string) => string }> = {
  accounts: { table: 'accounts', key: (t) => `${t}.external_id` },
  contacts: { table: 'contacts', key: (t) => `${t}.external_id` },
  teamMembers: { table: 'management_roles', key: (t) => `${t}.account_external_id || '/' || ${t}.user_email` },
};

/**
 * Marks deleted, as a deletion from the source would, every live row of the kind whose key the
 * source no longer holds (hard deleted, purged from the recycle bin, out of the list view), in the
 * run's transaction; rows this run wrote are left alone, being newer than the list. Their hash is
 * cleared, so a record that comes back loads again. Returns how many it removed.
 */
export async function removeAbsent(tx: Tx, directoryId: number, runId: number, present: PresentKeys): Promise<number> {
  return markDeleted(tx, directoryId, runId, present.kind, present.keys, 'not exists');
}

/**
 * The same for a full export file: every live row of the kind its file did not name is marked
 * deleted, as a fresh load of the file would not have it. The stored keys are read once and only
 * the unnamed ones kept, so memory follows what the file dropped, not the directory's size.
 */
export async function removeUnnamed(tx: Tx, directoryId: number, runId: number, kind: SourceKind, named: KnownRecords): Promise<number> {
  const { table, key } = tables[kind];
  const unnamed: string[] = [];
  const live = tx.copyOut(`copy (select ${key('t')} from ${table} t where t.directory_id = ${Number(directoryId)} and not t.is_deleted) to stdout`);
  for await (const line of live) {
    const stored = copyText(line);
    if (!named.named(stored)) unnamed.push(stored);
  }
  if (unnamed.length === 0) return 0;
  return markDeleted(tx, directoryId, runId, kind, toAsync(unnamed), 'exists');
}

async function markDeleted(tx: Tx, directoryId: number, runId: number, kind: SourceKind, keys: AsyncIterable<string>, match: 'exists' | 'not exists'): Promise<number> {
  const { table, key } = tables[kind];
  await tx.query('drop table if exists listed_keys; create temp table listed_keys (key text not null) on commit drop');
  await tx.copyIn('copy listed_keys (key) from stdin', lines(keys));
  await tx.query('create index on listed_keys (key); analyze listed_keys');
  const [removed] = await tx.query<{ n: number }>(
    `with removed as (
       update ${table} t set is_deleted = true, source_hash = null, updated_at = now(), last_run_id = $2
       where t.directory_id = $1 and not t.is_deleted and t.last_run_id is distinct from $2
         and ${match} (select 1 from listed_keys p where p.key = ${key('t')})
       returning 1)
     select count(*)::int as n from removed`,
    [directoryId, runId],
  );
  return removed!.n;
}

async function* toAsync(keys: readonly string[]): AsyncGenerator<string> {
  yield* keys;
}

/** COPY lines, batched so the stream moves kilobytes, not keys. */
async function* lines(keys: AsyncIterable<string>): AsyncGenerator<string> {
  let batch = '';
  for await (const key of keys) {
    batch += copyLine([key]);
    if (batch.length > 65536) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

/**
 * What hung on an account this run removed (deleted at the source, left out of a full export, gone
 * from the org) goes with it, as a fresh load would never have linked it: its team members are
 * marked deleted, and its contacts lose their client role but stay contacts. Both keep no hash, so
 * the next run reports the row against the missing account; so do its child accounts, which lose
 * their parent link. Returns how many of each it removed.
 */
export async function removeOrphans(tx: Tx, directoryId: number, runId: number): Promise<{ hierarchy: number; managementRoles: number; clientRoles: number }> {
  const [removed] = await tx.query<{ hierarchy: number; managementRoles: number; clientRoles: number }>(
    `with gone as (select external_id from accounts where directory_id = $1 and last_run_id = $2 and is_deleted),
     children as (
       update accounts a set parent_external_id = null, source_hash = null, updated_at = now(), last_run_id = $2
       where a.directory_id = $1 and not a.is_deleted and a.parent_external_id in (select external_id from gone)
       returning 1),
     team as (
       update management_roles r set is_deleted = true, source_hash = null, updated_at = now(), last_run_id = $2
       where r.directory_id = $1 and not r.is_deleted and r.account_external_id in (select external_id from gone)
       returning 1),
     linked as (
       select external_id, client_role is not null as had_role from contacts
       where directory_id = $1 and not is_deleted and account_external_id in (select external_id from gone)),
     unlinked as (
       update contacts c set account_external_id = null, client_role = null, source_hash = null, updated_at = now(), last_run_id = $2
       from linked l where c.directory_id = $1 and c.external_id = l.external_id
       returning l.had_role)
     select (select count(*) from children)::int as hierarchy, (select count(*) from team)::int as "managementRoles", (select count(*) from unlinked where had_role)::int as "clientRoles"`,
    [directoryId, runId],
  );
  return removed!;
}
