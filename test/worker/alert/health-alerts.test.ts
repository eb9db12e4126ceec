import assert from 'node:assert/strict';
import { TestClock } from 'pg-boss';
import type { Db } from '../../../core/db.ts';
import type { Worker } from '../../../worker/worker.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import type { Served } from '../../server/serve.ts';
import { call, loadAlertDirectory, startAlerting } from './fixture.ts';

/** `scores` answers to an account on one day, each from a contact of its own. */
async function addAnswers(db: Db, account: string, at: string, scores: number[]): Promise<void> {
  await db.query(
    `insert into nps_responses (directory_id, contact_external_id, account_external_id, responded_at, score)
     select 1, $1 || '-' || n, $1, $2::timestamptz + make_interval(mins => n::int), score from unnest($3::smallint[]) with ordinality as s (score, n)`,
    [account, at, scores],
  );
}

describe('health alerts', function () {
  this.timeout(90_000);
  let db: Db;
  let url: string;
  let sink: SmtpSink;
  let worker: Worker | undefined;
  let api: Served | undefined;

  beforeEach(async function () {
    ({ db, url } = await testDatabase(this));
    sink = await startSmtpSink();
    await loadAlertDirectory(db);
  });

  afterEach(async () => {
    await worker?.stop();
    await api?.close();
    worker = undefined;
    api = undefined;
    await sink.close();
  });

  /** Ticks the clock until the day's evaluation is recorded and nothing it queued is left to run. */
  async function evaluated(clock: TestClock, day: string): Promise<void> {
    await eventually(async () => {
      await clock.tick(1000);
      const [row] = await db.query<{ done: boolean; open: number }>(
        `select exists (select 1 from health_evaluations where day = $1) as done,
           (select count(*)::int from pgboss.job where name = 'health-alerts' and state < 'completed') as open`,
        [day],
      );
      assert.deepEqual(row, { done: true, open: 0 });
    }, { what: `the health rules are evaluated for ${day}`, timeoutMs: 40_000, intervalMs: 0 });
  }

  it('sends one digest per account owner per day, naming every account of theirs that turned At Risk', async () => {
    // Every account has five promoters this quarter: Opportunity.
    for (const account of ['A1', 'A2', 'A3']) await addAnswers(db, account, '2026-10-05T09:00:00Z', [9, 10, 9, 10, 9]);
    const clock = new TestClock('2026-11-10T06:59:00Z');
    ({ worker, api } = await startAlerting(db, url, sink, { clock }));
    const created = await call(api, 'POST', '/api/alert-rules', { name: 'Turned At Risk', kind: 'health', healthTo: ['At Risk'], recipients: { roles: ['ACCOUNT_OWNER'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));

    await evaluated(clock, '2026-11-10');
    assert.equal(sink.received.length, 0, 'the first evaluation records where accounts stand');

    // Ten detractors each on the 10th, after that morning's evaluation: NPS (5 - 10) / 15 = -33, At Risk.
    for (const account of ['A1', 'A2', 'A3']) await addAnswers(db, account, '2026-11-10T12:00:00Z', [0, 1, 2, 3, 4, 5, 6, 0, 1, 2]);
    await clock.setTime('2026-11-11T06:59:30Z');
    await evaluated(clock, '2026-11-11');
    await sink.waitFor(2);
    await clock.tick(5 * 60_000);
    await evaluated(clock, '2026-11-11');

    const byRecipient = Object.fromEntries(sink.received.map((m) => [m.to, m]));
    assert.deepEqual(Object.keys(byRecipient).sort(), ['gus@seller.example', 'olivia@seller.example']);
    assert.equal(sink.received.length, 2, 'one digest each: Olivia owns two of the accounts, Carl and Sam own none');
    const olivia = byRecipient['olivia@seller.example']!;
    assert.equal(olivia.subject, 'Account health: 2 accounts changed (Acme & Sons, Zeta Corp)');
    assert.match(olivia.text, /^What changed in your accounts' health on 2026-11-11:/);
    assert.match(olivia.text, /Acme & Sons: Health changed from Opportunity to At Risk\.\nNow: NPS -33 \(QoQ, 15 answers\), Health At Risk\./);
    assert.match(olivia.text, /Zeta Corp: Health changed from Opportunity to At Risk\./);
    assert.match(olivia.text, new RegExp(`The account: ${api.base}/directory/accounts/A2\\?directory=1`));
    assert.match(olivia.text, /Latest answer: A1-10 \(no email\) answered 2 out of 10 on 2026-11-10\. No comment\./);
    assert.equal(byRecipient['gus@seller.example']!.subject, 'Account health: Gamma Ltd Health changed from Opportunity to At Risk');

    const days = await db.query(`select day::text, alerts from health_evaluations order by day`);
    assert.deepEqual(days, [{ day: '2026-11-10', alerts: 0 }, { day: '2026-11-11', alerts: 3 }]);
  });

  it('alerts on an NPS drop of the rule\'s points period over period once, not again while it stays down', async () => {
    await addAnswers(db, 'A1', '2026-08-05T09:00:00Z', [10, 10, 10, 10, 10]);
    await addAnswers(db, 'A1', '2026-10-05T09:00:00Z', [10, 10, 10, 10, 10]);
    const clock = new TestClock('2026-11-10T06:59:00Z');
    ({ worker, api } = await startAlerting(db, url, sink, { clock }));
    const created = await call(api, 'POST', '/api/alert-rules', { name: 'NPS down 20', kind: 'health', npsDrop: 20, recipients: { roles: [], emails: ['cx-lead@seller.example'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await evaluated(clock, '2026-11-10');
    // Q3 was 100; three detractors bring Q4 to (5 - 3) / 8 = 25: down 75 points.
    await addAnswers(db, 'A1', '2026-11-10T12:00:00Z', [0, 0, 0]);
    await clock.setTime('2026-11-11T06:59:30Z');
    await evaluated(clock, '2026-11-11');
    await sink.waitFor(1);
    await clock.setTime('2026-11-12T06:59:30Z');
    await evaluated(clock, '2026-11-12');
    assert.deepEqual(sink.received.map((m) => [m.to, m.subject]), [['cx-lead@seller.example', 'Account health: Acme & Sons NPS dropped 75 points on the previous period (QoQ)']]);
  });
});
