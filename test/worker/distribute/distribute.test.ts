import assert from 'node:assert/strict';
import { TestClock } from 'pg-boss';
import { loadConfig } from '../../../core/config.ts';
import type { Db } from '../../../core/db.ts';
import { createSftpConnection } from '../../../core/connections/sftp.ts';
import { createLogger } from '../../../core/log.ts';
import { secretBox } from '../../../core/secret-box.ts';
import { freePort } from '../../helpers/database.ts';
import { Queue } from '../../../core/queues.ts';
import { findDistribution } from '../../../core/surveys/distributions.ts';
import { createSurvey } from '../../../core/surveys/queries.ts';
import { createWorkflow } from '../../../core/workflows/queries.ts';
import { startWorker, type Worker } from '../../../worker/worker.ts';
import { accountHeader, contactHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { linksOf, startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import { serve, type Served } from '../../server/serve.ts';

const contacts = [
  contactHeader,
  ['003A', 'false', '', '001A', 'ada@acme.example', 'Ada', 'Lovelace'],
  ['003B', 'false', '', '001A', 'bob@acme.example', 'Bob', 'Builder'],
  ['003C', 'false', '', '001B', 'cy@zeta.example', 'Cy', 'Young'],
  ['003N', 'false', '', '001B', '', 'Nemo', 'Nobody'],
];

describe('survey distribution after a sync', function () {
  this.timeout(40_000);
  let db: Db;
  let url: string;
  let sink: SmtpSink;
  let api: Served;
  let worker: Worker | undefined;
  let surveyId: number;
  let files: { accounts: string; contacts: string };
  let imports: string;

  beforeEach(async function () {
    ({ db, url } = await testDatabase(this));
    sink = await startSmtpSink();
    api = await serve(db);
    imports = await tempDir();
    const dir = imports;
    files = {
      accounts: await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme & Sons', ''], ['001B', 'false', 'Zeta Corp', '']]),
      contacts: await writeCsv(dir, 'contacts.csv', contacts),
    };
    surveyId = (await createSurvey(db, { name: 'Quarterly NPS', title: 'Acme feedback', extraQuestions: [{ key: 'csat', text: 'How satisfied are you with support?' }] })).id;
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await api.close();
    await sink.close();
  });

  const secretKey = 'a-test-secret-key-of-32-characters!';

  async function start(options: { quickRetries?: boolean; clock?: TestClock } = {}): Promise<Worker> {
    const config = loadConfig({ DATABASE_URL: url, SMTP_URL: sink.url, PUBLIC_URL: api.base, MAIL_FROM: 'Acme <nps@acme.example>', SMTP_CONNECTIONS: '2', SECRET_KEY: secretKey, IMPORT_DIR: imports });
    worker = await startWorker({
      databaseUrl: url, db, logger: createLogger('silent', 'test'), config, sendRetry: { firstDelayMs: 100, maxDelayMs: 400, attempts: 30 },
      ...(options.quickRetries ? { timing: { heartbeatSeconds: 10, superviseSeconds: 1, retryDelaySeconds: 1 } } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return worker;
  }

  /** Saves a workflow that extracts, loads with a mailing list and distributes with `distribute`, and runs it. */
  async function runWorkflow(name: string, distribute: Record<string, unknown> = {}): Promise<number> {
    const workflow = await createWorkflow(db, {
      name,
      definition: {
        tasks: [
          { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: files.accounts },
          { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: files.contacts },
          { type: 'load', name: 'load', mailingListName: 'Import', extracts: { accounts: 'accounts', contacts: 'contacts' } },
          { type: 'distribute', name: 'survey', load: 'load', surveyId, ...distribute },
        ],
      },
    }, imports);
    await worker!.boss.send(Queue.workflowRun, { workflowId: workflow.id, version: workflow.version });
    return workflow.id;
  }

  async function distributionOf(workflowId: number, options: { finished?: boolean; clock?: TestClock; nth?: number } = { finished: true }) {
    const nth = options.nth ?? 1;
    const id = await eventually(async () => {
      await options.clock?.tick(500);
      const rows = await db.query<{ id: number; state: string }>('select id::int, state from distributions where workflow_id = $1 order by id', [workflowId]);
      const row = rows[nth - 1];
      assert.ok(row && (!options.finished || row.state === 'finished'), `its distribution ${nth} is ${row?.state ?? 'not made'}`);
      return row.id;
    }, { what: `workflow ${workflowId} has a ${options.finished ? 'finished ' : ''}distribution ${nth}`, timeoutMs: 15_000 });
    return findDistribution(db, id);
  }

  /** Runs a saved workflow again, as its daily schedule would, and answers that run's distribution once sent. */
  async function runAgain(workflowId: number, nth: number) {
    await worker!.boss.send(Queue.workflowRun, { workflowId, version: 1 });
    return distributionOf(workflowId, { finished: true, nth });
  }

  /** Time passes for the contact rules: every invitation so far is `days` older. */
  const daysPass = (days: number) => db.query(`update distribution_recipients set claimed_at = claimed_at - make_interval(days => $1), sent_at = sent_at - make_interval(days => $1)`, [days]);

  const outcome = (d: Awaited<ReturnType<typeof distributionOf>>) => [d.recipients.sent, d.skipped];

  it('emails exactly the new mailing list; the link opens the survey and a score is stored against the contact and its account', async () => {
    await start();
    const workflowId = await runWorkflow('Daily');
    const distribution = await distributionOf(workflowId);
    assert.deepEqual([distribution.recipients, distribution.skipped], [{ pending: 0, sending: 0, sent: 3, failed: 0, skipped: 1, inDoubt: 0 }, { no_email: 1 }]);
    const mailingList = await db.query<{ contact: string; email: string | null }>(
      `select m.contact_external_id as contact, c.email from mailing_list_members m join contacts c on c.external_id = m.contact_external_id order by 1`,
    );
    assert.deepEqual(mailingList.map((m) => m.contact), ['003A', '003B', '003C', '003N']);
    assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'bob@acme.example', 'cy@zeta.example']);

    const ada = sink.received.find((m) => m.to === 'ada@acme.example')!;
    assert.equal(ada.from, 'nps@acme.example');
    assert.equal(ada.subject, 'Acme feedback: how likely are you to recommend us?');
    assert.match(ada.text, /^Hello Ada,/);
    assert.match(ada.html, /looks after Acme &amp; Sons/, 'names in the HTML body are escaped');
    assert.match(JSON.stringify(ada.headers.get('list')), /"unsubscribe".*\/o\//);
    const { survey, optOut } = linksOf(ada);
    assert.ok(survey.startsWith(`${api.base}/s/`) && optOut.startsWith(`${api.base}/o/`));
    const links = sink.received.map((m) => linksOf(m).survey);
    assert.equal(new Set(links).size, 3, 'one link per contact');

    const page = await fetch(survey);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<legend>How likely are you to recommend us to a friend or colleague\?<\/legend>/);
    assert.match(html, /How satisfied are you with support\?/);

    const submitted = await fetch(survey, { method: 'POST', body: new URLSearchParams({ score: '9', comment: 'Great <b>team</b>', q_csat: '4' }) });
    assert.equal(submitted.status, 200);
    assert.match(await submitted.text(), /Thank you for your answer\./);
    const stored = await db.query('select contact_external_id, account_external_id, score, comment, answers, survey_id::int from nps_responses');
    assert.deepEqual(stored, [{ contact_external_id: '003A', account_external_id: '001A', score: 9, comment: 'Great <b>team</b>', answers: { csat: 4 }, survey_id: surveyId }]);
  });

  it('sends no later survey to a contact who opted out through the emailed link', async () => {
    await start();
    const first = await distributionOf(await runWorkflow('Daily'));
    assert.equal(first.recipients.sent, 3);
    const bob = sink.received.find((m) => m.to === 'bob@acme.example')!;
    const confirm = await fetch(linksOf(bob).optOut);
    assert.match(await confirm.text(), /<form method="post">/, 'opening the link asks first, so a mail scanner cannot opt anyone out');
    const optedOut = await fetch(linksOf(bob).optOut, { method: 'POST' });
    assert.equal(optedOut.status, 200);
    assert.match(await optedOut.text(), /You are unsubscribed/);

    sink.received.length = 0;
    await daysPass(31);
    const second = await distributionOf(await runWorkflow('A month later, to all', { audience: 'all' }));
    assert.deepEqual([second.recipients.sent, second.skipped], [2, { no_email: 1, opted_out: 1 }]);
    assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'cy@zeta.example']);
  });

  it('sends one shared link with anonymous links; every answer is kept without a contact', async () => {
    await start();
    const distribution = await distributionOf(await runWorkflow('Anonymous', { linkType: 'anonymous' }));
    assert.equal(distribution.recipients.sent, 3);
    const links = sink.received.map(linksOf);
    assert.equal(new Set(links.map((l) => l.survey)).size, 1, 'one survey link for all');
    assert.equal(new Set(links.map((l) => l.optOut)).size, 3, 'each recipient still opts out alone');
    for (const score of ['3', '10']) {
      const reply = await fetch(links[0]!.survey, { method: 'POST', body: new URLSearchParams({ score }) });
      assert.equal(reply.status, 200);
    }
    const stored = await db.query('select contact_external_id, account_external_id, score from nps_responses order by score');
    assert.deepEqual(stored, [
      { contact_external_id: null, account_external_id: null, score: 3 },
      { contact_external_id: null, account_external_id: null, score: 10 },
    ]);
  });

  /** Whether the send job started, and if so whether the job queue's clock had reached `at` then. */
  const sendJob = async (at: Date) =>
    db.query<{ startedInTime: boolean | null }>(`select started_on >= $2 as "startedInTime" from pgboss.job where name = $1`, [Queue.distributionSend, at]);

  // The job queue runs on a clock the test moves, so nobody waits for the set time.
  it('sends at its set time, not before', async () => {
    const clock = new TestClock();
    await start({ clock });
    const at = new Date(Date.now() + 3600_000);
    const workflowId = await runWorkflow('Later', { send: { at: at.toISOString() } });
    const scheduled = await distributionOf(workflowId, { finished: false, clock });
    assert.deepEqual([scheduled.state, scheduled.sendAt.toISOString(), scheduled.recipients.pending], ['scheduled', at.toISOString(), 3]);
    await clock.setTime(at.getTime() - 1000);
    await clock.tick(999);
    assert.deepEqual([sink.received.length, await sendJob(at)], [0, [{ startedInTime: null }]], 'nothing goes out before the set time');
    assert.equal((await distributionOf(workflowId, { finished: true, clock })).recipients.sent, 3);
    assert.deepEqual([sink.received.length, await sendJob(at)], [3, [{ startedInTime: true }]]);
  });

  it('waits its delay after the load', async () => {
    const clock = new TestClock();
    await start({ clock });
    const workflowId = await runWorkflow('Delayed', { send: { delayMinutes: 90 } });
    const scheduled = await distributionOf(workflowId, { finished: false, clock });
    const delay = scheduled.sendAt.getTime() - Date.now();
    assert.ok(delay > 89 * 60_000 && delay <= 90 * 60_000, `sends in ${delay} ms`);
    await clock.setTime(scheduled.sendAt.getTime() - 60_000);
    await clock.tick(59_000);
    assert.deepEqual([sink.received.length, await sendJob(scheduled.sendAt)], [0, [{ startedInTime: null }]], 'nothing goes out a minute before');
    assert.equal((await distributionOf(workflowId, { finished: true, clock })).recipients.sent, 3);
    assert.deepEqual([sink.received.length, await sendJob(scheduled.sendAt)], [3, [{ startedInTime: true }]]);
  });

  it('sends every recipient exactly once when the SMTP server refuses mid-batch and recovers, and records a permanent rejection', async () => {
    let accepted = 0;
    let refused = 0;
    // The first message goes through, then the server is down for the next four tries.
    sink.behave((to) => {
      if (to === 'cy@zeta.example') return { code: 550, message: 'mailbox unavailable' };
      if (accepted >= 1 && refused < 4) {
        refused++;
        return { code: 421, message: 'service not available, try again later' };
      }
      accepted++;
      return 'accept';
    });
    await start();
    const distribution = await distributionOf(await runWorkflow('Flaky'));
    assert.equal(refused, 4);
    assert.deepEqual(distribution.recipients, { pending: 0, sending: 0, sent: 2, failed: 1, skipped: 1, inDoubt: 0 });
    assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'bob@acme.example']);
    assert.deepEqual(distribution.problems.map((p) => [p.contactExternalId, p.state, p.attempts]), [['003C', 'failed', 1]]);
    assert.match(distribution.problems[0]!.error!, /550/);
  });

  it('invites nobody twice when the workflow run is tried again after a later load failed', async () => {
    await start({ quickRetries: true });
    // Nothing listens on this port: the second load's SFTP server is down, a failure worth retrying.
    const down = await createSftpConnection(db, secretBox(secretKey), {
      name: 'down', host: '127.0.0.1', port: await freePort(), username: 'u', password: 'p', hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
    });
    const workflow = await createWorkflow(db, {
      name: 'Two loads',
      definition: {
        tasks: [
          { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: files.accounts },
          { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: files.contacts },
          { type: 'load', name: 'load', mailingListName: 'Import', extracts: { accounts: 'accounts', contacts: 'contacts' } },
          { type: 'distribute', name: 'survey', load: 'load', surveyId },
          { type: 'extract', name: 'more accounts', object: 'accounts', source: 'sftp', connectionId: down.id, path: '/exports/accounts.csv' },
          { type: 'load', name: 'load more', extracts: { accounts: 'more accounts' } },
        ],
      },
    }, imports);
    const jobId = (await worker!.boss.send(Queue.workflowRun, { workflowId: workflow.id, version: workflow.version }))!;
    await eventually(async () => assert.equal((await worker!.boss.getJobById(Queue.workflowRun, jobId))?.state, 'failed'), {
      what: 'the workflow run fails on its last attempt',
      timeoutMs: 30_000,
    });
    const [loads] = await db.query<{ n: number }>(`select count(*)::int as n from mailing_lists`);
    assert.equal(loads!.n, 4, 'the first load ran on each of the four attempts');
    const distribution = await distributionOf(workflow.id);
    assert.deepEqual((await db.query('select count(*)::int as n from distributions')), [{ n: 1 }]);
    assert.equal(distribution.recipients.sent, 3);
    assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'bob@acme.example', 'cy@zeta.example']);
  });
  describe('run daily', () => {
    it('invites nobody the second time a workflow runs on the same files', async () => {
      await start();
      const workflowId = await runWorkflow('Daily');
      assert.deepEqual(outcome(await distributionOf(workflowId)), [3, { no_email: 1 }]);
      assert.deepEqual(outcome(await runAgain(workflowId, 2)), [0, { not_new: 4 }]);
      assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'bob@acme.example', 'cy@zeta.example']);
    });

    it('invites only the contacts added to the export between two runs', async () => {
      await start();
      const workflowId = await runWorkflow('Daily');
      await distributionOf(workflowId);
      await writeCsv(imports, 'contacts.csv', [...contacts, ['003D', 'false', '', '001B', 'dee@zeta.example', 'Dee', 'Dawson']]);
      sink.received.length = 0;
      assert.deepEqual(outcome(await runAgain(workflowId, 2)), [1, { not_new: 4 }]);
      assert.deepEqual(sink.received.map((m) => [m.to, m.text.split(',')[0]]), [['dee@zeta.example', 'Hello Dee']]);
    });

    it('with audience newOrChanged invites the added contacts and those the export changed', async () => {
      await start();
      const workflowId = await runWorkflow('Daily', { audience: 'newOrChanged' });
      await distributionOf(workflowId);
      await daysPass(31);
      const changed = contacts.map((row) => (row[0] === '003B' ? [...row.slice(0, 4), 'bob@builder.example', ...row.slice(5)] : row));
      await writeCsv(imports, 'contacts.csv', [...changed, ['003D', 'false', '', '001B', 'dee@zeta.example', 'Dee', 'Dawson']]);
      sink.received.length = 0;
      assert.deepEqual(outcome(await runAgain(workflowId, 2)), [2, { unchanged: 3 }]);
      assert.deepEqual(sink.received.map((m) => m.to).sort(), ['bob@builder.example', 'dee@zeta.example']);
    });

    it('with audience all still invites each address at most once in 30 days, and never the same survey twice in 12 hours', async () => {
      await start();
      const workflowId = await runWorkflow('Daily', { audience: 'all' });
      assert.deepEqual(outcome(await distributionOf(workflowId)), [3, { no_email: 1 }]);
      assert.deepEqual(outcome(await runAgain(workflowId, 2)), [0, { no_email: 1, same_survey_12h: 3 }]);
      await daysPass(1);
      assert.deepEqual(outcome(await runAgain(workflowId, 3)), [0, { no_email: 1, contact_frequency: 3 }]);
      assert.equal(sink.received.length, 3);
      await daysPass(29);
      sink.received.length = 0;
      assert.deepEqual(outcome(await runAgain(workflowId, 4)), [3, { no_email: 1 }], '30 days after the first invitations');
      assert.deepEqual(sink.received.map((m) => m.to).sort(), ['ada@acme.example', 'bob@acme.example', 'cy@zeta.example']);
    });

    it("follows the directory's own rule: two invitations per 7 days, counted per survey", async () => {
      await start();
      await db.query('insert into contact_rules (directory_id, max_invitations, period_days, per_survey) values (1, 2, 7, true)');
      const workflowId = await runWorkflow('Daily', { audience: 'all' });
      await distributionOf(workflowId);
      await daysPass(1);
      assert.deepEqual(outcome(await runAgain(workflowId, 2)), [3, { no_email: 1 }], 'the second invitation of the week');
      await daysPass(1);
      assert.deepEqual(outcome(await runAgain(workflowId, 3)), [0, { no_email: 1, contact_frequency: 3 }]);
      const otherSurvey = (await createSurvey(db, { name: 'Onboarding' })).id;
      assert.deepEqual(outcome(await distributionOf(await runWorkflow('Onboarding', { audience: 'all', surveyId: otherSurvey }))), [3, { no_email: 1 }], 'another survey counts apart');
    });
  });
});
