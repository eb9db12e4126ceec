// `npm run bench:workflows`: 200 workflows on a one-minute cron, worked by 2 worker processes,
// against pg-boss's bare send/work round trip on 2 processes measured in the same run.
//   BENCH_WORKFLOWS=200   how many workflows (each loads a small dataset into its own directory)
//   BENCH_TICKS=2         how many cron minutes to measure
//   DATABASE_URL          use that server (a fresh database bellwether_bench_workflows is created on it);
//                         otherwise the embedded PostgreSQL under bench/.data/pg
//   BENCH_STRICT=1        exit 1 when a run did not succeed
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PgBoss } from 'pg-boss';
import { Db } from '../../core/db.ts';
import { migrate } from '../../core/migrate.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { accountHeader, contactHeader, writeCsv } from '../../test/helpers/files.ts';
import { workflowJobs } from '../../core/workflows/schedule.ts';
import { dataRoot } from '../load/generate.ts';
import { freshDatabase, openBenchServer, table, withClient, workerNodeFlags } from '../shared.ts';

const log = (message: string) => process.stderr.write(`[bench:workflows] ${message}\n`);
const root = path.join(import.meta.dirname, '..', '..');
const bareQueue = 'bench-bare';

type Delays = { count: number; p50: number; p95: number; max: number; perMinute: number };

/**
 * A queue's completed jobs made in [from, to), read from pg-boss's own table the same way for both
 * sides: delay from `since` (the job's creation, or the cron minute that made it) to its start, and
 * jobs per minute from the first job made to the last one done.
 */
async function jobStats(url: string, queue: string, since: 'created' | 'minute', from = new Date(0), to = new Date(8.64e15)): Promise<Delays> {
  return withClient(url, async (c) => {
    const { rows: done } = await c.query<{ delay: number; created: Date; completed: Date }>(
      `select extract(epoch from started_on - ${since === 'created' ? 'created_on' : "date_trunc('minute', created_on)"}) * 1000 as delay,
              created_on as created, completed_on as completed
       from pgboss.job where name = $1 and state = 'completed' and created_on >= $2 and created_on < $3`,
      [queue, from, to],
    );
    const sorted = done.map((r) => Number(r.delay)).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
    const span = Math.max(...done.map((r) => r.completed.getTime())) - Math.min(...done.map((r) => r.created.getTime()));
    return { count: done.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN, perMinute: (done.length / span) * 60_000 };
  });
}

