import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { openLocalFiles } from '../extract/local-files.ts';
import { loadDirectory, type LoadResult } from '../load/load-directory.ts';
import { mappingInputSchema, parseMappingInput, type MappingInput } from '../map/mapping.ts';

/** A sync job: which export files feed which directory, with which mapping. */
export const syncJobSchema = z.strictObject({
  directoryId: z.number().int().positive(),
  files: z.strictObject({ accounts: z.string().optional(), contacts: z.string().optional(), teamMembers: z.string().optional() }),
  /** Either a mapping, or the path of a mapping JSON file. */
  mapping: z.union([mappingInputSchema, z.string()]).optional(),
  mailingListName: z.string().min(1).optional(),
});
export type SyncJob = z.infer<typeof syncJobSchema>;

/**
 * The story of one sync: extract (open the export files), map and load them into the directory
 * as one run. Distribution of surveys to the new mailing list follows in the workflow.
 */
export async function runSync(db: Db, job: SyncJob): Promise<LoadResult> {
  const mapping = typeof job.mapping === 'string' ? await readMappingFile(job.mapping) : (job.mapping ?? {});
  return loadDirectory(db, {
    directoryId: job.directoryId,
    sourceLabel: 'files',
    openSources: () => openLocalFiles(job.files),
    mapping,
    ...(job.mailingListName ? { mailingListName: job.mailingListName } : {}),
  });
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
