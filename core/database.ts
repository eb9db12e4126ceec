import path from 'node:path';
import pg from 'pg';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

export type DatabaseServer = { url: string; embedded: boolean; stop: () => Promise<void> };

const embeddedDatabaseName = 'bellwether';

/**
 * Resolves where the product's data lives: `DATABASE_URL` when set, otherwise an embedded
 * PostgreSQL under the data folder, started here (and again should it die) and stopped by `stop`,
 * or shared when another process of this install (`npm start`, say) already runs it.
 */
export async function openDatabaseServer(config: Config, logger: Logger): Promise<DatabaseServer> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), port: config.embeddedPgPort, logger });
  await createDatabaseIfMissing(server.url('postgres'), embeddedDatabaseName);
  return { url: server.url(embeddedDatabaseName), embedded: true, stop: server.stop };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      const from = template ? ` template ${pg.escapeIdentifier(template)}` : '';
      await client.query(`create database ${pg.escapeIdentifier(name)}${from}`);
    }
  } finally {
    await client.end();
  }
}
