import { readFile } from 'node:fs/promises';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { parseMappingInput, type MappingInput } from '../../core/directory/mapping-input.ts';
import type { ExtractReport } from '../extract/extract.ts';
import { openExtract } from '../extract/open-extract.ts';
import { loadDirectory, type LoadResult } from '../load/load-directory.ts';
import { saveApiCalls } from '../load/run-queries.ts';
import type { SyncDeps, SyncJob } from './sync-job.ts';

export type SyncResult = LoadResult & ExtractReport;

/**
 * The story of one sync: extract (open the sources), map and load them into the directory as one
 * run, then what the extract does once the load committed. Distribution of surveys to the new
 * mailing list follows in the workflow.
 */
export async function runSync(deps: SyncDeps, job: SyncJob): Promise<SyncResult> {
  const mapping = typeof job.mapping === 'string' ? await readMappingFile(job.mapping) : (job.mapping ?? {});
  const extract = openExtract(deps, job);
  const result = await loadDirectory(deps.db, {
    directoryId: job.directoryId,
    sourceLabel: extract.label,
    openSources: extract.sources,
    mapping,
    ...(job.mailingListName ? { mailingListName: job.mailingListName } : {}),
    ...(job.workflow ? { workflow: job.workflow } : {}),
    ...(extract.presentKeys ? { presentKeys: extract.presentKeys } : {}),
    ...(job.fullExport ? { fullExport: job.fullExport } : {}),
    ...(extract.beforeCommit ? { beforeCommit: extract.beforeCommit } : {}),
  });
  if (result.state === 'succeeded') await extract.afterCommit?.(result.runId);
  const report = extract.report();
  // Stored whether the run succeeded or not: a failed run spent the org's API budget too.
  if (report.apiCalls !== null) await saveApiCalls(deps.db, result.runId, report.apiCalls);
  return { ...result, ...report };
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
