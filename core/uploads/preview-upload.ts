import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, isAppError } from '../errors.ts';
import { openUploadSource } from '../records/upload-source.ts';
import { csvDialectShape, type CsvOptions } from '../records/csv-source.ts';
import { firstRows, previewRowSchema } from '../records/preview-rows.ts';

export const uploadPreviewQuery = z.strictObject({ name: z.string().min(1).max(255), ...csvDialectShape });

export const uploadPreviewSchema = z.object({
  uploadId: z.number().int(),
  name: z.string(),
  columns: z.array(z.string()),
  rows: z.array(previewRowSchema),
});
export type UploadPreview = z.infer<typeof uploadPreviewSchema>;

/**
 * The newest upload of a name read as a workflow's upload extract reads it with these settings: its
 * header and its first rows (see firstRows).
 */
export async function previewUpload(db: Queryable, name: string, dialect: CsvOptions): Promise<UploadPreview> {
  // An unreadable file is a run error (500) when a run meets it; here it answers the admin who asked.
  const { upload, source } = await openUploadSource(db, name, dialect).catch((error: unknown) => {
    throw isAppError(error) ? new AppError(error.code, error.message, { status: 400 }) : error;
  });
  return { uploadId: upload.id, name: upload.name, columns: [...source.columns], rows: await firstRows(source) };
}
