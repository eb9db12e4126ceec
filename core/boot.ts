import { mkdir } from 'node:fs/promises';
import { loadConfig, type Config } from './config.ts';
import { openDatabaseServer, type DatabaseServer } from './database.ts';
import { Db } from './db.ts';
import { isAppError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { migrate } from './migrate.ts';

export type Runtime = {
  config: Config;
  logger: Logger;
  database: DatabaseServer;
  db: Db;
  /** Closes the pool and, when this process started it, the embedded database. */
  close: () => Promise<void>;
};

/**
 * What every process entry point does first: read the configuration, reach the database
 * (embedded unless DATABASE_URL is set) and bring its schema up to date. The import folder is
 * made here, so an operator sees where to put the exports workflows read.
 */
export async function boot(name: string, env: Record<string, string | undefined> = process.env): Promise<Runtime> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel, name);
  await mkdir(config.importDir, { recursive: true });
  const database = await openDatabaseServer(config, logger).catch(explainAndExit);
  const applied = await migrate(database.url);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');
  const db = new Db(database.url, { applicationName: `bellwether-${name}` });
  return {
    config,
    logger,
    database,
    db,
    close: async () => {
      await db.close();
      await database.stop();
    },
  };
}

/** A problem at start that the product can explain (where the database cannot run) is said as such, not as a stack trace. */
function explainAndExit(error: unknown): never {
  if (!isAppError(error)) throw error;
  console.error(`error ${error.code}: ${error.message}`);
  process.exit(1);
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}
