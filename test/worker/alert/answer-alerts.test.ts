import assert from 'node:assert/strict';
import { TestClock } from 'pg-boss';
import type { Db } from '../../../core/db.ts';
import type { Worker } from '../../../worker/worker.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import type { Served } from '../../server/serve.ts';
import { answer, call, loadAlertDirectory, startAlerting, surveyLinks } from './fixture.ts';

describe('detractor alerts', function () {
  this.timeout(60_000);
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

  /** Ticks the test clock until no answer job waits or runs, so what it would send is sent. */
  async function settle(clock: TestClock): Promise<void> {
    await eventually(async () => {
      await clock.tick(500);
      const [row] = await db.query<{ open: number }>(`select count(*)::int as open from pgboss.job where name = 'answer-stored' and state < 'completed'`);
      assert.equal(row!.open, 0);
    }, { what: 'every answer job is done', timeoutMs: 20_000, intervalMs: 0 });
  }

  it('mails the account owner and CSM once, within the minute, when a decision maker scores 3; changing the answer alerts no one again', async () => {
    const clock = new TestClock('2026-11-25T10:00:00Z');
    ({ worker, api } = await startAlerting(db, url, sink, { clock }));
    // The directory's default rule, narrowed by an admin to decision makers and executive sponsors.
    const rules = await call(api, 'GET', '/api/alert-rules?directory=1');
    const [rule] = (rules.body as { items: { id: number; name: string; maxScore: number; recipients: unknown }[] }).items;
    assert.deepEqual([rule!.name, rule!.maxScore, rule!.recipients], ['Detractor answers', 6, { roles: ['ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER'], emails: [] }]);
    const narrowed = await call(api, 'PATCH', `/api/alert-rules/${rule!.id}`, { clientRoles: ['DECISION_MAKER', 'EXECUTIVE_SPONSOR'] });
    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));

    const links = await surveyLinks(db, api, ['C1', 'C2']);
    await answer(links.C2!, 2, 'Too slow');
    await settle(clock);
    assert.equal(sink.received.length, 0, 'an end user is not a role the rule names');

    const answeredAt = clock.now();
    await answer(links.C1!, 3, 'Support never calls back');
    await eventually(async () => {
      await clock.tick(1000);
      assert.ok(sink.received.length >= 2, `${sink.received.length} received`);
    }, { what: 'the alert reaches the sink', timeoutMs: 20_000, intervalMs: 0 });
    assert.ok(clock.now() - answeredAt <= 60_000, `sent ${(clock.now() - answeredAt) / 1000} s after the answer on the test's clock`);
    await settle(clock);

    const [response] = await db.query<{ id: number }>(`select id::int from nps_responses where contact_external_id = 'C1'`);
    const subject = 'Detractor alert: Ada Lovelace (Decision Maker) at Acme & Sons scored 3';
    assert.deepEqual(sink.received.map((m) => [m.to, m.subject]).sort(), [['carl@seller.example', subject], ['olivia@seller.example', subject]]);
    const mail = sink.received[0]!;
    assert.equal(mail.from, 'alerts@seller.example');
    assert.match(mail.text, /^Acme & Sons: Ada Lovelace \(ada@acme\.example, Decision Maker\) answered 3 out of 10 on 2026-\d\d-\d\d\.\nComment: "Support never calls back"/);
    // Two detractors (Bob's 2 and Ada's 3) of two answers: NPS -100, too few answers for a Health.
    assert.match(mail.text, /Acme & Sons now: NPS -100 \(QoQ, 2 answers\), Health Not enough data\./);
    assert.match(mail.text, new RegExp(`The answer: ${api.base}/directory/contacts/C1\\?directory=1#answer-${response!.id}\n`));
    assert.match(mail.text, new RegExp(`The account: ${api.base}/directory/accounts/A1\\?directory=1\n`));
    assert.match(mail.html, /Acme &amp; Sons/);

    await answer(links.C1!, 1, 'Worse than I said');
    await settle(clock);
    await clock.tick(60_000);
    assert.equal(sink.received.length, 2, 'a changed answer raises no second alert');
    const alerts = await db.query(`select rule_id::int as rule, response_id::int as response, kind from alerts`);
    assert.deepEqual(alerts, [{ rule: rule!.id, response: response!.id, kind: 'detractor' }]);
    assert.deepEqual(await db.query(`select score from nps_responses where id = $1`, [response!.id]), [{ score: 1 }], 'the change itself is stored');
  });

  it('skips an address the mail server refuses for good, and sends to one it refused for a while on a later attempt, once', async () => {
    let refusedOlivia = 0;
    sink.behave((to) => {
      if (to === 'carl@seller.example') return { code: 550, message: 'no such mailbox here' };
      if (to === 'olivia@seller.example' && refusedOlivia++ === 0) return { code: 421, message: 'try again later' };
      return 'accept';
    });
    const clock = new TestClock('2026-11-25T10:00:00Z');
    ({ worker, api } = await startAlerting(db, url, sink, { clock }));
    const links = await surveyLinks(db, api, ['C1']);
    await answer(links.C1!, 2, 'Cancelling');
    await eventually(async () => {
      await clock.tick(10_000);
      assert.equal(sink.received.length, 1);
    }, { what: 'the retry reaches Olivia', timeoutMs: 30_000, intervalMs: 0 });
    await settle(clock);
    const messages = await db.query<{ recipient: string; sent: boolean; refused: string | null }>(
      'select recipient, sent_at is not null as sent, refused from alert_messages order by recipient',
    );
    assert.deepEqual(
      [sink.received.map((m) => m.to), refusedOlivia, messages.map((m) => [m.recipient, m.sent, m.refused?.includes('no such mailbox here') ?? null])],
      [['olivia@seller.example'], 2, [['carl@seller.example', false, true], ['olivia@seller.example', true, null]]],
    );
  });

  it('alerts no one when the rule is switched off', async () => {
    const clock = new TestClock('2026-11-25T10:00:00Z');
    ({ worker, api } = await startAlerting(db, url, sink, { clock }));
    const [rule] = ((await call(api, 'GET', '/api/alert-rules?directory=1')).body as { items: { id: number }[] }).items;
    assert.equal((await call(api, 'PATCH', `/api/alert-rules/${rule!.id}`, { enabled: false })).status, 200);
    const links = await surveyLinks(db, api, ['C1']);
    await answer(links.C1!, 0, 'Cancelling');
    await settle(clock);
    await clock.tick(60_000);
    assert.deepEqual([sink.received.length, (await db.query('select 1 from alerts')).length], [0, 0]);
  });
});
