import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { resolveImportPath } from '../../core/import-folder.ts';
import { csvSource, type CsvOptions } from '../../core/records/csv-source.ts';
import type { RecordSource, SourceKind, Sources } from '../../core/records/source.ts';
import { emptyReport, type Extract } from './extract.ts';

export type LocalFiles = Partial<Record<SourceKind, string>>;

/**
 * Export files on local disk. A workflow's are resolved inside its import folder at the moment of
 * reading (a link may have changed since it was saved); the operator's (the load CLI) as given.
 */
export function localFilesExtract(files: LocalFiles, importDir: string | undefined, csv: CsvOptions): Extract {
  return {
    label: 'files',
    sources: async () => {
      if (importDir === undefined) return openLocalFiles(files, csv);
      const resolved = await Promise.all(Object.entries(files).map(async ([kind, file]) => [kind, await resolveImportPath(importDir, file)] as const));
      return openLocalFiles(Object.fromEntries(resolved), csv);
    },
    report: () => emptyReport,
  };
}

/** Opens the export files on local disk as record sources, each named by its file name. */
export async function openLocalFiles(files: LocalFiles, options: CsvOptions = {}): Promise<Sources> {
  const sources: Sources = {};
  for (const [kind, file] of Object.entries(files) as [SourceKind, string][]) sources[kind] = await openCsvFile(file, `the ${kind} file`, options);
  return sources;
}

/** One CSV file on local disk as a record source; `what` names it in the error when it cannot be read. */
export async function openCsvFile(file: string, what: string, options: CsvOptions = {}): Promise<RecordSource> {
  try {
    await access(file);
  } catch (error) {
    throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${file}: cannot read ${what} (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
  return csvSource(path.basename(file), createReadStream(file, { highWaterMark: 1 << 16 }), options);
}
