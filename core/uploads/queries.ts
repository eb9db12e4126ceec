import { z } from 'zod';
import type { Queryable } from '../db.ts';
import type { Window } from '../page.ts';

/** An uploaded file as the API lists it. */
export const uploadSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  /** In bytes. */
  size: z.number().int(),
  /** The signed-in user's email, or "API key". */
  uploadedBy: z.string(),
  uploadedAt: z.date(),
});
export type Upload = z.infer<typeof uploadSchema>;

export const apiKeyUploader = 'API key';

export const uploadColumns = `id::int, name, size::float8 as size, coalesce(uploaded_by, '${apiKeyUploader}') as "uploadedBy", uploaded_at as "uploadedAt"`;

/** Newest first: the upload a workflow reads comes before the older ones of its name. */
export async function listUploads(db: Queryable, window: Window): Promise<{ items: Upload[]; total: number }> {
  const rows = await db.query<Upload & { total: number }>(
    `select ${uploadColumns}, count(*) over ()::int as total from uploads order by id desc limit $1 offset $2`,
    [window.limit, window.offset],
  );
  const total = rows[0]?.total ?? (await db.query<{ n: number }>('select count(*)::int as n from uploads'))[0]!.n;
  return { items: rows.map(({ total: _, ...upload }) => upload), total };
}

export async function findUpload(db: Queryable, id: number): Promise<Upload | undefined> {
  return (await db.query<Upload>(`select ${uploadColumns} from uploads where id = $1`, [id]))[0];
}

/** The upload a workflow naming `name` reads: the newest of that name. */
export async function newestUpload(db: Queryable, name: string): Promise<Upload | undefined> {
  return (await db.query<Upload>(`select ${uploadColumns} from uploads where name = $1 order by id desc limit 1`, [name]))[0];
}

/** Deletes the upload and its bytes; false when none has this id. */
export async function deleteUpload(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('delete from uploads where id = $1 returning id', [id])).length > 0;
}
