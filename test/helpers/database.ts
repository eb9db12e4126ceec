import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDatabaseIfMissing } from '../../core/database.ts';
import { Db } from '../../core/db.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../core/embedded-postgres.ts';
import { migrate } from '../../core/migrate.ts';

/*
 * Every test that touches data gets its own database, cloned from a migrated template on a real
 * server: the embedded PostgreSQL by default, or the server at TEST_DATABASE_URL. A database is
 * dropped only when its test passed, so a failure leaves its data to look at.
 */

const templateName = `bw_template_${process.pid}`;
type Server = { adminUrl: string; urlFor: (database: string) => string; stop: () => Promise<void> };
let starting: Promise<Server> | undefined;

/** Starts the server on first use, so a run of tests that need no database starts none. */
export function startTestServer(): Promise<Server> {
  starting ??= startServer();
  return starting;
}

export function testServerStarted(): boolean {
  return starting !== undefined;
}

async function startServer(): Promise<Server> {
  const external = process.env.TEST_DATABASE_URL;
  let server: Server;
  if (external) {
    const base = new URL(external);
    const urlFor = (database: string) => Object.assign(new URL(base), { pathname: `/${database}` }).toString();
    server = { adminUrl: external, urlFor, stop: async () => {} };
  } else {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bellwether-test-pg-'));
    // As root, the server runs as the `postgres` user, which must be able to enter this folder.
    await chmod(dataDir, 0o755);
    const embedded: EmbeddedServer = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort() });
    server = {
      adminUrl: embedded.url('postgres'),
      urlFor: embedded.url,
      stop: async () => {
        await embedded.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  await dropDatabase(server, templateName);
  await createDatabaseIfMissing(server.adminUrl, templateName);
  await migrate(server.urlFor(templateName));
  return server;
}

export async function stopTestServer(): Promise<void> {
  const server = await starting?.catch(() => undefined);
  if (!server) return;
  await dropDatabase(server, templateName);
  await server.stop();
}

export type TestDatabase = { db: Db; url: string; name: string; drop: () => Promise<void>; keep: () => Promise<void> };

/** A fresh, migrated database named after the test that uses it. */
export async function createTestDatabase(title: string): Promise<TestDatabase> {
  const server = await startTestServer();
  const name = `bw_t_${createHash('sha1').update(title).digest('hex').slice(0, 12)}_${process.pid}`;
  await dropDatabase(server, name);
  await createDatabaseIfMissing(server.adminUrl, name, templateName);
  const url = server.urlFor(name);
  const db = new Db(url, { max: 4 });
  return {
    db,
    url,
    name,
    drop: async () => {
      if (!db.pool.ended) await db.close();
      await dropDatabase(server, name);
    },
    /** Keeps its data to look at, and ends every connection to it: work a failed test left running holds none. */
    keep: async () => {
      await endConnections(server, name);
      if (!db.pool.ended) await db.close();
    },
  };
}

async function endConnections(server: Server, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  } finally {
    await client.end();
  }
}

async function dropDatabase(server: Server, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
