// What the benchmarks share: the worker's Node flags for their child processes, and the few
// database chores of their drivers.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { resolveAdminKey } from '../core/admin-key.ts';
import type { Db } from '../core/db.ts';
import { createLogger } from '../core/log.ts';
import { Notifications } from '../core/notifications.ts';
import { createApp } from '../server/app.ts';
import { listen } from '../server/listen.ts';
import { embedTokens } from '../server/widgets/embed-tokens.ts';
import { createDatabaseIfMissing } from '../core/database.ts';
import { startEmbeddedPostgres } from '../core/embedded-postgres.ts';
import { freePort } from '../test/helpers/database.ts';
import { dataRoot } from './load/generate.ts';

/**
 * Runs `script` in a child process with the Node flags of the Procfile's worker (the process that
 * loads in production), so its peak RSS is its own; answers the JSON of the last line it prints.
 */
export function runChildPass<T>(label: string, script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...workerNodeFlags(), script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`${label} exited with ${code}: ${out.slice(-2000)}`));
      resolve(JSON.parse(last) as T);
    });
  });
}

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

/** BENCH_SCALE: the share of the full-size data set a run uses (default 1). */
export function benchScale(): number {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  if (!(scale > 0 && scale <= 10)) throw new Error(`BENCH_SCALE must be a number in (0, 10], got ${process.env.BENCH_SCALE}`);
  return scale;
}

/** A plain-text table; the columns whose index is in `right` are aligned right. */
export function table(header: string[], rows: string[][], right: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export type TimedPass = { ms: number; steps: { label: string; ms: number }[] };

/** Seconds per step of each pass, side by side, and last what the steps leave unaccounted for. */
export function stepTable(passes: [string, TimedPass][], restLabel: string): string {
  const labels = [...new Set(passes.flatMap(([, p]) => p.steps.map((s) => s.label)))];
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const rows = labels.map((label) => [label, ...passes.map(([, p]) => seconds(p.steps.find((s) => s.label === label)?.ms ?? 0))]);
  rows.push([restLabel, ...passes.map(([, p]) => seconds(p.ms - p.steps.reduce((sum, s) => sum + s.ms, 0)))]);
  return table(['step', ...passes.map(([name]) => name)], rows, new Set(passes.map((_, i) => i + 1)));
}

/** The server the benchmarks use: DATABASE_URL, or the embedded PostgreSQL under bench/.data/pg on a free port. */
export async function openBenchServer(): Promise<{ adminUrl: string; label: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, label: 'DATABASE_URL', stop: async () => {} };
  await mkdir(dataRoot, { recursive: true });
  const port = await freePort();
  const server = await startEmbeddedPostgres({ dataDir: path.join(dataRoot, 'pg'), port });
  return { adminUrl: server.url('postgres'), label: `embedded PostgreSQL (bench/.data/pg, port ${port})`, stop: server.stop };
}

/** A database made anew (whatever a previous run left is dropped); its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  await createDatabaseIfMissing(adminUrl, name);
  return withDatabase(adminUrl, name);
}

export type Step = { label: string; ms: number; calls: number };

/** Time spent per labelled step, summed over calls. */
export class StepTimes {
  readonly #steps = new Map<string, Step>();

  record(label: string, started: number): void {
    const step = this.#steps.get(label) ?? { label, ms: 0, calls: 0 };
    step.ms += performance.now() - started;
    step.calls += 1;
    this.#steps.set(label, step);
  }

  list(): Step[] {
    return [...this.#steps.values()];
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** p50 and p95 of `times` calls in a row, after `warmup` untimed ones; `fn` is told the call's number. */
export async function timed(times: number, warmup: number, fn: (call: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn(warmup + i);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

/**
 * The app as `npm start` serves it, on a free port of this process, over `db` (at `url`), with
 * `adminKey` and embed tokens signed with `tokenKey`; it stores no credentials and runs no workflow.
 */
export async function serveBenchApp(db: Db, url: string, adminKey: string, tokenKey: Uint8Array): Promise<{ base: string; server: Server }> {
  const tokens = embedTokens(tokenKey);
  const app = createApp({
    db,
    notifications: new Notifications(url),
    adminKey: await resolveAdminKey(db, adminKey),
    logger: createLogger('silent', 'bench'),
    secretBox: async () => {
      throw new Error('the benchmarks store no credentials');
    },
    workflowJobs: {
      runNow: async () => null,
      checkSchedule: () => {},
      syncSchedule: async () => {},
      preview: async () => {
        throw new Error('the benchmarks preview no workflows');
      },
    },
    // The benchmarks answer no survey.
    answerJobs: { stored: async () => {} },
    sendQueue: { enqueue: async () => {} },
    importDir: path.join(dataRoot, 'imports'),
    widgets: { embedTokens: async () => tokens, corsOrigins: [] },
    people: { publicUrl: 'http://localhost', mail: { smtpUrl: undefined, sendRate: undefined, smtpConnections: 1, mailFrom: 'bench@bellwether.localhost' }, now: () => new Date() },
  });
  const server = await listen(app, 0);
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
