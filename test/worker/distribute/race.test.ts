import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { PgBoss } from 'pg-boss';
import { createQueues } from '../../../core/queues.ts';
import { createSurvey } from '../../../core/surveys/queries.ts';
import { openLocalFiles } from '../../../worker/extract/local-files.ts';
import { scheduleDistribution } from '../../../worker/distribute/schedule-distribution.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { eventually } from '../../helpers/eventually.ts';
import { accountHeader, contactHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';

const root = path.join(import.meta.dirname, '..', '..', '..');
const contacts = 60;

describe('two distributions racing for the same contacts', () => {
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

  it('sent at once by two worker processes, invite each contact once: the other distribution records the rule that skipped it', async function () {
    this.timeout(120_000);
    const { db, url } = await testDatabase(this);
    sink = await startSmtpSink();
    // Each message takes a while, so both workers are sending at the same time.
    sink.delayMs(40);
    const dir = await tempDir();
    const load = await loadDirectory(db, {
      directoryId: 1,
      sourceLabel: 'files',
      openSources: async () => openLocalFiles({
        accounts: await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme', '']]),
        contacts: await writeCsv(dir, 'contacts.csv', [contactHeader, ...Array.from({ length: contacts }, (_, i) => [`003${String(i).padStart(3, '0')}`, 'false', '', '001A', `person${i}@acme.example`, `P${i}`, 'Doe'])]),
      }),
      mapping: {},
      mailingListName: 'Import',
    });

    const startWorker = async () => {
      const child = spawn(process.execPath, [path.join(root, 'test', 'helpers', 'worker-process.ts')], {
        env: { ...process.env, DATABASE_URL: url, SMTP_URL: sink!.url, SMTP_CONNECTIONS: '2', PUBLIC_URL: 'http://survey.example', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      for await (const line of createInterface({ input: child.stdout! })) if (line.includes('worker started')) break;
      child.stdout!.resume();
    };
    // Both workers wait for work before there is any, so each takes one of the two send jobs.
    await Promise.all([startWorker(), startWorker()]);

    boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await createQueues(boss, { heartbeatSeconds: 10, superviseSeconds: 1, retryDelaySeconds: 1 });
    const ids: number[] = [];
    for (const name of ['Quarterly NPS', 'Onboarding']) {
      const survey = await createSurvey(db, { name });
      const task = { type: 'distribute', name, load: 'load', surveyId: survey.id, audience: 'all', linkType: 'individual', send: 'now' } as const;
      ids.push((await scheduleDistribution(db, boss, { task, directoryId: 1, mailingListId: load.mailingList!.id, workflowId: null, mailFrom: 'nps@acme.example' }))!.id);
    }
    await eventually(async () => {
      assert.deepEqual(await db.query(`select state from distributions order by id`), [{ state: 'finished' }, { state: 'finished' }]);
    }, { what: 'both distributions finish', timeoutMs: 90_000, intervalMs: 200 });

    const addresses = sink.received.map((m) => m.to);
    assert.deepEqual([addresses.length, new Set(addresses).size], [contacts, contacts], 'each contact received exactly one invitation');
    const outcomes = await db.query<{ id: number; sent: number; skipped: number; reasons: string[] }>(
      `select distribution_id::int as id, count(*) filter (where state = 'sent')::int as sent, count(*) filter (where state = 'skipped')::int as skipped,
         array_agg(distinct skip_reason) filter (where skip_reason is not null) as reasons
       from distribution_recipients group by 1 order by 1`,
    );
    assert.deepEqual(outcomes.map((o) => o.sent + o.skipped), [contacts, contacts], 'every recipient of each was sent or skipped');
    assert.ok(outcomes.every((o) => o.sent > 0), `both workers sent, so they raced: ${JSON.stringify(outcomes)}`);
    assert.deepEqual(outcomes.map((o) => o.reasons), [['contact_frequency'], ['contact_frequency']]);
    assert.deepEqual(
      await db.query(`select count(*)::int as n from (select lower(email) from distribution_recipients where state = 'sent' group by 1 having count(*) > 1) twice`),
      [{ n: 0 }],
    );
  });
});
