import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type SftpClient from 'ssh2-sftp-client';
import type { RemoteFile, SftpCredentials } from '../../core/connections/sftp.ts';
import { connectSftp, defaultIdleTimeoutMs, disconnectSftp } from '../../core/connections/sftp-session.ts';
import { readFileHead, readFrom, resolveFile, serverName } from '../../core/connections/sftp-files.ts';
import { backoffDelay } from '../../core/backoff.ts';
import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import { csvSource, type CsvOptions } from '../../core/records/csv-source.ts';
import type { RecordSource, SourceItem } from '../../core/records/source.ts';

/** How an SFTP extract waits for the server and tries again. */
export type SftpTuning = {
  /** Tries of one file's download, the first included; each later one resumes where the last stopped. */
  attempts: number;
  /** The wait before the second try; it doubles for each later one. */
  firstDelayMs: number;
  /** How long a connect, an open, a read or any other request may go unanswered before the connection counts as cut. */
  idleTimeoutMs: number;
};
export const defaultSftpTuning: SftpTuning = { attempts: 4, firstDelayMs: 1000, idleTimeoutMs: defaultIdleTimeoutMs };

/**
 * A remote CSV file as a record source. Its header is read at once over `client`, the connection
 * that found the file; its records when the loader reaches them, over a connection of their own,
 * so no connection waits idle (and may silently die) while other files load. A download that
 * breaks off is resumed where it stopped on a new connection, with backoff, up to `attempts`
 * times. The file must not change between its header and its last byte.
 */
export async function sftpSource(
  client: SftpClient,
  connection: SftpCredentials,
  file: RemoteFile,
  options: CsvOptions,
  tuning: SftpTuning = defaultSftpTuning,
): Promise<RecordSource> {
  const name = path.posix.basename(file.path);
  const where = `${file.path} on ${serverName(connection)}`;
  const columns = await readFileHead(client, file, where, options, tuning.idleTimeoutMs, async (head) => head.columns);

  async function* items(): AsyncGenerator<SourceItem> {
    const source = await csvSource(name, Readable.from(download(connection, file, tuning, where), { objectMode: false }), options);
    yield* source.items;
  }
  return { name, columns, items: items() };
}

/** The whole file's bytes, each connection checked to still see the same file, resumed on a new connection when one is lost. */
async function* download(connection: SftpCredentials, file: RemoteFile, tuning: SftpTuning, where: string): AsyncGenerator<Buffer> {
  let received = 0;
  for (let attempt = 1; ; attempt++) {
    let client: SftpClient | undefined;
    try {
      client = await connectSftp(connection, tuning.idleTimeoutMs);
      const now = await resolveFile(client, { path: file.path }, serverName(connection), tuning.idleTimeoutMs);
      if (now.size !== file.size || now.modifiedAt.getTime() !== file.modifiedAt.getTime()) {
        throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${where} changed while it was being read; try again once the export is complete`);
      }
      for await (const chunk of readFrom(client, file, received, tuning.idleTimeoutMs, where)) {
        received += chunk.length;
        yield chunk;
      }
      if (received === file.size) return;
      throw new AppError(ErrorCode.SOURCE_DISCONNECTED, `${where}: the download stopped after ${received} of ${file.size} bytes`);
    } catch (error) {
      const passing = isAppError(error) && (error.code === ErrorCode.SOURCE_DISCONNECTED || error.code === ErrorCode.SOURCE_UNREACHABLE);
      if (!passing) throw error;
      if (attempt >= tuning.attempts) {
        const last = error.message.startsWith(`${where}: `) ? error.message.slice(where.length + 2) : error.message;
        throw new AppError(ErrorCode.SOURCE_DISCONNECTED, `${where}: the download failed ${attempt} times, last: ${last}`, { cause: error });
      }
    } finally {
      if (client) await disconnectSftp(client, tuning.idleTimeoutMs);
    }
    await sleep(backoffDelay(attempt, { firstDelayMs: tuning.firstDelayMs, maxDelayMs: 60_000 }));
  }
}
