import { copyLine, type Tx } from '../../core/db.ts';
import type { SourceKind } from '../../core/records/source.ts';

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
  const { table, key } = tables[present.kind];
  await tx.query('drop table if exists present_keys; create temp table present_keys (key text not null) on commit drop');
  await tx.copyIn('copy present_keys (key) from stdin', lines(present.keys));
  await tx.query('create index on present_keys (key); analyze present_keys');
  const [removed] = await tx.query<{ n: number }>(
    `with removed as (
       update ${table} t set is_deleted = true, source_hash = null, updated_at = now(), last_run_id = $2
       where t.directory_id = $1 and not t.is_deleted and t.last_run_id is distinct from $2
         and not exists (select 1 from present_keys p where p.key = ${key('t')})
       returning 1)
     select count(*)::int as n from removed`,
    [directoryId, runId],
  );
  return removed!.n;
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
