import path from 'node:path';
import { z } from 'zod';
import { findSftpCredentials, recordLoaded, wasLoaded, type RemoteFile } from '../../core/connections/sftp.ts';
import type { Db } from '../../core/db.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { answered, connectSftp, disconnectSftp } from '../../core/connections/sftp-session.ts';
import { resolveFile, serverName } from '../../core/connections/sftp-files.ts';
import { defaultSftpTuning, sftpSource, type SftpTuning } from './sftp.ts';
import { SourceKind, type Sources } from '../../core/records/source.ts';
import type { SyncDeps } from '../jobs/sync-job.ts';
import { emptyReport, type Extract } from './extract.ts';
import { csvDialectShape, type CsvOptions } from '../../core/records/csv-source.ts';

const fileSpec = z.union([z.strictObject({ path: z.string().min(1) }), z.strictObject({ pattern: z.string().min(1) })]).and(z.object(csvDialectShape));

/** Up to three extract tasks on one SFTP server: contacts, accounts, and (optionally) team members. */
export const sftpExtractSchema = z.strictObject({
  connectionId: z.number().int().positive(),
  files: z.strictObject({ accounts: fileSpec.optional(), contacts: fileSpec.optional(), teamMembers: fileSpec.optional() }),
  /** After a successful load, move each file into this folder; unset: leave it in place. */
  archiveFolder: z.string().min(1).optional(),
  /** Load files even when the same file (path, size, time) was loaded before into the directory. */
  force: z.boolean().optional(),
});
export type SftpExtract = z.infer<typeof sftpExtractSchema>;

type OpenedExtract = {
  sources: Sources;
  /** Files left out because the very same file was loaded before. */
  unchanged: RemoteFile[];
  /** After the load committed: remembers the files and archives them when asked to. */
  afterLoad: (runId: number) => Promise<void>;
};

/** Files on an SFTP server: picked and opened in the run, remembered and archived once it committed. */
/** `csv` applies to every file, except where a file's own delimiter, quote or encoding says otherwise. */
export function sftpExtract(deps: SyncDeps, extract: SftpExtract, csv: CsvOptions, directoryId: number): Extract {
  let opened: OpenedExtract | undefined;
  return {
    label: `sftp:${extract.connectionId}`,
    sources: async () => {
      opened = await openSftpExtract(deps.db, await deps.secretBox(), { ...extract, directoryId }, csv, { ...defaultSftpTuning, ...deps.sftp });
      return opened.sources;
    },
    afterCommit: async (runId) => opened?.afterLoad(runId),
    report: () => ({ ...emptyReport, filesLoadedBefore: opened?.unchanged.map((file) => file.path) ?? [] }),
  };
}

/**
 * Picks the files of an SFTP extract and reads their headers, over one connection; each file's
 * records download when the loader reaches them (see sftpSource).
 */
async function openSftpExtract(db: Db, box: SecretBox, extract: SftpExtract & { directoryId: number }, csv: CsvOptions, tuning: SftpTuning): Promise<OpenedExtract> {
  const connection = await findSftpCredentials(db, box, extract.connectionId);
  const picked: { kind: SourceKind; file: RemoteFile }[] = [];
  const unchanged: RemoteFile[] = [];
  const sources: Sources = {};
  const client = await connectSftp(connection, tuning.idleTimeoutMs);
  try {
    for (const kind of Object.values(SourceKind)) {
      const spec = extract.files[kind];
      if (!spec) continue;
      const file = await resolveFile(client, spec, serverName(connection), tuning.idleTimeoutMs);
      if (!extract.force && (await wasLoaded(db, connection.id, extract.directoryId, file))) {
        unchanged.push(file);
        continue;
      }
      picked.push({ kind, file });
      const { delimiter, quote, encoding } = spec;
      sources[kind] = await sftpSource(client, connection, file, { ...csv, ...(delimiter ? { delimiter } : {}), ...(quote ? { quote } : {}), ...(encoding ? { encoding } : {}) }, tuning);
    }
  } finally {
    await disconnectSftp(client, tuning.idleTimeoutMs);
  }
  return {
    sources,
    unchanged,
    afterLoad: async (runId) => {
      for (const { file } of picked) await recordLoaded(db, connection.id, extract.directoryId, file, runId);
      if (!extract.archiveFolder || picked.length === 0) return;
      const folder = extract.archiveFolder;
      const archiver = await connectSftp(connection, tuning.idleTimeoutMs);
      try {
        await answered(archiver.mkdir(folder, true), tuning.idleTimeoutMs, `${folder} on ${serverName(connection)}: creating the archive folder`);
        for (const { file } of picked) {
          const to = path.posix.join(folder, path.posix.basename(file.path));
          await answered(archiver.rename(file.path, to), tuning.idleTimeoutMs, `${file.path} on ${serverName(connection)}: moving it to ${to}`);
        }
      } finally {
        await disconnectSftp(archiver, tuning.idleTimeoutMs);
      }
    },
  };
}
