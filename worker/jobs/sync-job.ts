import { z } from 'zod';
import type { Db } from '../../core/db.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { mappingInputSchema } from '../../core/directory/mapping-input.ts';
import { csvDialectShape } from '../../core/records/csv-source.ts';
import { sftpExtractSchema } from '../extract/sftp-extract.ts';
import { uploadExtractSchema } from '../extract/upload-extract.ts';
import type { SftpTuning } from '../extract/sftp.ts';
import { salesforceExtractSchema, type SalesforceTuning } from '../extract/salesforce/salesforce-extract.ts';

/** A sync job: which export files (local, uploaded, or on an SFTP server) or which Salesforce objects feed which directory, with which mapping. */
export const syncJobSchema = z.strictObject({
  directoryId: z.number().int().positive(),
  files: z.strictObject({ accounts: z.string().optional(), contacts: z.string().optional(), teamMembers: z.string().optional() }).optional(),
  /** Set for a workflow's files: they are read relative to this folder, and never outside it. */
  importDir: z.string().optional(),
  sftp: sftpExtractSchema.optional(),
  uploads: uploadExtractSchema.optional(),
  salesforce: salesforceExtractSchema.optional(),
  /** Either a mapping, or the path of a mapping JSON file. */
  mapping: z.union([mappingInputSchema, z.string()]).optional(),
  mailingListName: z.string().min(1).optional(),
  /** How the export files (local or SFTP) are written; an SFTP file's own settings win. */
  csv: z.strictObject(csvDialectShape).optional(),
  /** The objects whose files are full exports: what such a file no longer names is removed from the directory. */
  fullExport: z.array(z.enum(['accounts', 'contacts', 'teamMembers'])).optional(),
  /** The workflow version this sync runs for, recorded on its run; `runId`: the id reserved for the run when it was asked for. */
  workflow: z.strictObject({ id: z.number().int().positive(), version: z.number().int().positive(), runId: z.number().int().positive().optional() }).optional(),
})
  .refine((job) => [job.files, job.uploads, job.sftp, job.salesforce].filter((s) => s !== undefined).length === 1, {
    message: 'a sync reads from one place: local files, uploaded files, an SFTP server or a Salesforce org',
  })
  .refine((job) => !(job.salesforce && job.fullExport?.length), {
    message: 'fullExport is for files; a Salesforce org removes what it no longer holds through its reconcile',
  });
export type SyncJob = z.infer<typeof syncJobSchema>;

/** What a sync needs besides the job: the database, the box that opens stored credentials (made on first use), and the extracts' tuning (tests shorten it). */
export type SyncDeps = {
  db: Db;
  secretBox: () => Promise<SecretBox>;
  salesforce?: Partial<SalesforceTuning>;
  sftp?: Partial<SftpTuning>;
  /** CSV_MAX_FIELD_BYTES: a longer field in any export file is a row error; unset: the CSV reader's default. */
  maxCsvFieldBytes?: number;
};
