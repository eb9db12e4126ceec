import type { Queryable } from '../../core/db.ts';
import { storableText } from '../../core/errors.ts';
import type { WriteRecord } from './record-values.ts';

/** The records whose fields differ from what was last written to them (or that were never written). */
export async function changedRecords(db: Queryable, connectionId: number, object: string, records: readonly WriteRecord[]): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    `select n.id from unnest($3::text[], $4::text[]) as n (id, fields)
    left join salesforce_written_values w on w.connection_id = $1 and w.object = $2 and w.record_id = n.id
    where w.fields is distinct from n.fields::jsonb`,
    [connectionId, object, records.map((r) => r.id), records.map((r) => JSON.stringify(r.fields))],
  );
  return new Set(rows.map((r) => r.id));
}

/** What Salesforce accepted, remembered so the next run sends only what changes again. */
export async function saveWritten(db: Queryable, connectionId: number, object: string, records: readonly WriteRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.query(
    `insert into salesforce_written_values (connection_id, object, record_id, fields, written_at)
    select $1, $2, id, fields::jsonb, now() from unnest($3::text[], $4::text[]) as n (id, fields)
    on conflict (connection_id, object, record_id) do update set fields = excluded.fields, written_at = excluded.written_at`,
    [connectionId, object, records.map((r) => r.id), records.map((r) => JSON.stringify(r.fields))],
  );
}

/** A record Salesforce refused, with its error. */
export type RecordFailure = { id: string; code: string; message: string; field: string | null };

/** Refused records become the run's row errors, on its accounts (or, for Tasks, its contacts), under `source`. */
export async function saveRecordFailures(db: Queryable, runId: number, object: 'accounts' | 'contacts', source: string, failures: readonly RecordFailure[]): Promise<void> {
  if (failures.length === 0) return;
  await db.query(
    `insert into sync_run_errors (run_id, object, source, line, record_id, field, code, message)
    select $1, $2, $3, null, id, field, code, message from unnest($4::text[], $5::text[], $6::text[], $7::text[]) as f (id, field, code, message)`,
    [runId, object, source, failures.map((f) => f.id), failures.map((f) => f.field), failures.map((f) => f.code), failures.map((f) => storableText(f.message))],
  );
}

/** One write-back's outcome, as its run shows it. */
export type WriteBackReport = {
  task: string;
  method: 'bulk' | 'collections' | 'none';
  accounts: number;
  changed: number;
  succeeded: number;
  failed: number;
  apiCalls: number;
  jobId: string | null;
  /** Detractor Tasks opened, and refused. */
  tasksCreated: number;
  tasksFailed: number;
  error: { code: string; message: string } | null;
};

/** The report, and its API calls added to the run's (an extract's calls are there already). */
export async function saveReport(db: Queryable, runId: number, connectionId: number, report: WriteBackReport): Promise<void> {
  await db.query(
    `with report as (
      insert into write_back_reports (run_id, task, connection_id, method, accounts, changed, succeeded, failed, api_calls, job_id, error_code, error_message, tasks_created, tasks_failed)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
      on conflict (run_id, task) do update set method = excluded.method, accounts = excluded.accounts, changed = excluded.changed, succeeded = excluded.succeeded,
        failed = excluded.failed, api_calls = excluded.api_calls, job_id = excluded.job_id, error_code = excluded.error_code, error_message = excluded.error_message,
        tasks_created = excluded.tasks_created, tasks_failed = excluded.tasks_failed, finished_at = now()
    ) update sync_runs set api_calls = coalesce(api_calls, 0) + $9 where id = $1`,
    [runId, report.task, connectionId, report.method, report.accounts, report.changed, report.succeeded, report.failed, report.apiCalls, report.jobId,
      report.error?.code ?? null, report.error ? storableText(report.error.message) : null, report.tasksCreated, report.tasksFailed],
  );
}
