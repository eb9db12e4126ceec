import { backoffDelay } from '../../core/backoff.ts';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type SftpClient from 'ssh2-sftp-client';
import type { RemoteFile, SftpCredentials } from '../../core/connections/sftp.ts';
import { answered, connectSftp, defaultIdleTimeoutMs, disconnectSftp, lost, reason } from '../../core/connections/sftp-session.ts';
import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import { csvSource, type CsvOptions } from '../../core/records/csv-source.ts';
import type { RecordSource, SourceItem } from '../../core/records/source.ts';

/** One file to read: an exact path, or a pattern whose newest match is taken (`exports/contacts_*.csv`). */
export type SftpFileSpec = ({ path: string } | { pattern: string }) & CsvOptions;

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

/** How messages name the server: its host and the connection's name. */
export function serverName(connection: SftpCredentials): string {
  return `${connection.host} (SFTP connection "${connection.name}")`;
}

/** The file a spec names on `server` (as messages name it): its path, or the newest file in the pattern's folder whose name matches. */
export async function resolveFile(client: SftpClient, spec: SftpFileSpec, server: string, idleTimeoutMs = defaultSftpTuning.idleTimeoutMs): Promise<RemoteFile> {
  if ('path' in spec) {
    const where = `${spec.path} on ${server}`;
    const stats = await answered(client.stat(spec.path), idleTimeoutMs, `${where}: reading its size and time`).catch((error: unknown) => {
      throw failure(client, error, where);
    });
    return { path: spec.path, size: stats.size, modifiedAt: new Date(stats.modifyTime) };
  }
  const folder = path.posix.dirname(spec.pattern);
  const name = path.posix.basename(spec.pattern);
  const where = `${folder} on ${server}`;
  const listing = await answered(client.list(folder), idleTimeoutMs, `${where}: listing the folder`).catch((error: unknown) => {
    throw failure(client, error, where);
  });
  const newest = listing
    .filter((f) => f.type === '-' && path.posix.matchesGlob(f.name, name))
    .sort((a, b) => b.modifyTime - a.modifyTime || b.name.localeCompare(a.name))[0];
  if (!newest) throw new AppError(ErrorCode.SOURCE_UNREADABLE, `no file on ${server} matches ${spec.pattern}`);
  return { path: path.posix.join(folder, newest.name), size: newest.size, modifiedAt: new Date(newest.modifyTime) };
}

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
  const head = Readable.from(readFrom(client, file, 0, tuning.idleTimeoutMs, where), { objectMode: false });
  let columns: readonly string[];
  try {
    ({ columns } = await csvSource(name, head, options));
  } finally {
    head.destroy();
  }

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

/** The file's bytes from `start` over one connection; an open or a read unanswered for `idleTimeoutMs` ends it with SOURCE_DISCONNECTED. */
async function* readFrom(client: SftpClient, file: RemoteFile, start: number, idleTimeoutMs: number, where: string): AsyncGenerator<Buffer> {
  let stream: Readable | undefined;
  try {
    stream = client.createReadStream(file.path, { start, highWaterMark: 1 << 16 });
    // A read or close still pending when the stream is given up fails later, with no one to tell.
    stream.on('error', () => {});
    const reads = stream[Symbol.asyncIterator]();
    for (let at = start; ; ) {
      const next = await answered<IteratorResult<Buffer>>(reads.next(), idleTimeoutMs, `${where}: reading from byte ${at}`);
      if (next.done) return;
      at += next.value.length;
      yield next.value;
    }
  } catch (error) {
    throw failure(client, error, where);
  } finally {
    stream?.destroy();
  }
}

/** A failed request as the product tells it: the connection lost (worth another try), or the server refused it. */
function failure(client: SftpClient, error: unknown, where: string): AppError {
  const known = isAppError(error)
    ? error
    : new AppError(lost.has(client) ? ErrorCode.SOURCE_DISCONNECTED : ErrorCode.SOURCE_UNREADABLE, `${where}: ${reason(error)}`, { cause: error });
  if (known.code === ErrorCode.SOURCE_DISCONNECTED) lost.add(client);
  return known;
}
