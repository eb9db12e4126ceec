import type { Queryable } from '../../../core/db.ts';

export type Watermark = {
  fields: string[];
  listView: string | null;
  systemModstamp: Date;
  /** Records read with a SystemModstamp within the overlap window before `systemModstamp`. */
  windowCount: number;
};

export type StoredWatermark = Watermark & { runsSinceReconcile: number };

export async function findWatermark(db: Queryable, connectionId: number, directoryId: number, object: string): Promise<StoredWatermark | null> {
  const [row] = await db.query<StoredWatermark>(
    `select fields, list_view as "listView", system_modstamp as "systemModstamp", window_count as "windowCount",
       runs_since_reconcile as "runsSinceReconcile" from salesforce_watermarks
     where connection_id = $1 and directory_id = $2 and object = $3`,
    [connectionId, directoryId, object],
  );
  return row ?? null;
}

/** Called in the load's transaction: a run that rolls back leaves the watermark where it was. */
export async function saveWatermark(
  db: Queryable,
  w: Watermark & { connectionId: number; directoryId: number; object: string; runId: number },
): Promise<void> {
  await db.query(
    `insert into salesforce_watermarks (connection_id, directory_id, object, fields, list_view, system_modstamp, window_count, run_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (connection_id, directory_id, object) do update set fields = excluded.fields, list_view = excluded.list_view,
       system_modstamp = excluded.system_modstamp, window_count = excluded.window_count, run_id = excluded.run_id, updated_at = now()`,
    [w.connectionId, w.directoryId, w.object, w.fields, w.listView, w.systemModstamp, w.windowCount, w.runId],
  );
}

/** Called in the load's transaction after the watermarks are saved: one more run for each object, none for those reconciled. */
export async function countRun(db: Queryable, w: { connectionId: number; directoryId: number; objects: string[]; reconciled: string[] }): Promise<void> {
  await db.query(
    `update salesforce_watermarks set runs_since_reconcile = case when object = any($4) then 0 else runs_since_reconcile + 1 end
     where connection_id = $1 and directory_id = $2 and object = any($3)`,
    [w.connectionId, w.directoryId, w.objects, w.reconciled],
  );
}
