import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { PgBoss } from 'pg-boss';
import { createSurvey } from '../../core/surveys/queries.ts';
import { openLocalFiles } from '../../worker/extract/local-files.ts';
import { scheduleDistribution } from '../../worker/distribute/schedule-distribution.ts';
import { loadDirectory } from '../../worker/load/load-directory.ts';
import { createQueues } from '../../core/queues.ts';
import { eventually } from '../helpers/eventually.ts';
import { accountHeader, contactHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const root = path.join(import.meta.dirname, '..', '..');
const recipients = 40;

describe('a worker killed in the middle of a distribution', () => {
  const children: ChildProcess[] = [];
  let sink: SmtpSink | undefined;
  let boss: PgBoss | undefined;
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await boss?.stop({ graceful: false });
    await sink?.close();
  });

  it('resumes on a restarted worker and sends nobody twice; the recipients it was sending to are reported in doubt', async function () {
    this.timeout(120_000);
    const { db, url } = await testDatabase(this);
    sink = await startSmtpSink();
    // Each message takes a while to be accepted, so the kill lands in the middle of the list.
    sink.delayMs(150);
    const dir = await tempDir();
    const contacts = Array.from({ length: recipients }, (_, i) => [`003${String(i).padStart(3, '0')}`, 'false', '', '001A', `person${i}@acme.example`, `P${i}`, 'Doe']);
    const load = await loadDirectory(db, {
      directoryId: 1,
      sourceLabel: 'files',
      openSources: async () => openLocalFiles({
        accounts: await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', '']]),
        contacts: await writeCsv(dir, 'contacts.csv', [contactHeader, ...contacts]),
      }),
      mapping: {},
      mailingListName: 'Import',
    });
    const survey = await createSurvey(db, { name: 'NPS' });
    boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    // The queue keeps the policy it is created with: the short heartbeat of test/helpers/worker-process.ts.
    await createQueues(boss, { heartbeatSeconds: 10, superviseSeconds: 1, retryDelaySeconds: 1 });
    const task = { type: 'distribute', name: 'survey', load: 'load', surveyId: survey.id, audience: 'all', linkType: 'individual', send: 'now' } as const;
    const { id } = (await scheduleDistribution(db, boss, { task, directoryId: 1, mailingListId: load.mailingList!.id, workflowId: null, mailFrom: 'nps@acme.example' }))!;

    const startWorker = () => {
      // The product's worker with a short heartbeat and supervision, so the takeover is quick.
      const child = spawn(process.execPath, ['--max-semi-space-size=4', path.join(root, 'test', 'helpers', 'worker-process.ts')], {
        env: { ...process.env, DATABASE_URL: url, SMTP_URL: sink!.url, SMTP_CONNECTIONS: '2', PUBLIC_URL: 'http://survey.example', LOG_LEVEL: 'error' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(child);
      return child;
    };

    const first = startWorker();
    await sink.waitFor(10, 30_000);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const atKill = sink.received.length;
    assert.ok(atKill < recipients, `the worker was killed before the end (${atKill} of ${recipients} sent)`);

    const second = startWorker();
    await eventually(async () => {
      assert.deepEqual(await db.query('select state from distributions where id = $1', [id]), [{ state: 'finished' }]);
    }, { what: 'the second worker finishes the distribution', timeoutMs: 90_000, intervalMs: 100 });
    second.kill('SIGKILL');
    await once(second, 'exit');

    const addresses = sink.received.map((m) => m.to);
    assert.equal(new Set(addresses).size, addresses.length, 'nobody received the survey twice');
    const rows = await db.query<{ email: string; state: string }>('select email, state from distribution_recipients where distribution_id = $1', [id]);
    const byState = (s: string) => rows.filter((r) => r.state === s).map((r) => r.email).sort();
    assert.equal(byState('sent').length + byState('in_doubt').length, recipients, 'every recipient is sent or in doubt');
    // Two connections: four lanes, claims and marks four at a time (worker/distribute/claim-queue.ts).
    assert.ok(byState('in_doubt').length <= 16, `only the few recipients around the moment it died are in doubt, not ${byState('in_doubt').length}`);
    const received = new Set(addresses);
    assert.ok(byState('sent').every((email) => received.has(email)), 'every recipient marked sent received it');
    assert.equal(addresses.length, byState('sent').length + byState('in_doubt').filter((email) => received.has(email)).length);
  });
});
