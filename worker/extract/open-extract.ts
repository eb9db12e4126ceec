import type { SyncDeps, SyncJob } from '../jobs/sync-job.ts';
import type { Extract } from './extract.ts';
import { localFilesExtract } from './local-files.ts';
import { salesforceExtract } from './salesforce/salesforce-extract.ts';
import { sftpExtract } from './sftp-extract.ts';
import { uploadExtract } from './upload-extract.ts';

/** The extract a sync job names: Salesforce objects, files on an SFTP server, uploaded files, or local files. */
export function openExtract(deps: SyncDeps, job: SyncJob): Extract {
  if (job.salesforce) return salesforceExtract(deps, job.salesforce, job.directoryId);
  const csv = { ...job.csv, ...(deps.maxCsvFieldBytes === undefined ? {} : { maxFieldBytes: deps.maxCsvFieldBytes }) };
  if (job.sftp) return sftpExtract(deps, job.sftp, csv, job.directoryId);
  if (job.uploads) return uploadExtract(deps.db, job.uploads, csv);
  return localFilesExtract(job.files ?? {}, job.importDir, csv);
}
