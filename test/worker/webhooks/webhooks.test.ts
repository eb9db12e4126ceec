import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../../core/db.ts';
import { verifyWebhook } from '../../../core/webhooks/verify.ts';
import type { Worker } from '../../../worker/worker.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';
import type { Served } from '../../server/serve.ts';
import { answer, call, loadAlertDirectory, startAlerting, surveyLinks } from '../alert/fixture.ts';

type Received = { headers: IncomingHttpHeaders; body: string; at: number; answered: number };

/** A receiver on a real port that answers each POST with the next status of `statuses` (200 once they run out). */
async function startReceiver(statuses: number[]): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), answered: status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bellwether`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('webhooks', function () {
  this.timeout(60_000);
  let db: Db;
  let url: string;
  let sink: SmtpSink;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
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
    await receiver.close();
    await sink.close();
  });

  it('delivers an alert once, signed, after its receiver answered 500 twice; the verification helper refuses a replay and a forgery', async () => {
    receiver = await startReceiver([500, 500]);
    ({ worker, api } = await startAlerting(db, url, sink, { quickRetries: true }));
    const created = await call(api, 'POST', '/api/webhooks', { url: receiver.url, events: ['alert'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id, secret } = created.body as { id: number; secret: string };
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(((await call(api, 'GET', `/api/webhooks/${id}`)).body as Record<string, unknown>).secret, undefined, 'the secret is shown once');

    const links = await surveyLinks(db, api, ['C1']);
    await answer(links.C1!, 3, 'Support never calls back');
    const log = await eventually(async () => {
      const reply = await call(api!, 'GET', `/api/webhooks/${id}/deliveries`);
      const page = reply.body as { total: number; items: { state: string; attempts: number; lastStatus: number; event: string }[] };
      assert.equal(page.items[0]?.state, 'delivered');
      return page;
    }, { what: 'the delivery is delivered', timeoutMs: 30_000 });

    assert.deepEqual(receiver.received.map((r) => r.answered), [500, 500, 200]);
    assert.deepEqual(
      [log.total, log.items[0]!.event, log.items[0]!.attempts, log.items[0]!.lastStatus],
      [1, 'alert.detractor', 3, 200],
      'one delivery, logged with its three attempts',
    );
    assert.equal(new Set(receiver.received.map((r) => r.headers['bellwether-delivery'])).size, 1, 'every attempt is the same delivery');
    const delivered = receiver.received[2]!;
    assert.deepEqual(verifyWebhook({ secret, body: delivered.body, headers: delivered.headers, now: delivered.at }), { ok: true, timestamp: Number(delivered.headers['bellwether-timestamp']) });
    const payload = JSON.parse(delivered.body) as { type: string; directoryId: number; data: { account: { name: string; health: string }; answer: { score: number; comment: string; contact: { role: string } } } };
    assert.deepEqual(
      [payload.type, payload.directoryId, payload.data.account.name, payload.data.answer.score, payload.data.answer.comment, payload.data.answer.contact.role],
      ['alert.detractor', 1, 'Acme & Sons', 3, 'Support never calls back', 'DECISION_MAKER'],
    );

    // The same request sent again six minutes later: its signature is genuine, its time is not.
    assert.deepEqual(verifyWebhook({ secret, body: delivered.body, headers: delivered.headers, now: delivered.at + 6 * 60_000 }), { ok: false, reason: 'outside-window' });
    const forged = delivered.body.replace('"score":3', '"score":10');
    assert.deepEqual(verifyWebhook({ secret, body: forged, headers: delivered.headers, now: delivered.at }), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(verifyWebhook({ secret: 'whsec_another', body: delivered.body, headers: delivered.headers, now: delivered.at }), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(verifyWebhook({ secret, body: delivered.body, headers: {}, now: delivered.at }), { ok: false, reason: 'missing-headers' });
  });

  it('posts each answer, new and changed, to a webhook of answers', async () => {
    receiver = await startReceiver([]);
    ({ worker, api } = await startAlerting(db, url, sink));
    const { secret } = (await call(api, 'POST', '/api/webhooks', { url: receiver.url, events: ['answer'] })).body as { secret: string };
    const links = await surveyLinks(db, api, ['C3']);
    await answer(links.C3!, 9, 'Great');
    await eventually(() => assert.equal(receiver.received.length, 1), { what: 'the answer is posted' });
    await answer(links.C3!, 10, 'Even better');
    await eventually(() => assert.equal(receiver.received.length, 2), { what: 'the change is posted' });
    const events = receiver.received.map((r) => {
      assert.equal(verifyWebhook({ secret, body: r.body, headers: r.headers, now: r.at }).ok, true);
      const { type, data } = JSON.parse(r.body) as { type: string; data: { answer: { score: number }; account: { id: string } } };
      return [r.headers['bellwether-event'], type, data.answer.score, data.account.id];
    });
    assert.deepEqual(events, [['answer.created', 'answer.created', 9, 'A2'], ['answer.updated', 'answer.updated', 10, 'A2']]);
  });
});
