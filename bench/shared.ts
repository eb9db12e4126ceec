// What the benchmarks share: the worker's Node flags for their child processes, and the few
// database chores of their drivers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/** The flags between `node` and the script on the Procfile's `worker:` line. */
export function workerNodeFlags(): string[] {
  const procfile = readFileSync(path.join(import.meta.dirname, '..', 'Procfile'), 'utf8');
  const line = /^worker: node (.*)worker\/index\.ts$/m.exec(procfile);
  if (!line) throw new Error('Procfile has no "worker: node ... worker/index.ts" line');
  return line[1]!.split(' ').filter(Boolean);
}

export function withDatabase(url: string, database: string): string {
  return Object.assign(new URL(url), { pathname: `/${database}` }).toString();
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'bellwether-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Flushes dirty buffers so one pass does not pay for the previous pass's writes (needs superuser or pg_checkpoint). */
export async function checkpoint(url: string, log: (message: string) => void): Promise<void> {
  await withClient(url, (c) => c.query('checkpoint')).catch((error: Error) => log(`checkpoint skipped: ${error.message}`));
}
