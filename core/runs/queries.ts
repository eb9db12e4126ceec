import { z } from 'zod';
import { RunState } from '../states.ts';
import { ErrorCode } from '../errors.ts';
import type { Queryable } from '../db.ts';
import { toPage, type Page, type PagedRows, type Window } from '../page.ts';

const count = z.number().int();
/** `skipped` (rows whose value maps to SKIP) is there only when a run skipped some. */
export const objectCountsSchema = z.object({ inserted: count, updated: count, unchanged: count, deleted: count, rejected: count, skipped: count.optional() });
export type ObjectCounts = z.infer<typeof objectCountsSchema>;

/** A run as the API shows it. */
export const runSummarySchema = z.object({
  id: z.number().int(),
  directoryId: z.number().int(),
  source: z.string(),
  state: z.enum(Object.values(RunState)),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  workflowId: z.number().int().nullable(),
  workflowVersion: z.number().int().nullable(),
  /** Salesforce API calls the run made (orgs have a daily API budget); null for runs that read files. */
  apiCalls: z.number().int().nullable(),
  /** While it runs: its phase, the file it reads and the rows read so far. */
  progress: z.object({ phase: z.string().optional(), source: z.string().optional(), rowsRead: z.number().int().optional() }),
  /** Keyed by directory object, in the order the loader merges them. */
  counts: z.record(z.string(), objectCountsSchema),
  errorCount: count,
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const rowErrorSchema = z.object({
  object: z.string(),
  source: z.string(),
  line: z.number().int().nullable(),
  recordId: z.string().nullable(),
  field: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});
export type RowError = z.infer<typeof rowErrorSchema>;

/** A write-back task's outcome in a run: how it sent, what it sent and Salesforce refused, and its error when it failed whole. */
export const writeBackReportSchema = z.object({
  task: z.string(),
  method: z.enum(['bulk', 'collections', 'none']),
  accounts: count,
  changed: count.describe('accounts whose figures changed since the last write: the records sent'),
  succeeded: count,
  failed: count.describe("records Salesforce refused: the run's row errors of source \"writeBack <task>\""),
  apiCalls: count,
  jobId: z.string().nullable().describe('the Bulk API 2.0 ingest job'),
  tasksCreated: count.describe('Salesforce Tasks opened for detractor answers'),
  tasksFailed: count,
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
});
export type WriteBackReportRow = z.infer<typeof writeBackReportSchema>;

/** The uploaded file a run read for a directory object; `uploadId` is null once that upload is deleted. */
export const uploadReadSchema = z.object({ object: z.string(), uploadId: z.number().int().nullable(), name: z.string() });
export type UploadRead = z.infer<typeof uploadReadSchema>;

/** A run's columns as the API shows them; `r` is the run. */
const runColumns = `
  r.id::int as id, r.directory_id::int as "directoryId", r.source, r.state,
  r.error_code as "errorCode", r.error_message as "errorMessage", r.started_at as "startedAt", r.finished_at as "finishedAt",
  r.workflow_id::int as "workflowId", r.workflow_version as "workflowVersion", r.api_calls as "apiCalls", r.progress,
  coalesce((
    select json_object_agg(c.object, json_strip_nulls(json_build_object('inserted', c.inserted, 'updated', c.updated, 'unchanged', c.unchanged,
        'deleted', c.deleted, 'rejected', c.rejected, 'skipped', nullif(c.skipped, 0)))
      order by array_position(array['accounts', 'hierarchy', 'contacts', 'clientRoles', 'managementRoles'], c.object))
    from sync_run_counts c where c.run_id = r.id
  ), '{}') as counts,
  (select count(*)::int from sync_run_errors e where e.run_id = r.id) as "errorCount"`;

export type RunFilter = { workflowId: number | null; state: RunSummary['state'] | undefined; from?: Date | undefined; to?: Date | undefined };

/** A directory's runs, newest first, of one workflow, in one state or started in [from, to) when asked; null when the directory does not exist. */
export async function listRuns(db: Queryable, directoryId: number, filter: RunFilter, window: Window): Promise<Page<RunSummary> | null> {
  const matches = `from sync_runs r where r.directory_id = $1 and ($4::bigint is null or r.workflow_id = $4) and ($5::text is null or r.state = $5)
    and ($6::timestamptz is null or r.started_at >= $6) and ($7::timestamptz is null or r.started_at < $7)`;
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
    [directoryId, window.limit, window.offset, filter.workflowId, filter.state ?? null, filter.from ?? null, filter.to ?? null],
  );
  return toPage(rows, 'id', window);
}

/**
 * A text cell that a spreadsheet would read as a formula (=, +, -, @, tab or carriage return
 * first) starts with a quote instead, so it shows as text: the values come from export files.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
export const spreadsheetText = (column: string) =>
  `case when left(${column}, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || ${column} else ${column} end as ${column}`;

/** Every row error of a run, in the order recorded, streamed as COPY text rows for a CSV download. */
export function runErrorsCsv(tx: { copyOut: (sql: string) => AsyncIterable<string> }, runId: number): AsyncIterable<string> {
  const cells = ['object', 'source', 'line', 'record_id', 'field', 'code', 'message'].map((c) => (c === 'line' ? c : spreadsheetText(c)));
  return tx.copyOut(
    `copy (select ${cells.join(', ')} from sync_run_errors where run_id = ${Number(runId)} order by id)
     to stdout with (format csv, header)`,
  );
}

/**
 * One run with a page of its row errors in the order they were recorded, which uploaded files it
 * read and what its write-backs did, when it had any; `runId` is digits.
 */
export async function findRun(db: Queryable, runId: string, errors: Window): Promise<(RunSummary & { errors: RowError[]; uploads?: UploadRead[]; writeBacks?: WriteBackReportRow[] }) | null> {
  const [found] = await db.query<RunSummary & { errors: RowError[]; uploads: UploadRead[] | null; writeBacks: WriteBackReportRow[] | null }>(
    `select ${runColumns},
      (select json_agg(json_build_object('object', u.object, 'uploadId', u.upload_id, 'name', u.name) order by u.object)
        from upload_reads u where u.run_id = r.id) as uploads,
      (select json_agg(json_build_object('task', w.task, 'method', w.method, 'accounts', w.accounts, 'changed', w.changed, 'succeeded', w.succeeded,
          'failed', w.failed, 'apiCalls', w.api_calls, 'jobId', w.job_id, 'tasksCreated', w.tasks_created, 'tasksFailed', w.tasks_failed, 'errorCode', w.error_code, 'errorMessage', w.error_message) order by w.finished_at, w.task)
        from write_back_reports w where w.run_id = r.id) as "writeBacks",
      coalesce((
        select json_agg(json_build_object('object', e.object, 'source', e.source, 'line', e.line, 'recordId', e.record_id,
            'field', e.field, 'code', e.code, 'message', e.message) order by e.id)
        from (select * from sync_run_errors where run_id = r.id order by id limit $2 offset $3) e
      ), '[]') as errors
    from sync_runs r
    where r.id = $1`,
    [runId, errors.limit, errors.offset],
  );
  if (!found) return null;
  const { uploads, writeBacks, ...run } = found;
  return { ...run, ...(uploads === null ? {} : { uploads }), ...(writeBacks === null ? {} : { writeBacks }) };
}

/** An id for a run asked for now and started later by a worker, so the asker can follow it (GET /api/runs/:id answers 404 until it starts). */
export async function reserveRunId(db: Queryable): Promise<number> {
  const [row] = await db.query<{ id: number }>(`select nextval(pg_get_serial_sequence('sync_runs', 'id'))::int as id`);
  return row!.id;
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
