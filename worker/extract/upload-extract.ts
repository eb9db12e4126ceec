import { z } from 'zod';
import type { Db } from '../../core/db.ts';
import { csvDialectShape, type CsvOptions } from '../../core/records/csv-source.ts';
import { SourceKind, type Sources } from '../../core/records/source.ts';
import { openUploadSource } from '../../core/records/upload-source.ts';
import { emptyReport, type Extract } from './extract.ts';

const uploadSpec = z.strictObject({ file: z.string().min(1), ...csvDialectShape });

/** Uploaded files by name, per directory object: each the newest upload of its name. */
export const uploadExtractSchema = z.strictObject({ accounts: uploadSpec.optional(), contacts: uploadSpec.optional(), teamMembers: uploadSpec.optional() });
export type UploadExtract = z.infer<typeof uploadExtractSchema>;

/**
 * Uploaded files, read from the database as the loader reaches them. Which upload each object read
 * is recorded with the run, in its transaction, so a later upload of the same name never blurs it.
 */
export function uploadExtract(db: Db, files: UploadExtract, csv: CsvOptions): Extract {
  const read: { object: SourceKind; uploadId: number; name: string }[] = [];
  return {
    label: 'upload',
    sources: async () => {
      const sources: Sources = {};
      for (const object of Object.values(SourceKind)) {
        const spec = files[object];
        if (!spec) continue;
        const { file, ...dialect } = spec;
        const { upload, source } = await openUploadSource(db, file, { ...csv, ...dialect });
        read.push({ object, uploadId: upload.id, name: upload.name });
        sources[object] = source;
      }
      return sources;
    },
    beforeCommit: async (tx, runId) => {
      await tx.query(
        `insert into upload_reads (run_id, object, upload_id, name) select $1, r.object, r.upload_id, r.name
         from jsonb_to_recordset($2::jsonb) as r(object text, upload_id bigint, name text)`,
        [runId, JSON.stringify(read.map((r) => ({ object: r.object, upload_id: r.uploadId, name: r.name })))],
      );
    },
    report: () => emptyReport,
  };
}
