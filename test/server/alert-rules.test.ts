import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { createDemoDirectory } from '../../core/demo.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { call } from '../worker/alert/fixture.ts';
import { serve, type Served } from './serve.ts';

type Rule = { id: number; name: string; directoryId: number; enabled: boolean; kind: string; maxScore: number | null; clientRoles: string[]; healthTo: string[]; npsDrop: number | null; recipients: { roles: string[]; emails: string[] } };

const defaultRule = {
  name: 'Detractor answers', directoryId: 1, enabled: true, kind: 'answer', maxScore: 6, clientRoles: [], healthTo: [], npsDrop: null,
  recipients: { roles: ['ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER'], emails: [] },
};

describe('/api/alert-rules', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    api = await serve(db);
  });
  afterEach(() => api.close());

  const rules = async (directory: number) => ((await call(api, 'GET', `/api/alert-rules?directory=${directory}`)).body as { items: Rule[] }).items;
  const withoutTimes = ({ id: _, createdAt: _c, updatedAt: _u, ...rule }: Rule & { createdAt?: string; updatedAt?: string }) => rule;

  it('gives every directory, a new one and the demo one too, the default detractor rule', async () => {
    assert.deepEqual((await rules(1)).map(withoutTimes), [defaultRule]);
    const created = await call(api, 'POST', '/api/directories', { name: 'Europe' });
    const europe = (created.body as { id: number }).id;
    assert.deepEqual((await rules(europe)).map(withoutTimes), [{ ...defaultRule, directoryId: europe }]);
    const demo = await createDemoDirectory(db);
    assert.deepEqual((await rules(demo!)).map(withoutTimes), [{ ...defaultRule, directoryId: demo }], 'the demo directory too');
    const missing = await call(api, 'GET', '/api/alert-rules?directory=99');
    assert.deepEqual([missing.status, (missing.body as { error: { code: string } }).error.code], [404, 'DIRECTORY_NOT_FOUND']);
  });

  it('creates, changes, switches off and removes rules', async () => {
    const created = await call(api, 'POST', '/api/alert-rules', {
      name: 'Executives at risk', kind: 'health', healthTo: ['At Risk'], npsDrop: 20, recipients: { roles: ['ACCOUNT_EXECUTIVE'], emails: ['cx-lead@seller.example'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const rule = created.body as Rule;
    assert.deepEqual(withoutTimes(rule), {
      name: 'Executives at risk', directoryId: 1, enabled: true, kind: 'health', maxScore: null, clientRoles: [], healthTo: ['At Risk'], npsDrop: 20,
      recipients: { roles: ['ACCOUNT_EXECUTIVE'], emails: ['cx-lead@seller.example'] },
    });
    const off = await call(api, 'PATCH', `/api/alert-rules/${rule.id}`, { enabled: false, npsDrop: null });
    assert.deepEqual([off.status, (off.body as Rule).enabled, (off.body as Rule).npsDrop, (off.body as Rule).healthTo], [200, false, null, ['At Risk']]);
    const toAnswer = await call(api, 'PATCH', `/api/alert-rules/${rule.id}`, { kind: 'answer', maxScore: 4, clientRoles: ['EXECUTIVE_SPONSOR'] });
    assert.deepEqual([toAnswer.status, (toAnswer.body as Rule).kind, (toAnswer.body as Rule).healthTo, (toAnswer.body as Rule).maxScore], [200, 'answer', [], 4]);
    assert.equal((await call(api, 'DELETE', `/api/alert-rules/${rule.id}`)).status, 204);
    assert.equal((await call(api, 'DELETE', `/api/alert-rules/${rule.id}`)).status, 404);
    assert.deepEqual((await rules(1)).map((r) => r.name), ['Detractor answers']);
  });

  it('refuses a rule it could not act on, naming each field', async () => {
    const refused = async (body: unknown) => {
      const reply = await call(api, 'POST', '/api/alert-rules', body);
      assert.equal(reply.status, 400);
      return (reply.body as { error: { message: string } }).error.message;
    };
    assert.deepEqual(
      [
        await refused({ name: 'No one', kind: 'answer', recipients: { roles: [], emails: [] } }),
        await refused({ name: 'Odd', kind: 'answer', maxScore: 11, clientRoles: ['CEO'], recipients: { emails: ['not-an-address'] } }),
        await refused({ name: 'Nothing to watch', kind: 'health' }),
        await refused({ name: 'Mixed', kind: 'health', healthTo: ['Doomed'], maxScore: 3 }),
      ],
      [
        'invalid alert rule: recipients: name at least one management role or address',
        'invalid alert rule: maxScore: must be an integer from 0 to 10; clientRoles.0: must be one of DECISION_MAKER, INFLUENCER, PROCUREMENT_FINANCE_PERSON, PROGRAM_MANAGER, EXECUTIVE_SPONSOR, END_USER, ACCOUNT_MEMBER; recipients.emails.0: must be an email address',
        'invalid alert rule: healthTo: a health rule needs healthTo, npsDrop or both',
        'invalid alert rule: healthTo.0: must be one of Opportunity, Neutral, At Risk, Not enough data',
      ],
    );
    const [rule] = await rules(1);
    const taken = await call(api, 'POST', '/api/alert-rules', { name: 'Detractor answers', kind: 'answer' });
    assert.deepEqual([taken.status, (taken.body as { error: { message: string } }).error.message], [409, 'an alert rule named "Detractor answers" already exists in directory 1']);
    const moved = await call(api, 'PATCH', `/api/alert-rules/${rule!.id}`, { directoryId: 2 });
    assert.equal(moved.status, 400);
  });
});

describe('/api/webhooks', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    api = await serve(db);
  });
  afterEach(() => api.close());

  it('saves a webhook with a secret shown once, changes and removes it, and refuses what is not an http(s) URL', async () => {
    const created = await call(api, 'POST', '/api/webhooks', { url: 'https://hooks.slack.example/T1/B2' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id, secret, createdAt: _c, updatedAt: _u, ...webhook } = created.body as { id: number; secret: string; createdAt: string; updatedAt: string };
    assert.deepEqual(webhook, { directoryId: 1, url: 'https://hooks.slack.example/T1/B2', events: ['answer', 'alert'], enabled: true, deliveries: { pending: 0, delivered: 0, failed: 0 } });
    const [stored] = await db.query<{ secret: string }>('select secret from webhooks');
    assert.ok(stored!.secret.startsWith('v1:') && !stored!.secret.includes(secret), 'the secret is stored sealed');

    const changed = await call(api, 'PATCH', `/api/webhooks/${id}`, { events: ['alert'], enabled: false });
    assert.deepEqual([(changed.body as { events: string[] }).events, (changed.body as { enabled: boolean }).enabled], [['alert'], false]);
    const listed = (await call(api, 'GET', '/api/webhooks?directory=1')).body as { items: { id: number; secret?: string }[] };
    assert.deepEqual([listed.items.map((w) => w.id), listed.items[0]!.secret], [[id], undefined]);
    const log = await call(api, 'GET', `/api/webhooks/${id}/deliveries`);
    assert.deepEqual(log.body, { items: [], total: 0, limit: 50, offset: 0 });

    const bad = await call(api, 'POST', '/api/webhooks', { url: 'ftp://files.example/in', events: [] });
    assert.deepEqual([bad.status, (bad.body as { error: { message: string } }).error.message], [400, 'invalid webhook: url: must be an http:// or https:// URL; events: name answer, alert or both']);
    assert.equal((await call(api, 'DELETE', `/api/webhooks/${id}`)).status, 204);
    assert.equal((await call(api, 'GET', `/api/webhooks/${id}/deliveries`)).status, 404);
  });
});
