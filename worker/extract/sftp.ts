import { createHash } from 'node:crypto';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import SftpClient from 'ssh2-sftp-client';
import type { RemoteFile, SftpCredentials } from '../../core/connections/sftp.ts';
import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import { csvSource, type CsvOptions } from '../../core/records/csv-source.ts';
import type { RecordSource, SourceItem } from '../../core/records/source.ts';

/** One file to read: an exact path, or a pattern whose newest match is taken (`exports/contacts_*.csv`). */
export type SftpFileSpec = ({ path: string } | { pattern: string }) & CsvOptions;

export type Retry = { attempts: number; firstDelayMs: number };
const defaultRetry: Retry = { attempts: 4, firstDelayMs: 1000 };

/** The host key fingerprint as OpenSSH prints it (`ssh-keygen -lf`): SHA256 of the key blob, base64 without padding. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Connects and checks the server's host key; a key other than the stored one refuses the connection. */
export async function connectSftp(connection: SftpCredentials): Promise<SftpClient> {
  const where = `${connection.host}:${connection.port}`;
  let presented: string | undefined;
  // Errors reach the operation or stream that is running; the library's own global listeners only
  // print to the console, so they are quieted.
  const quiet = () => {};
  const client = new SftpClient(`bellwether-${connection.name}`, { error: quiet, end: quiet, close: quiet });
  try {
    await client.connect({
      host: connection.host,
      port: connection.port,
      username: connection.username,
      ...(connection.password ? { password: connection.password } : {}),
      ...(connection.privateKey ? { privateKey: connection.privateKey } : {}),
      ...(connection.passphrase ? { passphrase: connection.passphrase } : {}),
      readyTimeout: 20_000,
      retries: 0,
      hostVerifier: (key: Buffer) => {
        presented = fingerprint(key);
        return presented === connection.hostKeyFingerprint;
      },
    });
    // ssh2 leaves Nagle's algorithm on: with one read in flight, every small request then waits for
    // the previous packet's acknowledgement, and a download crawls at a tenth of its speed.
    (client as unknown as { client: { setNoDelay: (on: boolean) => void } }).client.setNoDelay(true);
  } catch (error) {
    if (presented !== undefined && presented !== connection.hostKeyFingerprint) {
      throw new AppError(
        ErrorCode.HOST_KEY_MISMATCH,
        `${where} presented host key ${presented}, but SFTP connection "${connection.name}" expects ${connection.hostKeyFingerprint}: ` +
          `the connection was refused. If the server's key changed on purpose, update the connection's fingerprint.`,
      );
    }
    throw new AppError(ErrorCode.SOURCE_UNREACHABLE, `cannot connect to ${where} as ${connection.username}: ${reason(error)}`, { cause: error });
  }
  return client;
}

/** The file a spec names: its path, or the newest file in the pattern's folder whose name matches. */
export async function resolveFile(client: SftpClient, spec: SftpFileSpec, host: string): Promise<RemoteFile> {
  if ('path' in spec) {
    try {
      const stats = await client.stat(spec.path);
      return { path: spec.path, size: stats.size, modifiedAt: new Date(stats.modifyTime) };
    } catch (error) {
      throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${spec.path} on ${host}: ${reason(error)}`, { cause: error });
    }
  }
  const folder = path.posix.dirname(spec.pattern);
  const name = path.posix.basename(spec.pattern);
  const listing = await client.list(folder).catch((error: unknown) => {
    throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${folder} on ${host}: ${reason(error)}`, { cause: error });
  });
  const newest = listing
    .filter((f) => f.type === '-' && path.posix.matchesGlob(f.name, name))
    .sort((a, b) => b.modifyTime - a.modifyTime || b.name.localeCompare(a.name))[0];
  if (!newest) throw new AppError(ErrorCode.SOURCE_UNREADABLE, `no file on ${host} matches ${spec.pattern}`);
  return { path: path.posix.join(folder, newest.name), size: newest.size, modifiedAt: new Date(newest.modifyTime) };
}

/**
 * A remote CSV file as a record source, parsed while it downloads. A download that breaks off (an
 * error, or fewer bytes than the file holds) is retried from the start of the file on a new
 * connection, with backoff; the records already passed on are skipped, so the loader sees each
 * record once. The file must not change between attempts.
 */
export async function sftpSource(
  connection: SftpCredentials,
  file: RemoteFile,
  options: CsvOptions,
  retry: Retry = defaultRetry,
): Promise<RecordSource> {
  const name = path.posix.basename(file.path);
  const where = `${file.path} on ${connection.host}`;
  let client = await connectSftp(connection);
  let source = await csvSource(name, download(client, file, where), options);

  async function* items(): AsyncGenerator<SourceItem> {
    let passed = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          let skip = passed;
          for await (const item of source.items) {
            if (skip > 0) {
              skip--;
              continue;
            }
            passed++;
            yield item;
          }
          return;
        } catch (error) {
          if (isAppError(error) && error.code !== ErrorCode.SOURCE_DISCONNECTED) throw error;
          if (attempt >= retry.attempts) {
            throw new AppError(ErrorCode.SOURCE_DISCONNECTED, `${where}: the download failed ${attempt} times, last: ${reason(error)}`, { cause: error });
          }
          await client.end().catch(() => {});
          await sleep(retry.firstDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
          client = await connectSftp(connection);
          const now = await resolveFile(client, { path: file.path }, connection.host);
          if (now.size !== file.size || now.modifiedAt.getTime() !== file.modifiedAt.getTime()) {
            throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${where} changed while it was being read; try again once the export is complete`);
          }
          source = await csvSource(name, download(client, file, where), options);
        }
      }
    } finally {
      await client.end().catch(() => {});
    }
  }
  return { name, columns: source.columns, items: items() };
}

/** The file's bytes; ends with SOURCE_DISCONNECTED when the connection drops or the bytes fall short. */
function download(client: SftpClient, file: RemoteFile, where: string): Readable {
  let received = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      done(received === file.size ? null : new AppError(ErrorCode.SOURCE_DISCONNECTED, `${where}: the download stopped after ${received} of ${file.size} bytes`));
    },
  });
  const remote = client.createReadStream(file.path, { highWaterMark: 1 << 16 });
  remote.on('error', (error: Error) => counted.destroy(new AppError(ErrorCode.SOURCE_DISCONNECTED, `${where}: ${reason(error)}`, { cause: error })));
  return remote.pipe(counted);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^[\w.]+: /, '') : String(error);
}
