import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, isAppError } from '../errors.ts';
import { openUploadSource } from '../records/upload-source.ts';
import { csvDialectShape, type CsvOptions } from '../records/csv-source.ts';

/** How many rows a file preview shows: enough to see the columns are read right. */
export const previewRows = 20;

export const uploadPreviewQuery = z.strictObject({ name: z.string().min(1).max(255), ...csvDialectShape });

export const uploadPreviewSchema = z.object({
  uploadId: z.number().int(),
  name: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.object({ line: z.number().int(), values: z.array(z.string()).nullable(), error: z.string().nullable() })),
});
export type UploadPreview = z.infer<typeof uploadPreviewSchema>;

/**
 * The newest upload of a name read as a workflow's upload extract reads it with these settings: its
 * header, and its first rows each as values in column order or as the reason it cannot be read.
 * Reading stops there, so a large file costs no more than its first rows.
 */
export async function previewUpload(db: Queryable, name: string, dialect: CsvOptions): Promise<UploadPreview> {
  // An unreadable file is a run error (500) when a run meets it; here it answers the admin who asked.
  const { upload, source } = await openUploadSource(db, name, dialect).catch((error: unknown) => {
    throw isAppError(error) ? new AppError(error.code, error.message, { status: 400 }) : error;
  });
  const rows: UploadPreview['rows'] = [];
  for await (const item of source.items) {
    rows.push(item.kind === 'record'
      ? { line: item.origin.line, values: source.columns.map((c) => item.values[c] ?? ''), error: null }
      : { line: item.origin.line, values: null, error: item.message });
    if (rows.length === previewRows) break;
  }
  return { uploadId: upload.id, name: upload.name, columns: [...source.columns], rows };
}
