import type { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues, isAppError } from '../errors.ts';
import type { SecretBox } from '../secret-box.ts';
import { changed, findSftpCredentials, sftpTestInput, sftpTestRequest, type SftpConnectionParsed, type SftpTestResult } from './sftp.ts';
import { listFolder } from './sftp-files.ts';
import { disconnectSftp, handshake, hostKeyMismatch, type SftpTarget } from './sftp-session.ts';

/** How many entries of the folder a test shows. */
const shownEntries = 50;

/**
 * Tests a connection as an admin sets it up, as `ssh` does on a first connect: the server's key is
 * answered, and only when it is the fingerprint given (trusted) does the test send the password or
 * key, log in and list the folder; so no secret goes to a server not trusted.
 */
export async function testSftpConnection(db: Queryable, box: SecretBox, input: unknown): Promise<SftpTestResult> {
  const request = sftpTestRequest.safeParse(input);
  if (!request.success) throw invalid(request.error);
  const { id, ...change } = request.data;
  const merged = id === undefined ? change : changed(await findSftpCredentials(db, box, id), change);
  const parsed = sftpTestInput.safeParse(Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)));
  if (!parsed.success) throw invalid(parsed.error);
  const { folder, ...target } = parsed.data;
  const { client, presented } = await reached({ ...target, hostKeyFingerprint: target.hostKeyFingerprint ?? null });
  if (!client) return { hostKeyFingerprint: presented, trusted: false, folder: null, entries: [], moreEntries: 0 };
  try {
    return { hostKeyFingerprint: presented, trusted: true, folder, ...(await listFolder(client, target, folder, shownEntries)) };
  } finally {
    await disconnectSftp(client);
  }
}

function invalid(error: z.ZodError): AppError {
  return new AppError(ErrorCode.BAD_REQUEST, `invalid SFTP connection test: ${describeIssues(error, '(connection)')}`);
}

/**
 * Checks that a connection about to be stored works, refusing it at once when the server presents
 * another key than the one trusted (409), refuses the login (400) or cannot be reached (502).
 */
export async function verifySftpConnection(connection: SftpConnectionParsed): Promise<void> {
  const { client, presented } = await reached(connection);
  if (!client) throw hostKeyMismatch(connection, presented, 409);
  await disconnectSftp(client);
}

/** The handshake, a server that cannot be reached answering 502 (the error a run retries answers 500 elsewhere). */
export async function reached(target: SftpTarget): ReturnType<typeof handshake> {
  try {
    return await handshake(target);
  } catch (error) {
    if (isAppError(error) && error.code === ErrorCode.SOURCE_UNREACHABLE) throw new AppError(error.code, error.message, { status: 502, cause: error });
    throw error;
  }
}
