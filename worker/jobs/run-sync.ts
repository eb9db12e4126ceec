import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { openLocalFiles } from '../extract/local-files.ts';
import { openSftpExtract, sftpExtractSchema } from '../extract/sftp-extract.ts';
import type { Tx } from '../../core/db.ts';
import {
  defaultTuning,
  openSalesforceExtract,
  salesforceExtractSchema,
  type ObjectPlan,
  type SalesforceTuning,
} from '../extract/salesforce/salesforce-extract.ts';
import { saveApiCalls } from '../load/run-queries.ts';
import { loadDirectory, type LoadResult } from '../load/load-directory.ts';
import { mappingInputSchema, parseMappingInput, type MappingInput } from '../../core/directory/mapping-input.ts';
import { csvDialectShape } from '../../core/records/csv-source.ts';

/** A sync job: which export files (local, or on an SFTP server) feed which directory, with which mapping. */
export const syncJobSchema = z.strictObject({
  directoryId: z.number().int().positive(),
  files: z.strictObject({ accounts: z.string().optional(), contacts: z.string().optional(), teamMembers: z.string().optional() }).optional(),
  sftp: sftpExtractSchema.optional(),
  salesforce: salesforceExtractSchema.optional(),
  /** Either a mapping, or the path of a mapping JSON file. */
  mapping: z.union([mappingInputSchema, z.string()]).optional(),
  mailingListName: z.string().min(1).optional(),
  /** How the export files (local or SFTP) are written; an SFTP file's own settings win. */
  csv: z.strictObject(csvDialectShape).optional(),
  /** The workflow version this sync runs for, recorded on its run. */
  workflow: z.strictObject({ id: z.number().int().positive(), version: z.number().int().positive() }).optional(),
}).refine((job) => [job.files, job.sftp, job.salesforce].filter((s) => s !== undefined).length === 1, {
  message: 'a sync reads from one place: local files, an SFTP server or a Salesforce org',
});
export type SyncJob = z.infer<typeof syncJobSchema>;

/** What a sync needs besides the database: the box that opens stored credentials, made on first use. */
export type SyncDeps = {
  db: Db;
  secretBox: () => Promise<SecretBox>;
  salesforce?: Partial<SalesforceTuning>;
  /** CSV_MAX_FIELD_BYTES: a longer field in any export file is a row error; unset: the CSV reader's default. */
  maxCsvFieldBytes?: number;
};

/**
 * The story of one sync: extract (open the export files), map and load them into the directory
 * as one run. Distribution of surveys to the new mailing list follows in the workflow.
 */
export type SyncResult = LoadResult & {
  /** Files left out because the very same file (path, size, time) was loaded before. */
  filesLoadedBefore: string[];
  /** Salesforce API calls the run made (also stored with the run); null when it read files. */
  apiCalls: number | null;
  /** How each Salesforce object was extracted: Bulk or REST, full or since when. */
  salesforcePlans: ObjectPlan[];
};

export async function runSync({ db, secretBox, salesforce: tuning, maxCsvFieldBytes }: SyncDeps, job: SyncJob): Promise<SyncResult> {
  const limit = maxCsvFieldBytes === undefined ? {} : { maxFieldBytes: maxCsvFieldBytes };
  const csv = { ...job.csv, ...limit };
  const mapping = typeof job.mapping === 'string' ? await readMappingFile(job.mapping) : (job.mapping ?? {});
  const { sftp, salesforce } = job;
  let afterLoad: ((runId: number) => Promise<void>) | undefined;
  let beforeCommit: ((tx: Tx, runId: number) => Promise<void>) | undefined;
  let filesLoadedBefore: string[] = [];
  let salesforcePlans: ObjectPlan[] = [];
  const usage = { calls: 0 };
  const result = await loadDirectory(db, {
    directoryId: job.directoryId,
    sourceLabel: sftp ? `sftp:${sftp.connectionId}` : salesforce ? `salesforce:${salesforce.connectionId}` : 'files',
    openSources: async () => {
      if (salesforce) {
        const extract = await openSalesforceExtract(db, await secretBox(), salesforce, job.directoryId, usage, { ...defaultTuning, ...tuning, ...limit });
        beforeCommit = extract.saveWatermarks;
        salesforcePlans = extract.plans;
        return extract.sources;
      }
      if (!sftp) return openLocalFiles(job.files ?? {}, csv);
      const extract = await openSftpExtract(db, await secretBox(), sftp, csv);
      afterLoad = extract.afterLoad;
      filesLoadedBefore = extract.unchanged.map((file) => file.path);
      return extract.sources;
    },
    mapping,
    ...(job.mailingListName ? { mailingListName: job.mailingListName } : {}),
    ...(job.workflow ? { workflow: job.workflow } : {}),
    beforeCommit: async (tx, runId) => beforeCommit?.(tx, runId),
  });
  if (result.state === 'succeeded') await afterLoad?.(result.runId);
  // Counted whether the run succeeded or not: a failed run spent the org's API budget too.
  if (salesforce) await saveApiCalls(db, result.runId, usage.calls);
  return { ...result, filesLoadedBefore, apiCalls: salesforce ? usage.calls : null, salesforcePlans };
}

async function readMappingFile(file: string): Promise<MappingInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(ErrorCode.MAPPING_INVALID, `${file}: cannot read the mapping file (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    return parseMappingInput(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new AppError(ErrorCode.MAPPING_INVALID, `${file}: not valid JSON: ${error.message}`);
    throw error;
  }
}
