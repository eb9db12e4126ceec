import { createHash } from 'node:crypto';
import SftpClient from 'ssh2-sftp-client';
import { AppError, ErrorCode } from '../errors.ts';
import type { SftpCredentials } from './sftp.ts';

/** How long a connect, an open, a read or any other request may go unanswered before the connection counts as cut. */
export const defaultIdleTimeoutMs = 30_000;

/**
 * Clients whose connection closed or stopped answering: a request that fails on one failed for
 * that reason, not for the file's, and ending one need not wait for the server.
 */
export const lost = new WeakSet<SftpClient>();

/** The host key fingerprint as OpenSSH prints it (`ssh-keygen -lf`): SHA256 of the key blob, base64 without padding. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** What connecting needs: the server, the login, and the host key trusted (none: only read the key the server presents). */
export type SftpTarget = Omit<SftpCredentials, 'id' | 'auth' | 'hostKeyFingerprint'> & { hostKeyFingerprint: string | null };

/**
 * The message a host key other than the trusted one gets, on a run and when a connection is tested
 * or saved: the presented key, and where to trust it if it changed on purpose.
 */
export function hostKeyMismatch(connection: SftpTarget & { id?: number }, presented: string, status?: number): AppError {
  const where = `${connection.host}:${connection.port}`;
  const trust = connection.id === undefined
    ? 'If the server\'s key changed on purpose, trust the new fingerprint in the connection.'
    : `If the server's key changed on purpose, trust the new fingerprint: edit the connection on the console's Connections page (Test, then Trust), or PATCH /api/sftp-connections/${connection.id} with {"hostKeyFingerprint": "${presented}"}.`;
  return new AppError(
    ErrorCode.HOST_KEY_MISMATCH,
    `${where} presented host key ${presented}, but SFTP connection "${connection.name}" expects ${connection.hostKeyFingerprint ?? 'none'}: the connection was refused. ${trust}`,
    status === undefined ? {} : { status },
  );
}

/** Connects and checks the server's host key; a key other than the stored one refuses the connection before any secret is sent. */
export async function connectSftp(connection: SftpTarget & { id?: number }, idleTimeoutMs = defaultIdleTimeoutMs): Promise<SftpClient> {
  const { client, presented } = await handshake(connection, idleTimeoutMs);
  if (client) return client;
  throw hostKeyMismatch(connection, presented!);
}

/**
 * Connects when the server presents the trusted key and answers a client; otherwise answers the key
 * presented without logging in (no password or key is sent to a server not trusted).
 */
export async function handshake(connection: SftpTarget, idleTimeoutMs = defaultIdleTimeoutMs): Promise<{ client: SftpClient; presented: string } | { client: undefined; presented: string }> {
  const where = `${connection.host}:${connection.port}`;
  let presented: string | undefined;
  // Errors reach the operation or stream that is running; the library's own global listeners only
  // print to the console, so they are quieted.
  const quiet = () => {};
  const client = new SftpClient(`bellwether-${connection.name}`, { error: quiet, end: quiet, close: quiet });
  try {
    // The ready timeout covers the handshake only; opening the SFTP channel after it must not hang either.
    await answered(client.connect({
      host: connection.host,
      port: connection.port,
      username: connection.username,
      ...(connection.password ? { password: connection.password } : {}),
      ...(connection.privateKey ? { privateKey: connection.privateKey } : {}),
      ...(connection.passphrase ? { passphrase: connection.passphrase } : {}),
      readyTimeout: idleTimeoutMs,
      retries: 0,
      hostVerifier: (key: Buffer) => {
        presented = fingerprint(key);
        return presented === connection.hostKeyFingerprint;
      },
    }), idleTimeoutMs * 2, 'connecting');
    // ssh2 leaves Nagle's algorithm on: with one read in flight, every small request then waits for
    // the previous packet's acknowledgement, and a download crawls at a tenth of its speed.
    ssh(client).setNoDelay(true);
    for (const event of ['end', 'close', 'error']) ssh(client).once(event, () => lost.add(client));
    return { client, presented: presented! };
  } catch (error) {
    ssh(client).destroy();
    if (presented !== undefined && presented !== connection.hostKeyFingerprint) return { client: undefined, presented };
    if (/authentication methods failed/.test(reason(error))) {
      const secret = connection.privateKey ? 'private key' : 'password';
      throw new AppError(ErrorCode.SFTP_LOGIN_REFUSED, `${where} refused the login of ${connection.username} with the ${secret} given (SFTP connection "${connection.name}")`, { cause: error });
    }
    throw new AppError(ErrorCode.SOURCE_UNREACHABLE, `cannot connect to ${where} as ${connection.username}: ${reason(error)}`, { cause: error });
  }
}

/** Ends a connection: politely while the server answers; one that is lost, or stops answering now, is dropped. */
export async function disconnectSftp(client: SftpClient, idleTimeoutMs = defaultIdleTimeoutMs): Promise<void> {
  if (lost.has(client)) return ssh(client).destroy();
  await answered(client.end(), idleTimeoutMs, 'closing the connection').catch(() => ssh(client).destroy());
}

/** A request's answer; none within `ms` means the connection is gone (a cut cable gives no error). */
export async function answered<T>(request: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError(ErrorCode.SOURCE_DISCONNECTED, `${what}: the server did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([request, silence]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ssh2 connection under the SFTP client, for what the client does not expose. */
function ssh(client: SftpClient): { setNoDelay: (on: boolean) => void; once: (event: string, listener: () => void) => void; destroy: () => void } {
  return (client as unknown as { client: ReturnType<typeof ssh> }).client;
}

/** An error's message without the library's `connect: ` prefix. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^[\w.]+: /, '') : String(error);
}
