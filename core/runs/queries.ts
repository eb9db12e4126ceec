import type { RunState } from '../states.ts';
import { ErrorCode } from '../errors.ts';
import type { Queryable } from '../db.ts';
import { toPage, type Page, type PagedRows, type Window } from '../page.ts';

export type ObjectCounts = { inserted: number; updated: number; unchanged: number; deleted: number; rejected: number };

export type RunSummary = {
  id: number;
  directoryId: number;
  source: string;
  state: RunState;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  workflowId: number | null;
  workflowVersion: number | null;
  /** Salesforce API calls the run made (orgs have a daily API budget); null for runs that read files. */
  apiCalls: number | null;
  /** While it runs: its phase, the file it reads and the rows read so far. */
  progress: { phase?: string; source?: string; rowsRead?: number };
  /** Keyed by directory object, in the order the loader merges them. */
  counts: Record<string, ObjectCounts>;
  errorCount: number;
};

export type RowError = {
  object: string;
  source: string;
  line: number | null;
  recordId: string | null;
  field: string | null;
  code: string;
  message: string;
};

/** A run's columns as the API shows them; `r` is the run. */
const runColumns = `
  r.id::int as id, r.directory_id::int as "directoryId", r.source, r.state,
  r.error_code as "errorCode", r.error_message as "errorMessage", r.started_at as "startedAt", r.finished_at as "finishedAt",
  r.workflow_id::int as "workflowId", r.workflow_version as "workflowVersion", r.api_calls as "apiCalls", r.progress,
  coalesce((
    select json_object_agg(c.object, json_build_object('inserted', c.inserted, 'updated', c.updated, 'unchanged', c.unchanged,
        'deleted', c.deleted, 'rejected', c.rejected)
      order by array_position(array['accounts', 'hierarchy', 'contacts', 'clientRoles', 'managementRoles'], c.object))
    from sync_run_counts c where c.run_id = r.id
  ), '{}') as counts,
  (select count(*)::int from sync_run_errors e where e.run_id = r.id) as "errorCount"`;

export type RunFilter = { workflowId: number | null; state: RunSummary['state'] | undefined };

/** A directory's runs, newest first, of one workflow or in one state when asked; null when the directory does not exist. */
export async function listRuns(db: Queryable, directoryId: number, filter: RunFilter, window: Window): Promise<Page<RunSummary> | null> {
  const matches = `from sync_runs r where r.directory_id = $1 and ($4::bigint is null or r.workflow_id = $4) and ($5::text is null or r.state = $5)`;
  const rows = await db.query<PagedRows<RunSummary>[number]>(
    `select (select count(*) ${matches})::int as total, page.*
    from directories d
    left join lateral (
      select ${runColumns} ${matches}
      order by r.started_at desc, r.id desc
      limit $2 offset $3
    ) page on true
    where d.id = $1
    order by page."startedAt" desc, page.id desc`,
    [directoryId, window.limit, window.offset, filter.workflowId, filter.state ?? null],
  );
  return toPage(rows, 'id', window);
}

/** Every row error of a run, in the order recorded, streamed as COPY text rows for a CSV download. */
export function runErrorsCsv(tx: { copyOut: (sql: string) => AsyncIterable<string> }, runId: number): AsyncIterable<string> {
  return tx.copyOut(
    `copy (select object, source, line, record_id, field, code, message from sync_run_errors where run_id = ${Number(runId)} order by id)
     to stdout with (format csv, header)`,
  );
}

/** One run with a page of its row errors in the order they were recorded; `runId` is digits. */
export async function findRun(db: Queryable, runId: string, errors: Window): Promise<(RunSummary & { errors: RowError[] }) | null> {
  const [run] = await db.query<RunSummary & { errors: RowError[] }>(
    `select ${runColumns},
      coalesce((
        select json_agg(json_build_object('object', e.object, 'source', e.source, 'line', e.line, 'recordId', e.record_id,
            'field', e.field, 'code', e.code, 'message', e.message) order by e.id)
        from (select * from sync_run_errors where run_id = r.id order by id limit $2 offset $3) e
      ), '[]') as errors
    from sync_runs r
    where r.id = $1`,
    [runId, errors.limit, errors.offset],
  );
  return run ?? null;
}

/** Asks a running sync to stop; false when the run does not exist or is not running. */
export async function requestCancel(db: Queryable, runId: string): Promise<boolean> {
  const rows = await db.query(
    `update sync_runs set cancel_requested_at = coalesce(cancel_requested_at, now()) where id = $1 and state = 'running' returning 1`,
    [runId],
  );
  return rows.length === 1;
}

/**
 * Arguments of the advisory lock that owns a run, `column` holding its id. Every running run has
 * an owner: the process loading it holds this session lock on a connection of its own while it
 * works on it. A process that dies (killed, out of memory) loses its connections, and with them the
 * lock, so a running run whose lock is free is one that nobody works on any more. Ids wrap at 2^31
 * to fit the lock's int key; runs that far apart are never running together.
 */
export function runOwnerLock(column: string): string {
  return `7412531, (${column} % 2147483648)::int`;
}

/**
 * Marks failed with WORKER_LOST each running run (or only `runId`) that no process owns any more,
 * and answers their ids. Taking the owner's lock for the statement is the test of that: it is
 * free only when the owner is gone. Locks are tried only on running runs, never on the history.
 */
export async function failLostRuns(db: Queryable, runId?: string): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `with running as materialized (select id from sync_runs where state = 'running' and ($1::bigint is null or id = $1))
    update sync_runs set state = 'failed', error_code = $2, finished_at = now(),
      error_message = 'the process loading it stopped before it finished (killed, or its machine gone); nothing it loaded was kept'
    where state = 'running' and id in (select id from running where pg_try_advisory_xact_lock(${runOwnerLock('id')}))
    returning id::int`,
    [runId ?? null, ErrorCode.WORKER_LOST],
  );
  return rows.map((r) => r.id);
}
