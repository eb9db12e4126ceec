import path from 'node:path';
import { z } from 'zod';
import { findSftpCredentials, recordLoaded, wasLoaded, type RemoteFile } from '../../core/connections/sftp.ts';
import type { Db } from '../../core/db.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { connectSftp, resolveFile, sftpSource, type Retry } from './sftp.ts';
import { SourceKind, type Sources } from '../../core/records/source.ts';
import { csvDialectShape, type CsvOptions } from '../../core/records/csv-source.ts';

const fileSpec = z.union([z.strictObject({ path: z.string().min(1) }), z.strictObject({ pattern: z.string().min(1) })]).and(
  z.object(csvDialectShape),
);

/** Up to three extract tasks on one SFTP server: contacts, accounts, and (optionally) team members. */
export const sftpExtractSchema = z.strictObject({
  connectionId: z.number().int().positive(),
  files: z.strictObject({ accounts: fileSpec.optional(), contacts: fileSpec.optional(), teamMembers: fileSpec.optional() }),
  /** After a successful load, move each file into this folder; unset: leave it in place. */
  archiveFolder: z.string().min(1).optional(),
  /** Load files even when the same file (path, size, time) was loaded before. */
  force: z.boolean().optional(),
});
export type SftpExtract = z.infer<typeof sftpExtractSchema>;

export type OpenedExtract = {
  sources: Sources;
  /** Files left out because the very same file was loaded before. */
  unchanged: RemoteFile[];
  /** After the load committed: remembers the files and archives them when asked to. */
  afterLoad: (runId: number) => Promise<void>;
};

/** Picks the files of an SFTP extract and opens each one as a source that streams as it downloads. */
/** `csv` applies to every file, except where a file's own delimiter, quote or encoding says otherwise. */
export async function openSftpExtract(db: Db, box: SecretBox, extract: SftpExtract, csv: CsvOptions = {}, retry?: Retry): Promise<OpenedExtract> {
  const connection = await findSftpCredentials(db, box, extract.connectionId);
  const picked: { kind: SourceKind; file: RemoteFile; options: SftpExtract['files'][SourceKind] }[] = [];
  const unchanged: RemoteFile[] = [];
  const client = await connectSftp(connection);
  try {
    for (const kind of Object.values(SourceKind)) {
      const spec = extract.files[kind];
      if (!spec) continue;
      const file = await resolveFile(client, spec, connection.host);
      if (!extract.force && (await wasLoaded(db, connection.id, file))) unchanged.push(file);
      else picked.push({ kind, file, options: spec });
    }
  } finally {
    await client.end().catch(() => {});
  }
  const sources: Sources = {};
  for (const { kind, file, options } of picked) {
    const { delimiter, quote, encoding } = options ?? {};
    sources[kind] = await sftpSource(connection, file, { ...csv, ...(delimiter ? { delimiter } : {}), ...(quote ? { quote } : {}), ...(encoding ? { encoding } : {}) }, retry);
  }
  return {
    sources,
    unchanged,
    afterLoad: async (runId) => {
      for (const { file } of picked) await recordLoaded(db, connection.id, file, runId);
      if (!extract.archiveFolder || picked.length === 0) return;
      const archiver = await connectSftp(connection);
      try {
        await archiver.mkdir(extract.archiveFolder, true);
        for (const { file } of picked) await archiver.rename(file.path, path.posix.join(extract.archiveFolder, path.posix.basename(file.path)));
      } finally {
        await archiver.end().catch(() => {});
      }
    },
  };
}
