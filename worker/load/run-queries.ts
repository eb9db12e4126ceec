import { storableText } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../core/db.ts';
import { runOwnerLock, type ObjectCounts } from '../../core/runs/queries.ts';
import type { AttributeDefinition } from '../../core/directory/attributes.ts';
import { SKIPPED_VALUE, type DirectoryObject } from '../map/row-error.ts';

/**
 * Inserts a running run owned by `owner`'s session (see runOwnerLock): one statement, so nobody
 * sees the run running before its owner holds the lock. It takes the id reserved for it when it was
 * asked for (reserveRunId), unless an earlier attempt took that id already.
 */
export async function createRun(owner: Queryable, directoryId: number, source: string, workflow?: { id: number; version: number; runId?: number | undefined }): Promise<number> {
  const [run] = await owner.query<{ id: number }>(
    `with run as (
      insert into sync_runs (id, directory_id, source, state, workflow_id, workflow_version) overriding system value
      values (case when $5::bigint is null or exists (select 1 from sync_runs where id = $5) then nextval(pg_get_serial_sequence('sync_runs', 'id')) else $5 end,
        $1, $2, 'running', $3, $4)
      returning id
    ) select id::int, pg_advisory_lock(${runOwnerLock('id')}) from run`,
    [directoryId, source, workflow?.id ?? null, workflow?.version ?? null, workflow?.runId ?? null],
  );
  return run!.id;
}

/** A run that only a preview's transaction sees: nobody else can find it, so it needs no owner. */
export async function createPreviewRun(tx: Tx, directoryId: number, source: string): Promise<number> {
  const [run] = await tx.query<{ id: number }>(`insert into sync_runs (directory_id, source, state) values ($1, $2, 'running') returning id::int`, [directoryId, source]);
  return run!.id;
}

/** Drops the transaction's temporary tables (a load's staging and change tables), which would otherwise live until it ends. */
export async function dropTemporaryTables(tx: Tx): Promise<void> {
  const [row] = await tx.query<{ tables: string | null }>(
    `select string_agg(oid::regclass::text, ', ') as tables from pg_class where relnamespace = pg_my_temp_schema() and relkind = 'r'`,
  );
  if (row?.tables) await tx.query(`drop table ${row.tables}`);
}

/**
 * A run's end is read from the clock: inside the load's transaction now() is the moment the
 * transaction began, so a long load would seem to end as it started.
 */
export async function markRunSucceeded(tx: Tx, runId: number): Promise<void> {
  await tx.query(`update sync_runs set state = 'succeeded', finished_at = clock_timestamp() where id = $1`, [runId]);
}

export type RunProgress = { phase: 'staging' | 'checking' | 'merging' | 'saving'; source?: string; rowsRead: number };

/**
 * Written through the pool, outside the load's transaction, so a watcher sees it at once. Answers
 * whether someone asked for the run to stop meanwhile.
 */
export async function saveProgress(db: Queryable, runId: number, progress: RunProgress): Promise<{ cancelRequested: boolean }> {
  const [run] = await db.query<{ cancelRequested: boolean }>(
    'update sync_runs set progress = $2 where id = $1 returning cancel_requested_at is not null as "cancelRequested"',
    [runId, progress],
  );
  return run!;
}

/** The Salesforce API calls a run made, written after it ended whatever its outcome. */
export async function saveApiCalls(db: Queryable, runId: number, calls: number): Promise<void> {
  await db.query('update sync_runs set api_calls = $2 where id = $1', [runId, calls]);
}

/** Runs outside the failed transaction, so the reason survives the rollback. */
export async function markRunFailed(db: Queryable, runId: number, code: string, message: string): Promise<void> {
  await db.query(
    `update sync_runs set state = 'failed', error_code = $2, error_message = $3, finished_at = clock_timestamp() where id = $1`,
    [runId, code, storableText(message)],
  );
}

export async function directoryExists(db: Queryable, directoryId: number): Promise<boolean> {
  return (await db.query('select 1 from directories where id = $1', [directoryId])).length === 1;
}

export async function storedAttributeDefinitions(tx: Tx, directoryId: number): Promise<AttributeDefinition[]> {
  return tx.query<AttributeDefinition>(
    `select name, data_type as type, enum_values as values from account_attribute_definitions where directory_id = $1`,
    [directoryId],
  );
}

export async function insertAttributeDefinition(tx: Tx, directoryId: number, definition: AttributeDefinition): Promise<void> {
  await tx.query(
    `insert into account_attribute_definitions (directory_id, name, data_type, enum_values) values ($1, $2, $3, $4)`,
    [directoryId, definition.name, definition.type, definition.values ?? null],
  );
}

/** An Enum may gain values; none is ever removed, since stored accounts may hold it. */
export async function addEnumValues(tx: Tx, directoryId: number, name: string, values: readonly string[]): Promise<void> {
  await tx.query(
    `update account_attribute_definitions
     set enum_values = enum_values || array(select v from unnest($3::text[]) v where not v = any(enum_values))
     where directory_id = $1 and name = $2`,
    [directoryId, name, values],
  );
}

