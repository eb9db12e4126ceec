import assert from 'node:assert/strict';
import { rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PgBoss, TestClock } from 'pg-boss';
import { loadConfig } from '../../core/config.ts';
import type { Db } from '../../core/db.ts';
import { createSftpConnection } from '../../core/connections/sftp.ts';
import { createLogger } from '../../core/log.ts';
import { Queue } from '../../core/queues.ts';
import { secretBox } from '../../core/secret-box.ts';
import { freePort } from '../helpers/database.ts';
import { workflowJobs, type WorkflowJobs } from '../../core/workflows/schedule.ts';
import { createQueues } from '../../core/queues.ts';
import { startWorker, type Worker } from '../../worker/worker.ts';
import { accountHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { eventually } from '../helpers/eventually.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { adminKey, serve, testApp, type Served } from './serve.ts';

const definition = (accounts: string) => ({
  tasks: [
    { type: 'extract', name: 'T1 accounts', object: 'accounts', source: 'file', path: accounts },
    { type: 'load', name: 'T2 load', extracts: { accounts: 'T1 accounts' } },
  ],
});

describe('/api/workflows', function () {
  this.timeout(30_000);
  let db: Db;
  let url: string;
  let api: Served;
  let imports: string;
  let accounts: string;
  let boss: PgBoss | undefined;
  let worker: Worker | undefined;

  beforeEach(async function () {
    ({ db, url } = await testDatabase(this));
    imports = await tempDir();
    accounts = await writeCsv(imports, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', ''], ['001B', 'false', 'Beta', '001A']]);
  });
  afterEach(async () => {
    await api?.close();
    await worker?.stop();
    await boss?.stop({ graceful: false });
    worker = boss = undefined;
  });

  /** The API, and a worker's configuration, with `imports` as the import folder. */
  const serveApi = async (jobs?: WorkflowJobs) => serve(db, undefined, jobs, await testApp(db, undefined, jobs, undefined, { importDir: imports }));
  const workerConfig = (secretKey = 'a-test-secret-key-of-32-characters!') => loadConfig({ DATABASE_URL: url, SECRET_KEY: secretKey, IMPORT_DIR: imports });

  const call = (method: string, path: string, body?: unknown) =>
    api.request(path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  describe('POST a definition whose load names a task that does not exist', () => {
    it('responds 400 naming the reference, and saves nothing', async () => {
      api = await serveApi();
      const bad = definition(accounts);
      bad.tasks[1] = { type: 'load', name: 'T2 load', extracts: { accounts: 'T9' } } as never;
      const reply = await call('POST', '/api/workflows', { name: 'Daily', definition: bad });
      assert.deepEqual([reply.status, reply.body], [
        400,
        { error: { code: 'BAD_REQUEST', message: 'invalid workflow definition: tasks.1.extracts.accounts: "T9" is not an earlier task' } },
      ]);
      assert.deepEqual(await db.query('select * from workflows'), []);
    });
  });

  describe('POST a file extract that reads outside the import folder', () => {
    it('responds 400 for an absolute path elsewhere, a path that climbs out and a link that leads out, and saves nothing', async () => {
      api = await serveApi();
      const elsewhere = await writeCsv(await tempDir(), 'accounts.csv', [accountHeader, ['001X', 'false', 'Elsewhere', '']]);
      await symlink(elsewhere, path.join(imports, 'linked.csv'));
      const replies = [];
      for (const file of ['/etc/passwd', '../accounts.csv', 'linked.csv']) {
        const reply = await call('POST', '/api/workflows', { name: `Reads ${file}`, definition: definition(file) });
        replies.push([reply.status, reply.body]);
      }
      assert.deepEqual(replies, ['/etc/passwd', '../accounts.csv', 'linked.csv'].map((file) => [
        400,
        { error: { code: 'BAD_REQUEST', message: `invalid workflow definition: tasks.0.path: ${file} is outside the import folder ${imports} (IMPORT_DIR)` } },
      ]));
      assert.deepEqual(await db.query('select * from workflows'), []);
    });
  });

  /** Runs workflow `id` on the worker and answers its run once it ended, as GET /api/runs lists it. */
  async function runToTheEnd(id: number): Promise<Record<string, unknown>> {
    assert.equal((await call('POST', `/api/workflows/${id}/runs`)).status, 202);
    return eventually(async () => {
      const [run] = ((await api.get(`/api/runs?workflow=${id}`)).body as { items: Record<string, unknown>[] }).items;
      assert.ok(run && run.state !== 'running', `the run is ${run?.state ?? 'not started'}`);
      return run;
    }, { what: `a run of workflow ${id} ends` });
  }

  describe('a run whose file became a link out of the import folder after the workflow was saved', () => {
    it('fails with FILE_OUTSIDE_IMPORT_DIR and leaves the directory untouched', async () => {
      worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config: workerConfig() });
      api = await serveApi(workflowJobs(worker.boss));
      const saved = await call('POST', '/api/workflows', { name: 'Daily', definition: definition('accounts.csv') });
      assert.equal(saved.status, 201);
      const elsewhere = await writeCsv(await tempDir(), 'accounts.csv', [accountHeader, ['001X', 'false', 'Elsewhere', '']]);
      await rm(accounts);
      await symlink(elsewhere, accounts);
      const run = await runToTheEnd((saved.body as { id: number }).id);
      assert.deepEqual([run.state, run.errorCode, run.errorMessage], ['failed', 'FILE_OUTSIDE_IMPORT_DIR', `accounts.csv is outside the import folder ${imports} (IMPORT_DIR)`]);
      assert.deepEqual(await db.query('select external_id from accounts'), []);
    });
  });

  describe('a run whose file does not start with the columns the mapping reads', () => {
    it('names the file and the missing columns, and shows nothing of its first line', async () => {
      worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config: workerConfig() });
      api = await serveApi(workflowJobs(worker.boss));
      await writeFile(path.join(imports, 'secret.csv'), 'sk_live_0123456789abcdef\nsecond line\n');
      const saved = await call('POST', '/api/workflows', { name: 'Daily', definition: definition('secret.csv') });
      const run = await runToTheEnd((saved.body as { id: number }).id);
      const missing = (column: string, field: string) =>
        `secret.csv: missing column "${column}" (mapped to ${field}); the header names none of the columns read, so it is not shown`;
      assert.deepEqual([run.state, run.errorCode, run.errorMessage], [
        'failed',
        'SOURCE_COLUMN_MISSING',
        [
          missing('Id', 'accounts.accountExternalReferenceId'),
          missing('Name', 'accounts.displayName'),
          missing('IsDeleted', 'accounts.isDeleted'),
          missing('Id', 'hierarchy.accountExternalReferenceId'),
          missing('Parent.Id', 'hierarchy.accountParentExternalReferenceId'),
          missing('IsDeleted', 'hierarchy.isDeleted'),
        ].join('\n'),
      ]);
    });
  });

  describe('saving a workflow and changing it', () => {
    it('versions each new definition, and a rename or disable keeps the version', async () => {
      api = await serveApi();
      const created = await call('POST', '/api/workflows', { name: 'Daily', definition: definition(accounts) });
      const { id } = created.body as { id: number };
      assert.deepEqual([created.status, (created.body as { version: number }).version], [201, 1]);
      const nextRun = async () => ((await call('GET', `/api/workflows/${id}`)).body as { nextRunAt: string | null }).nextRunAt;
      assert.equal(await nextRun(), null, 'on demand only');
      const changed = await call('PATCH', `/api/workflows/${id}`, { definition: { ...definition(accounts), schedule: { cron: '0 6 * * *', timeZone: 'Europe/Berlin' } } });
      assert.equal((changed.body as { version: number }).version, 2);
      // The next 06:00 in Berlin: within a day, at 05:00 or 04:00 UTC (winter or summer time).
      const next = new Date((await nextRun())!);
      assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 86_400_000 && next.getUTCMinutes() === 0 && [4, 5].includes(next.getUTCHours()), next.toISOString());
      const [listed] = ((await call('GET', '/api/workflows')).body as { items: { nextRunAt: string | null }[] }).items;
      assert.equal(listed!.nextRunAt, next.toISOString());
      const renamed = await call('PATCH', `/api/workflows/${id}`, { name: 'Daily import', enabled: false });
      assert.deepEqual(
        [(renamed.body as { name: string }).name, (renamed.body as { version: number }).version, (renamed.body as { enabled: boolean }).enabled],
        ['Daily import', 2, false],
      );
      assert.equal(await nextRun(), null, 'a disabled workflow is not run on its schedule');
      const versions = await db.query('select version, definition ? \'schedule\' as scheduled from workflow_versions order by version');
      assert.deepEqual(versions, [{ version: 1, scheduled: false }, { version: 2, scheduled: true }]);
      const run = await call('POST', `/api/workflows/${id}/runs`);
      assert.deepEqual([run.status, run.body], [409, { error: { code: 'CONFLICT', message: 'workflow "Daily import" is disabled' } }]);
    });
  });

  describe('a workflow with a cron the scheduler cannot read', () => {
    it('responds 400 at schedule.cron, saving nothing and keeping the schedule it had', async () => {
      // The queue's parser only reads the cron here: a queue never started opens no connection.
      api = await serveApi(workflowJobs(new PgBoss({ connectionString: url })));
      const bad = { ...definition(accounts), schedule: { cron: '61 * * * *' } };
      const refused = {
        error: { code: 'BAD_REQUEST', message: 'invalid workflow definition: schedule.cron: the scheduler cannot read "61 * * * *": Constraint error, got value 61 expected range 0-59' },
      };
      const created = await call('POST', '/api/workflows', { name: 'Hourly', definition: bad });
      assert.deepEqual([created.status, created.body], [400, refused]);
      const [saved] = await db.query<{ id: number }>(`insert into workflows (name, definition) values ('Hourly', $1) returning id::int`, [definition(accounts)]);
      const changed = await call('PATCH', `/api/workflows/${saved!.id}`, { definition: bad });
      assert.deepEqual([changed.status, changed.body], [400, refused]);
      assert.deepEqual(await db.query(`select name, version, definition ? 'schedule' as scheduled from workflows`), [{ name: 'Hourly', version: 1, scheduled: false }]);
    });
  });

  describe('a workflow with a schedule', () => {
    it('runs when its schedule comes due, in its time zone, with the version the schedule holds', async () => {
      // Time moves only when the test ticks the clock, so nobody waits for 6 o'clock.
      const clock = new TestClock('2026-11-25T04:59:00Z');
      const config = workerConfig();
      worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config, clock });
      api = await serveApi(workflowJobs(worker.boss));
      const scheduled = { ...definition(accounts), schedule: { daily: '06:00', timeZone: 'Europe/Berlin' } };
      const created = await call('POST', '/api/workflows', { name: 'Daily', definition: scheduled });
      assert.equal(created.status, 201);
      const { id } = created.body as { id: number };
      const runs = () => db.query('select state, workflow_version as version from sync_runs');
      await clock.tick(50_000);
      assert.deepEqual(await runs(), [], 'nothing before 06:00 in Berlin (05:00 UTC)');
      await eventually(async () => {
        await clock.tick(1000);
        assert.deepEqual(await runs(), [{ state: 'succeeded', version: 1 }]);
      }, { what: 'the scheduled run succeeds', timeoutMs: 20_000, intervalMs: 0 });
      assert.equal((await db.query('select 1 from sync_runs where workflow_id = $1', [id])).length, 1);
    });
  });

  describe('a run that fails for a passing reason', function () {
    // Four attempts, each trying the server that is down, take seconds of their own on a busy machine.
    this.timeout(90_000);
    it('is tried three more times, backing off, then ends failed with its reason, and its notice goes out once', async () => {
      const clock = new TestClock('2026-11-25T08:00:00Z');
      const secretKey = 'a-test-secret-key-of-32-characters!';
      const config = workerConfig(secretKey);
      worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config, clock });
      api = await serveApi(workflowJobs(worker.boss));
      // Nothing listens on this port: the SFTP server is down.
      const down = await createSftpConnection(db, secretBox(secretKey), {
        name: 'down', host: '127.0.0.1', port: await freePort(), username: 'u', password: 'p', hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
      });
      const tasks = [
        { type: 'extract', name: 'T1', object: 'accounts', source: 'sftp', connectionId: down.id, path: '/exports/accounts.csv' },
        { type: 'load', name: 'T2', extracts: { accounts: 'T1' } },
      ];
      const notify = { onFailure: ['ops@acme.example', 'cx-lead@acme.example'] };
      const { id } = (await call('POST', '/api/workflows', { name: 'Nightly', definition: { notify, tasks } })).body as { id: number };
      const { jobId } = (await call('POST', `/api/workflows/${id}/runs`)).body as { jobId: string };
      const attempts = () => db.query<{ code: string }>('select error_code as code from sync_runs where workflow_id = $1 order by id', [id]);
      const job = await eventually(async () => {
        await clock.tick(5_000);
        const job = await worker!.boss.getJobById(Queue.workflowRun, jobId);
        assert.equal(job?.state, 'failed');
        return job;
      }, { what: 'the workflow run fails on its last attempt', timeoutMs: 75_000, intervalMs: 0 });
      const runs = await attempts();
      assert.deepEqual([job.state, runs.length, [...new Set(runs.map((r) => r.code))]], ['failed', 4, ['SOURCE_UNREACHABLE']]);
      // No SMTP_URL: the notice is in the outbox, one for the run that ended it all, none for the attempts before.
      const [last] = await db.query<{ id: number }>('select id::int from sync_runs where workflow_id = $1 order by id desc limit 1', [id]);
      const outbox = await db.query<{ mail_to: string; subject: string; text: string }>('select mail_to, subject, text from outbox_messages');
      assert.deepEqual(outbox.map((m) => [m.mail_to, m.subject]), [['ops@acme.example, cx-lead@acme.example', 'Workflow "Nightly" failed: SOURCE_UNREACHABLE']]);
      assert.match(outbox[0]!.text, new RegExp(`^The workflow "Nightly" \\(version 1\\) failed after 4 attempts\\.\n\nRun ${last!.id}, started `));
      assert.match(outbox[0]!.text, new RegExp(`/api/runs/${last!.id}/errors\\.csv`));
    });
  });

  describe('POST /api/workflows/:id/runs', () => {
    it('runs the workflow on the worker and records the version on its run', async () => {
      const config = workerConfig();
      worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config });
      api = await serveApi(workflowJobs(worker.boss));
      const { id } = (await call('POST', '/api/workflows', { name: 'Daily', definition: definition(accounts) })).body as { id: number };
      const reply = await call('POST', `/api/workflows/${id}/runs`);
      const { runId, ...queued } = reply.body as { runId: number; jobId: string; workflowId: number; version: number };
      assert.deepEqual([reply.status, queued.workflowId, queued.version], [202, id, 1]);
      // A script follows the run by the id the answer gave, before and after it ends.
      await eventually(async () => {
        const run = await call('GET', `/api/runs/${runId}`);
        assert.deepEqual([run.status, (run.body as { state: string; workflowId: number }).state, (run.body as { workflowId: number }).workflowId], [200, 'succeeded', id]);
      }, { what: 'the run answered by POST succeeds' });
      assert.deepEqual(await db.query('select id::int, state, workflow_id::int as workflow, workflow_version as version from sync_runs'), [{ id: runId, state: 'succeeded', workflow: id, version: 1 }]);
      assert.deepEqual((await db.query('select external_id, parent_external_id from accounts order by 1')).map((a) => [a.external_id, a.parent_external_id]), [
        ['001A', null],
        ['001B', '001A'],
      ]);
    });

    it('refuses a second run while one already waits to start', async () => {
      boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
      await boss.start();
      await createQueues(boss);
      api = await serveApi(workflowJobs(boss));
      const { id } = (await call('POST', '/api/workflows', { name: 'Daily', definition: definition(accounts) })).body as { id: number };
      assert.equal((await call('POST', `/api/workflows/${id}/runs`)).status, 202);
      const second = await call('POST', `/api/workflows/${id}/runs`);
      assert.deepEqual([second.status, second.body], [409, { error: { code: 'CONFLICT', message: 'a run of workflow "Daily" is already waiting to start' } }]);
    });
  });
});
