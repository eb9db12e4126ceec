import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../../core/config.ts';
import { createLogger } from '../../../core/log.ts';
import { Queue, workflowRunKey } from '../../../core/queues.ts';
import { createWorkflow, updateWorkflow } from '../../../core/workflows/queries.ts';
import { workflowJobs } from '../../../core/workflows/schedule.ts';
import { startWorker, type Worker } from '../../../worker/worker.ts';
import { accountHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';

describe('a workflow with failure notices', function () {
  this.timeout(30_000);
  let worker: Worker | undefined;
  let sink: SmtpSink;

  beforeEach(async () => {
    sink = await startSmtpSink();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await sink.close();
  });

  /** Runs a workflow that reads `accountsPath`, with that file's folder as the import folder. */
  async function runOnce(context: Mocha.Context, accountsPath: string) {
    const { db, url } = await testDatabase(context);
    const importDir = path.dirname(accountsPath);
    const config = loadConfig({
      DATABASE_URL: url, SMTP_URL: sink.url, PUBLIC_URL: 'https://bellwether.acme.example', MAIL_FROM: 'Bellwether <ops@bellwether.acme.example>', IMPORT_DIR: importDir,
    });
    worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config });
    const workflow = await createWorkflow(db, {
      name: 'Nightly <CRM>',
      definition: {
        notify: { onFailure: ['ops@acme.example'] },
        tasks: [
          { type: 'extract', name: 'Accounts', object: 'accounts', source: 'file', path: accountsPath },
          { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
        ],
      },
    }, importDir);
    await workflowJobs(worker.boss).runNow({ workflowId: workflow.id, version: workflow.version });
    return eventually(async () => {
      const [run] = await db.query<{ id: number; state: string; error_message: string | null }>('select id::int, state, error_message from sync_runs');
      assert.ok(run && run.state !== 'running', `the run is ${run?.state ?? 'not started'}`);
      return run;
    }, { what: 'the run ends' });
  }

  it('emails the addresses once when a run fails for a reason a retry cannot mend, naming the run and why', async function () {
    const missing = path.join(await tempDir(), 'accounts.csv');
    const run = await runOnce(this, missing);
    assert.equal(run.state, 'failed');
    await sink.waitFor(1);
    const [mail] = sink.received;
    assert.deepEqual([sink.received.length, mail!.to, mail!.from, mail!.subject], [
      1,
      'ops@acme.example',
      'ops@bellwether.acme.example',
      'Workflow "Nightly <CRM>" failed: SOURCE_UNREADABLE',
    ]);
    assert.equal(
      mail!.text.trim(),
      [
        'The workflow "Nightly <CRM>" (version 1) failed.',
        '',
        `Run ${run.id}, started ${mail!.text.match(/started (\S+):/)![1]}: SOURCE_UNREADABLE`,
        run.error_message,
        '',
        `The run, with its row errors: https://bellwether.acme.example/api/runs/${run.id} (admin API key)`,
        `Row errors as CSV: https://bellwether.acme.example/api/runs/${run.id}/errors.csv`,
        '',
        'The directory is as the last successful run left it.',
      ].join('\n'),
    );
    assert.ok(run.error_message!.includes(missing), run.error_message!);
    // The workflow's name is text in the HTML part, not markup.
    assert.ok(mail!.html.includes('Nightly &#60;CRM&#62;') && !mail!.html.includes('<CRM>'), mail!.html);
  });

  it('sends nothing when the run succeeds', async function () {
    const accounts = await writeCsv(await tempDir(), 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', '']]);
    const run = await runOnce(this, accounts);
    assert.equal(run.state, 'succeeded');
    await worker!.stop();
    worker = undefined;
    assert.deepEqual(sink.received, []);
  });
});

describe('a scheduled workflow disabled as its schedule fires', function () {
  this.timeout(30_000);
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('runs the job the schedule enqueued only while the workflow is enabled', async function () {
    const { db, url } = await testDatabase(this);
    const importDir = await tempDir();
    const accounts = await writeCsv(importDir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', '']]);
    const config = loadConfig({ DATABASE_URL: url, IMPORT_DIR: importDir });
    worker = await startWorker({ databaseUrl: url, db, logger: createLogger('silent', 'test'), config });
    const jobs = workflowJobs(worker.boss);
    const workflow = await createWorkflow(db, {
      name: 'Nightly',
      definition: {
        schedule: { daily: '06:00' },
        tasks: [
          { type: 'extract', name: 'Accounts', object: 'accounts', source: 'file', path: accounts },
          { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
        ],
      },
    }, importDir);
    await jobs.syncSchedule(workflow);
    // What pg-boss's cron enqueues when the schedule fires.
    const [schedule] = await worker.boss.getSchedules(Queue.workflowRun, workflowRunKey(workflow.id));
    const fire = async () => {
      const id = await worker!.boss.send(Queue.workflowRun, schedule!.data as object);
      return eventually(async () => {
        const job = await worker!.boss.getJobById(Queue.workflowRun, id!);
        assert.equal(job?.state, 'completed');
      }, { what: 'the scheduled job ends' });
    };
    const runs = async () => (await db.query<{ n: number }>('select count(*)::int as n from sync_runs'))[0]!.n;

    await fire();
    assert.equal(await runs(), 1, 'an enabled workflow runs when its schedule fires');
    await jobs.syncSchedule(await updateWorkflow(db, workflow.id, { enabled: false }, importDir));
    await fire();
    assert.equal(await runs(), 1, 'the disabled workflow did not run');
  });
});
