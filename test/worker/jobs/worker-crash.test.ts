import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PgBoss } from 'pg-boss';
import type { Db } from '../../../core/db.ts';
import { createWorkflow } from '../../../core/workflows/queries.ts';
import { runSync } from '../../../worker/jobs/run-sync.ts';
import { workflowJobs } from '../../../core/workflows/schedule.ts';
import { Queue } from '../../../core/queues.ts';
import { eventually } from '../../helpers/eventually.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { accountHeader, contactHeader, directorySnapshot, tempDir, writeCsv } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { accountsExport, fifoFile, openFifoWriter } from '../../helpers/fifo.ts';

const workerScript = path.join(import.meta.dirname, '..', '..', 'helpers', 'worker-process.ts');

type WorkerProcess = { child: ChildProcess; started: Promise<void>; runStarted: Promise<void>; exited: Promise<void> };

/** A real worker process on the database; resolves `runStarted` when it takes a workflow run. */
function startWorkerProcess(databaseUrl: string, importDir: string): WorkerProcess {
  const child = spawn(process.execPath, [workerScript], { env: { ...process.env, DATABASE_URL: databaseUrl, IMPORT_DIR: importDir, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const signals = { started: Promise.withResolvers<void>(), runStarted: Promise.withResolvers<void>() };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = (JSON.parse(line) as { msg: string }).msg;
    if (message === 'worker started') signals.started.resolve();
    if (message === 'workflow run started') signals.runStarted.resolve();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => signals.started.reject(new Error('the worker process exited before it started')));
  return { child, started: signals.started.promise, runStarted: signals.runStarted.promise, exited };
}

describe('a worker killed mid-run', function () {
  this.timeout(120_000);
  const workers: WorkerProcess[] = [];
  let boss: PgBoss | undefined;
  let control: TestDatabase | undefined;

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await boss?.stop({ graceful: false });
    await control?.drop();
    boss = control = undefined;
  });

  it('leaves the run to the other worker, and the directory ends as a clean load would leave it', async function () {
    const { db, url } = await testDatabase(this);
    // Enough contacts that the merge takes a while: the kill lands inside the load's transaction.
    const dir = await tempDir();
    const accountRows = Array.from({ length: 2000 }, (_, i) => [`001A${i}`, 'false', `Account ${i}`, i % 10 === 0 || i < 10 ? '' : `001A${i - (i % 10)}`]);
    const contactRow = (i: number, title: string) => [`003C${i}`, 'false', title, `001A${i % 2000}`, `c${i}@example.com`, `First${i}`, `Last${i}`];
    const before = {
      accounts: await writeCsv(dir, 'accounts-1.csv', [accountHeader, ...accountRows.slice(0, 1500)]),
      contacts: await writeCsv(dir, 'contacts-1.csv', [contactHeader, ...Array.from({ length: 20_000 }, (_, i) => contactRow(i, 'Buyer'))]),
    };
    const after = {
      accounts: await writeCsv(dir, 'accounts-2.csv', [accountHeader, ...accountRows.slice(500)]),
      contacts: await writeCsv(dir, 'contacts-2.csv', [contactHeader, ...Array.from({ length: 150_000 }, (_, i) => contactRow(i + 10_000, i % 3 ? 'Buyer' : 'Champion'))]),
    };
    const load = (target: Db, files: { accounts: string; contacts: string }, mailingListName?: string) =>
      runSync({ db: target, secretBox: () => Promise.reject(new Error('no secrets here')) }, { directoryId: 1, files, ...(mailingListName ? { mailingListName } : {}) });

    // What the directory must end as: the same two loads, nobody killed.
    control = await createTestDatabase(`${this.test!.fullTitle()} control`);
    assert.equal((await load(control.db, before)).state, 'succeeded');
    assert.equal((await load(control.db, after, 'Daily')).state, 'succeeded');
    // A run's mailing list is named after the run, and the killed run took a number.
    const snapshot = async (target: Db) => {
      const { mailingLists, ...rest } = await directorySnapshot(target);
      return { ...rest, mailingLists: mailingLists.map((l) => ({ ...l, name: String(l.name).replace(/ \d+$/, ' <run>') })) };
    };
    const expected = await snapshot(control.db);

    assert.equal((await load(db, before)).state, 'succeeded');
    const workflow = await createWorkflow(db, {
      name: 'Daily',
      definition: {
        tasks: [
          { type: 'extract', name: 'Accounts', object: 'accounts', source: 'file', path: after.accounts },
          { type: 'extract', name: 'Contacts', object: 'contacts', source: 'file', path: after.contacts },
          { type: 'load', name: 'Load', extracts: { accounts: 'Accounts', contacts: 'Contacts' }, mailingListName: 'Daily' },
        ],
      },
    }, dir);
    workers.push(startWorkerProcess(url, dir), startWorkerProcess(url, dir));
    await Promise.all(workers.map((w) => w.started));
    boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await workflowJobs(boss).runNow({ workflowId: workflow.id, version: workflow.version });

    const taker = await Promise.race(workers.map((w) => w.runStarted.then(() => w)));
    const survivor = workers.find((w) => w !== taker)!;
    const phase = await eventually(async () => {
      const [run] = await db.query<{ state: string; phase: string | null }>(`select state, progress->>'phase' as phase from sync_runs where workflow_id = $1`, [workflow.id]);
      assert.ok(run && ['merging', 'saving'].includes(run.phase ?? ''), `the run is at ${run?.phase}`);
      return run.phase;
    }, { what: 'the load reaches its merge', timeoutMs: 60_000, intervalMs: 20 });
    taker.child.kill('SIGKILL');
    await taker.exited;
    assert.ok(phase);

    const runs = await eventually(async () => {
      const rows = await db.query<{ id: number; state: string; error_code: string | null }>(
        `select id::int, state, error_code from sync_runs where workflow_id = $1 order by id`,
        [workflow.id],
      );
      assert.ok(rows.length === 2 && rows[1]!.state !== 'running', `${rows.length} runs`);
      return rows;
    }, { what: 'the other worker finishes the run', timeoutMs: 90_000 });
    assert.deepEqual(
      runs.map(({ state, error_code }) => ({ state, error_code })),
      [
        { state: 'failed', error_code: 'WORKER_LOST' },
        { state: 'succeeded', error_code: null },
      ],
    );
    assert.deepEqual((await db.query('select name from mailing_lists')).map((l) => l.name), [`Daily ${runs[1]!.id}`]);
    assert.equal(survivor.child.exitCode, null, 'the other worker still runs');
    assert.deepEqual(await snapshot(db), expected);
  });

  it('leaves a sync job to the next worker: the lost run fails with WORKER_LOST, the retry loads', async function () {
    const { db, url } = await testDatabase(this);
    // A FIFO holds the load mid-file until the worker is killed; the retry reads it again.
    const accounts = await fifoFile('accounts.csv');
    const first = startWorkerProcess(url, path.dirname(accounts));
    workers.push(first);
    await first.started;
    boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await boss.send(Queue.sync, { directoryId: 1, files: { accounts } });
    const cut = await openFifoWriter(accounts);
    await cut.write(accountsExport);
    await eventually(async () => assert.equal((await db.query(`select 1 from sync_runs where progress->>'phase' = 'staging'`)).length, 1), { what: 'the load stages', timeoutMs: 60_000 });
    first.child.kill('SIGKILL');
    await first.exited;
    await cut.close();

    const second = startWorkerProcess(url, path.dirname(accounts));
    workers.push(second);
    const whole = await openFifoWriter(accounts, 60);
    await whole.write(accountsExport);
    await whole.close();
    const runs = await eventually(async () => {
      const rows = await db.query<{ state: string; error_code: string | null }>(`select state, error_code from sync_runs order by id`);
      assert.ok(rows.length === 2 && rows.every((r) => r.state !== 'running'), JSON.stringify(rows));
      return rows;
    }, { what: 'the retry finishes', timeoutMs: 60_000 });
    assert.deepEqual(runs, [
      { state: 'failed', error_code: 'WORKER_LOST' },
      { state: 'succeeded', error_code: null },
    ]);
    assert.equal((await directorySnapshot(db)).accounts.length, 4000);
  });
});
