import type { Queryable } from '../../core/db.ts';

/** The row error codes of a run, each with how often it occurs, e.g. "UNREADABLE_ROW: CSV_FIELD_TOO_LONG x1". */
export async function runErrorCodes(db: Queryable, runId: number): Promise<string[]> {
  const rows = await db.query<{ code: string; n: number }>(
    `select code || ': ' || split_part(message, ':', 1) as code, count(*)::int as n from sync_run_errors where run_id = $1 group by 1 order by 1`,
    [runId],
  );
  return rows.map((r) => `${r.code} x${r.n}`);
}