export async function analyzeStaging(tx: Tx): Promise<void> {
  await tx.query('analyze stg_accounts; analyze stg_contacts; analyze stg_team');
}

/** Where rejected rows end up: every staging table, and the change tables that checks reject rows from. */
export function errorTables(hasAccounts: boolean, hasTeam: boolean): string[] {
  return ['stg_accounts', 'stg_contacts', 'stg_team', ...(hasAccounts ? ['chg_accounts'] : []), ...(hasTeam ? ['chg_team'] : [])];
}

/** Moves every rejected row into the run's errors, each table in source order. */
export async function saveRowErrors(tx: Tx, runId: number, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await tx.query(
      `insert into sync_run_errors (run_id, object, source, line, record_id, field, code, message)
       select $1::bigint, err_object, source, line, record_id, err_field, err_code, err_message from ${table}
       where err_code is not null and err_code <> '${SKIPPED_VALUE}' order by line`,
      [runId],
    );
  }
}

type PerObject = Record<DirectoryObject, number>;

/**
 * Rows per object that passed the checks on staging (`valid`), rejected in all (`rejected`), and
 * the tables holding rejected rows, reading each staging table once: a valid row has no err_object.
 */
export async function countRows(tx: Tx, tables: readonly string[]) {
  const skip = `coalesce(err_code = '${SKIPPED_VALUE}', false)`;
  const rows = await tx.query<{ object: DirectoryObject | null; skip: boolean; n: number; hierarchy: number; roles: number; source: string }>(
    `select 'stg_accounts' as source, err_object as object, ${skip} as skip, count(*)::int as n, count(*) filter (where has_hierarchy)::int as hierarchy, 0 as roles
       from stg_accounts group by 2, 3
     union all
     select 'stg_contacts', err_object, ${skip}, count(*)::int, 0, count(*) filter (where not is_deleted and role_name is not null)::int
       from stg_contacts group by 2, 3
     union all
     select 'stg_team', err_object, ${skip}, count(*)::int, 0, 0 from stg_team group by 2, 3
     ${tables
       .filter((t) => t.startsWith('chg_'))
       .map((t) => `union all select '${t}', err_object, false, count(*)::int, 0, 0 from ${t} where err_code is not null group by err_object`)
       .join('\n')}`,
  );
  const valid: PerObject = { accounts: 0, hierarchy: 0, contacts: 0, clientRoles: 0, managementRoles: 0 };
  const rejected: Partial<PerObject> = {};
  const skipped: Partial<PerObject> = {};
  const tablesWithErrors = new Set<string>();
  for (const row of rows) {
    if (row.object !== null && row.skip) {
      skipped[row.object] = (skipped[row.object] ?? 0) + row.n;
    } else if (row.object !== null) {
      rejected[row.object] = (rejected[row.object] ?? 0) + row.n;
      tablesWithErrors.add(row.source);
    } else if (row.source === 'stg_accounts') Object.assign(valid, { accounts: row.n, hierarchy: row.hierarchy });
    else if (row.source === 'stg_contacts') Object.assign(valid, { contacts: row.n, clientRoles: row.roles });
    else if (row.source === 'stg_team') valid.managementRoles = row.n;
  }
  // In table order, so the run's errors read source by source.
  return { valid, rejected, skipped, tablesWithErrors: tables.filter((t) => tablesWithErrors.has(t)) };
}

export async function saveCounts(tx: Tx, runId: number, counts: Partial<Record<DirectoryObject, ObjectCounts>>): Promise<void> {
  const entries = Object.entries(counts) as [DirectoryObject, ObjectCounts][];
  await tx.query(
    `insert into sync_run_counts (run_id, object, inserted, updated, unchanged, deleted, rejected, skipped)
     select $1::bigint, * from unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])`,
    [
      runId,
      entries.map(([o]) => o),
      entries.map(([, c]) => c.inserted),
      entries.map(([, c]) => c.updated),
      entries.map(([, c]) => c.unchanged),
      entries.map(([, c]) => c.deleted),
      entries.map(([, c]) => c.rejected),
      entries.map(([, c]) => c.skipped ?? 0),
    ],
  );
}

/** A run's new mailing list: every contact of this run that is live in the directory now. */
export async function createMailingList(tx: Tx, directoryId: number, runId: number, name: string) {
  const [list] = await tx.query<{ id: number; name: string }>(
    `insert into mailing_lists (directory_id, name, run_id) values ($1, $2, $3) returning id::int, name`,
    [directoryId, `${name} ${runId}`, runId],
  );
  const [members] = await tx.query<{ n: number }>(
    `with added as (
      insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id)
      select $1, $2, external_id from stg_contacts where err_code is null and not is_deleted
      returning 1
    ) select count(*)::int as n from added`,
    [list!.id, directoryId],
  );
  return { id: list!.id, name: list!.name, members: members!.n };
}