/** Starts a child and resolves once it printed `ready` (or the product worker logged its start). */
function startChild(args: string[], env: NodeJS.ProcessEnv, ready: (line: string) => boolean): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => ready(line) && resolve(child));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`)));
  });
}

async function stopChildren(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill('SIGTERM'))))));
}

/** The baseline: `count` jobs sent at once to 2 bare pg-boss workers; delay from send to start. */
async function bare(url: string, count: number): Promise<Delays> {
  const workers = await Promise.all([0, 1].map(() => startChild([path.join(import.meta.dirname, 'bare-worker.ts'), url, bareQueue], process.env, (l) => l === 'ready')));
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
  boss.on('error', (error: Error) => log(`pg-boss: ${error.message}`));
  await boss.start();
  try {
    await boss.insert(bareQueue, Array.from({ length: count }, (_, i) => ({ data: { i } })));
    await waitFor(url, 'the bare jobs', `select count(*)::int as n from pgboss.job where name = '${bareQueue}' and state = 'completed'`, count);
    return await jobStats(url, bareQueue, 'created');
  } finally {
    await boss.stop({ graceful: false });
    await stopChildren(workers);
  }
}

async function waitFor(url: string, what: string, countSql: string, expected: number, seconds = 600): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const n = await withClient(url, async (c) => (await c.query<{ n: number }>(countSql)).rows[0]!.n);
    if (n >= expected) return n;
    if (Date.now() > deadline) throw new Error(`${what}: ${n} of ${expected} after ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<number> {
  const count = Number(process.env.BENCH_WORKFLOWS ?? '200');
  const ticks = Number(process.env.BENCH_TICKS ?? '2');
  const { adminUrl, label, stop } = await openBenchServer();
  const children: ChildProcess[] = [];
  try {
    const url = await freshDatabase(adminUrl, 'bellwether_bench_workflows');
    await migrate(url);
    const serverVersion = await withClient(url, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
    log(`PostgreSQL ${serverVersion} on ${label}`);

    // One small dataset, loaded by every workflow into a directory of its own.
    const dir = path.join(dataRoot, 'workflows');
    await mkdir(dir, { recursive: true });
    const accounts = await writeCsv(dir, 'accounts.csv', [accountHeader, ...Array.from({ length: 20 }, (_, i) => [`001W${i}`, 'false', `Account ${i}`, i < 4 ? '' : `001W${i % 4}`])]);
    const contacts = await writeCsv(dir, 'contacts.csv', [contactHeader, ...Array.from({ length: 100 }, (_, i) => [`003W${i}`, 'false', 'Buyer', `001W${i % 20}`, `c${i}@example.com`, `First${i}`, `Last${i}`])]);

    log(`baseline: ${count} jobs sent at once to 2 bare pg-boss worker processes...`);
    const baseline = await bare(url, count);

    const db = new Db(url, { max: 2, applicationName: 'bellwether-bench-workflows' });
    const boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
    boss.on('error', (error: Error) => log(`pg-boss: ${error.message}`));
    try {
      log(`starting 2 worker processes (node ${workerNodeFlags().join(' ')} worker/index.ts)...`);
      // At info the worker logs its start, which says it is ready.
      const env = { ...process.env, DATABASE_URL: url, IMPORT_DIR: dir, LOG_LEVEL: 'info' };
      const workerArgs = [...workerNodeFlags(), path.join(root, 'worker', 'index.ts')];
      children.push(...(await Promise.all([0, 1].map(() => startChild(workerArgs, env, (l) => l.includes('"worker started"'))))));
      await boss.start();
      const jobs = workflowJobs(boss);
      await withClient(url, (c) => c.query(`insert into directories (name) select 'Bench ' || i from generate_series(1, $1::int) i`, [count]));
      for (let i = 0; i < count; i++) {
        const workflow = await createWorkflow(db, {
          name: `Bench ${i + 1}`,
          definition: {
            schedule: { cron: '* * * * *', timeZone: 'UTC' },
            tasks: [
              { type: 'extract', name: 'Accounts', object: 'accounts', source: 'file', path: accounts },
              { type: 'extract', name: 'Contacts', object: 'contacts', source: 'file', path: contacts },
              { type: 'load', name: 'Load', directoryId: i + 2, extracts: { accounts: 'Accounts', contacts: 'Contacts' } },
            ],
          },
        }, dir);
        await jobs.syncSchedule(workflow);
      }
      // Measure whole cron minutes: from the first minute boundary after everything is scheduled.
      const firstTick = Math.ceil(Date.now() / 60_000) * 60_000;
      log(`${count} workflows scheduled every minute; measuring the ${ticks} minute(s) from ${new Date(firstTick).toISOString()}...`);
      await new Promise((resolve) => setTimeout(resolve, firstTick + ticks * 60_000 - Date.now()));
      for (const workflow of await db.query<{ id: number }>('select id::int from workflows')) await jobs.syncSchedule({ id: workflow.id, version: 1, enabled: false });
      const measured = [new Date(firstTick), new Date(firstTick + ticks * 60_000)] as const;
      const jobsSql = `select count(*)::int as n from pgboss.job where name = 'workflow-run' and state in ('completed', 'failed')
        and created_on >= to_timestamp(${firstTick / 1000}) and created_on < to_timestamp(${firstTick / 1000 + ticks * 60})`;
      await waitFor(url, 'the scheduled runs', jobsSql, count * ticks);
      const product = await jobStats(url, 'workflow-run', 'minute', ...measured);
      const queued = await jobStats(url, 'workflow-run', 'created', ...measured);
      const [{ failed }] = (await db.query<{ failed: number }>(`select count(*)::int as failed from sync_runs where state <> 'succeeded'`)) as [{ failed: number }];
      const problems = [
        ...(product.count === count * ticks ? [] : [`${product.count} runs completed, expected ${count * ticks}`]),
        ...(failed > 0 ? [`${failed} runs did not succeed`] : []),
      ];
      const ms = (v: number) => `${Math.round(v).toLocaleString('en')} ms`;
      const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
      console.log(`\n${count} workflows, cron every minute, ${ticks} minute(s), 2 worker processes; PostgreSQL ${serverVersion}\n`);
      console.log(
        table(
          ['', 'runs', 'per minute', 'delay p50', 'delay p95', 'max'],
          [
            ['bare pg-boss send -> work (no-op)', String(baseline.count), baseline.perMinute.toFixed(0), ms(baseline.p50), ms(baseline.p95), ms(baseline.max)],
            ['workflow runs, from cron minute', String(product.count), product.perMinute.toFixed(0), ms(product.p50), ms(product.p95), ms(product.max)],
            ['workflow runs, from job created', String(queued.count), '', ms(queued.p50), ms(queued.p95), ms(queued.max)],
          ],
          new Set([1, 2, 3, 4, 5]),
        ),
      );
      console.log(`\nruns per minute: ${ratio(product.perMinute, baseline.perMinute)} of the bare round trip's jobs per minute`);
      console.log(`delay from job created, p50 / p95: ${ratio(queued.p50, baseline.p50)} / ${ratio(queued.p95, baseline.p95)} of the bare round trip's`);
      for (const problem of problems) console.log(`PROBLEM: ${problem}`);
      return problems.length > 0 && process.env.BENCH_STRICT === '1' ? 1 : 0;
    } finally {
      await boss.stop({ graceful: false });
      await db.close();
    }
  } finally {
    await stopChildren(children);
    await stop();
  }
}

process.exitCode = await main();
