import path from 'node:path';
import { Readable } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import { AppError, ErrorCode, isAppError } from '../errors.ts';
import { csvSource, type CsvOptions } from '../records/csv-source.ts';
import type { RecordSource } from '../records/source.ts';
import type { RemoteFile, SftpCredentials, SftpEntry } from './sftp.ts';
import { answered, defaultIdleTimeoutMs, lost, reason } from './sftp-session.ts';

/*
 * Reading a server's folders and files over one connection: what a run's SFTP extract does, and what
 * the console's folder browser and file preview do with the very same rules.
 */

/** One file to read: an exact path, or a pattern whose newest match is taken (`exports/contacts_*.csv`). */
export type SftpFileSpec = ({ path: string } | { pattern: string }) & CsvOptions;

/** How messages name the server: its host and the connection's name. */
export function serverName(connection: SftpCredentials): string {
  return `${connection.host} (SFTP connection "${connection.name}")`;
}

/**
 * A folder's entries sorted by name, the first `limit` of them and how many more there are; a folder
 * that does not exist or cannot be read is a 400 naming it, the server and the login.
 */
export async function listFolder(
  client: SftpClient,
  target: { host: string; username: string },
  folder: string,
  limit: number,
  idleTimeoutMs = defaultIdleTimeoutMs,
): Promise<{ entries: SftpEntry[]; moreEntries: number }> {
  const listing = await answered(client.list(folder), idleTimeoutMs, `listing ${folder}`).catch((error: unknown) => {
    throw isAppError(error) ? error : new AppError(ErrorCode.BAD_REQUEST, `${target.host} logged in ${target.username}, but cannot list ${folder}: ${reason(error)}`, { cause: error });
  });
  const entries = listing
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => ({ name: f.name, type: f.type === '-' ? ('file' as const) : f.type === 'd' ? ('folder' as const) : ('other' as const), size: f.size, modifiedAt: new Date(f.modifyTime) }));
  return { entries: entries.slice(0, limit), moreEntries: Math.max(entries.length - limit, 0) };
}

/** The file a spec names on `server` (as messages name it): its path, or the newest file in the pattern's folder whose name matches. */
export async function resolveFile(client: SftpClient, spec: SftpFileSpec, server: string, idleTimeoutMs = defaultIdleTimeoutMs): Promise<RemoteFile> {
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
 * The file parsed as an extract parses it, over `client`, for `use` to read its header or first
 * records; the download is given up once `use` is done, so the rest of the file is never fetched.
 */
export async function readFileHead<T>(
  client: SftpClient,
  file: RemoteFile,
  where: string,
  options: CsvOptions,
  idleTimeoutMs: number,
  use: (head: RecordSource) => Promise<T>,
): Promise<T> {
  const bytes = Readable.from(readFrom(client, file, 0, idleTimeoutMs, where), { objectMode: false });
  try {
    return await use(await csvSource(path.posix.basename(file.path), bytes, options));
  } finally {
    bytes.destroy();
  }
}

/** The file's bytes from `start` over one connection; an open or a read unanswered for `idleTimeoutMs` ends it with SOURCE_DISCONNECTED. */
export async function* readFrom(client: SftpClient, file: RemoteFile, start: number, idleTimeoutMs: number, where: string): AsyncGenerator<Buffer> {
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
