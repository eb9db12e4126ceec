import path from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, isAppError } from '../errors.ts';
import { firstRows } from '../records/preview-rows.ts';
import type { SecretBox } from '../secret-box.ts';
import { findSftpCredentials, type SftpCredentials, type SftpFolder, type SftpPreview, type SftpPreviewQuery } from './sftp.ts';
import { reached } from './sftp-check.ts';
import { listFolder, readFileHead, resolveFile, serverName } from './sftp-files.ts';
import { answered, defaultIdleTimeoutMs, disconnectSftp, hostKeyMismatch } from './sftp-session.ts';

/*
 * What the workflow builder shows of a stored connection's server while an extract is built: its
 * folders, and a file read as the extract would read it. Both log in with the stored credentials,
 * so the server answers as it will to a run.
 */

/** How many entries of a folder the browser shows: an export folder of daily files holds a few years of them. */
const shownEntries = 1000;

/** A folder of the server, by name, with its absolute path so the browser can go up from it. */
export async function browseSftpFolder(db: Queryable, box: SecretBox, connectionId: number, folder = '.'): Promise<SftpFolder> {
  const connection = await findSftpCredentials(db, box, connectionId);
  return withClient(connection, async (client) => {
    const listed = await listFolder(client, connection, folder, shownEntries);
    const absolute = await answered(client.realPath(folder), defaultIdleTimeoutMs, `finding where ${folder} is`);
    return { connectionId, folder: absolute, parent: absolute === '/' ? null : path.posix.dirname(absolute), ...listed };
  });
}

/**
 * The file an extract would read (its path, or the newest match of its pattern, by the run's own
 * rule), parsed with its CSV settings: its header and first rows. Only those are downloaded.
 */
export async function previewSftpFile(db: Queryable, box: SecretBox, connectionId: number, query: SftpPreviewQuery): Promise<SftpPreview> {
  const { path: filePath, pattern, ...dialect } = query;
  if ((filePath === undefined) === (pattern === undefined)) throw new AppError(ErrorCode.BAD_REQUEST, 'give the path of a file or a pattern, one of them');
  const connection = await findSftpCredentials(db, box, connectionId);
  return withClient(connection, async (client) => {
    const server = serverName(connection);
    const file = await resolveFile(client, filePath === undefined ? { pattern: pattern! } : { path: filePath }, server);
    const head = await readFileHead(client, file, `${file.path} on ${server}`, dialect, defaultIdleTimeoutMs, async (source) => ({ columns: [...source.columns], rows: await firstRows(source) }));
    return { connectionId, path: file.path, name: path.posix.basename(file.path), size: file.size, modifiedAt: file.modifiedAt, ...head };
  });
}

/**
 * Logs in as a run would and hands the connection to `use`. Asked by someone building a workflow,
 * a file that cannot be read is theirs to fix (400), and a server lost or not answering is 502.
 */
async function withClient<T>(connection: SftpCredentials, use: (client: SftpClient) => Promise<T>): Promise<T> {
  const { client, presented } = await reached(connection);
  if (!client) throw hostKeyMismatch(connection, presented, 409);
  try {
    return await use(client);
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === ErrorCode.SOURCE_UNREADABLE) throw new AppError(error.code, error.message, { status: 400, cause: error });
    if (error.code === ErrorCode.SOURCE_DISCONNECTED) throw new AppError(error.code, error.message, { status: 502, cause: error });
    throw error;
  } finally {
    await disconnectSftp(client);
  }
}
