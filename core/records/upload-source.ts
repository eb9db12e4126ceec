import type { Queryable } from '../db.ts';
import { AppError, ErrorCode } from '../errors.ts';
import { newestUpload, type Upload } from '../uploads/queries.ts';
import { uploadBytes } from '../uploads/read-upload.ts';
import { csvSource, type CsvOptions } from './csv-source.ts';
import type { RecordSource } from './source.ts';

/**
 * The newest upload named `name` as a record source, named by that file name (so its row errors
 * name it and their line); a name with no upload is an error that says how to provide one.
 */
export async function openUploadSource(db: Queryable, name: string, options: CsvOptions): Promise<{ upload: Upload; source: RecordSource }> {
  const upload = await newestUpload(db, name);
  if (!upload) {
    throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${name}: no file of this name is uploaded; upload it under Connections → Uploaded files, or with POST /api/uploads?name=${encodeURIComponent(name)}`);
  }
  return { upload, source: await csvSource(upload.name, uploadBytes(db, upload), options) };
}
