import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import type { Db } from '../../../core/db.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { adminKey, serve, testEmbedTokenKey, testPortalOrigin, type Served } from '../serve.ts';
import { addResponses, answers, loadWidgetDirectory, saveConfig, servedWidget } from './fixture.ts';

const json = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

describe('embed tokens and CORS for the Strategic Accounts widget', () => {
  let api: Served;
  let db: Db;
  let configId: number;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    ({ api, configId } = await servedWidget(db));
  });
  afterEach(() => api.close());

  async function issue(request: Record<string, unknown>): Promise<{ status: number; token: string; expiresAt: string; body: unknown }> {
    const reply = await api.request('/api/embed-tokens', { method: 'POST', headers: json, body: JSON.stringify(request) });
    const body = reply.body as { token: string; expiresAt: string };
    return { status: reply.status, token: body?.token, expiresAt: body?.expiresAt, body };
  }

  const names = async (token: string, config = configId) => {
    const reply = await api.get(`/api/widgets/strategic-accounts?config=${config}&asOf=2026-02-15`, { key: token });
    return reply.status === 200 ? (reply.body as { accounts: { name: string }[] }).accounts.map((a) => a.name) : [reply.status, reply.body];
  };

  it('shows a token scoped to one user only the accounts where that user holds a management role', async () => {
    const alice = await issue({ configId, userEmail: 'Alice@Seller.example' });
    const bob = await issue({ configId, userEmail: 'bob@seller.example' });
    const everyone = await issue({ configId, expiresInSeconds: 600 });
    assert.equal(alice.status, 201);
    assert.ok(Math.abs(Date.parse(everyone.expiresAt) - Date.now() - 600_000) < 5_000, everyone.expiresAt);
    assert.deepEqual(await names(alice.token), ['Alpha GmbH', 'Beta AG']); // owner of Alpha, customer success manager of Beta
    assert.deepEqual(await names(bob.token), ['Gamma Ltd']);
    assert.deepEqual(await names(everyone.token), ['Alpha GmbH', 'Beta AG', 'Delta Inc', 'Epsilon SA', 'Gamma Ltd']);
  });

  it('rolled up for one user, lists the top accounts the user holds a role on and adds up only what the user may see', async () => {
    await addResponses(db, answers('A3', '2026-02-11', [0, 0]));
    const rolled = await saveConfig(api, { name: 'Rolled up', period: 'MoM', rollUp: true, arr: { amountAttribute: 'contractAmount', termAttribute: 'termMonths', termUnit: 'months' } });
    const rows = async (userEmail?: string) => {
      const { token } = await issue({ configId: rolled, ...(userEmail ? { userEmail } : {}) });
      const reply = await api.get(`/api/widgets/strategic-accounts?config=${rolled}&asOf=2026-02-15&sort=arr&order=desc`, { key: token });
      return (reply.body as { accounts: { name: string; arr: string | null; responses: number }[] }).accounts.map((a) => [a.name, a.arr, a.responses]);
    };
    // Alpha GmbH holds Gamma Ltd: Alice owns Alpha only, Bob owns Gamma only.
    assert.deepEqual(
      [await rows('alice@seller.example'), await rows('bob@seller.example'), await rows()],
      [
        [['Alpha GmbH', '60000.00', 3], ['Beta AG', '33333.33', 0]],
        [['Gamma Ltd', '50000.00', 2]],
        [['Alpha GmbH', '110000.00', 5], ['Beta AG', '33333.33', 0], ['Delta Inc', null, 0], ['Epsilon SA', null, 0]],
      ],
    );
    // Once Alice also holds a role on Gamma, it adds into Alpha, her top account, instead of being a row of its own.
    await db.query(`insert into management_roles (directory_id, account_external_id, user_email, role_name) values (1, 'A3', 'alice@seller.example', 'ACCOUNT_EXECUTIVE')`);
    assert.deepEqual(await rows('alice@seller.example'), [['Alpha GmbH', '110000.00', 5], ['Beta AG', '33333.33', 0]]);
  });

  it('refuses a token for another configuration, and on the admin API', async () => {
    const other = await saveConfig(api, { name: 'Other' });
    const { token } = await issue({ configId });
    assert.deepEqual(await names(token, other), [
      403,
      { error: { code: 'FORBIDDEN', message: `this embed token shows widget configuration ${configId}, not ${other}` } },
    ]);
    const admin = await api.get('/api/accounts', { key: token });
    assert.equal(admin.status, 401);
  });

  it('refuses an expired token and says when it expired', async () => {
    const expired = await new SignJWT({ cfg: configId, dir: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('bellwether')
      .setAudience('strategic-accounts-widget')
      .setIssuedAt(1_700_000_000)
      .setExpirationTime(1_700_003_600)
      .sign(testEmbedTokenKey);
    const reply = await api.get(`/api/widgets/strategic-accounts?config=${configId}`, { key: expired });
    assert.deepEqual([reply.status, reply.headers.get('www-authenticate'), reply.body], [
      401,
      'Bearer',
      { error: { code: 'UNAUTHORIZED', message: 'the embed token expired at 2023-11-14T23:13:20.000Z: ask for a new one' } },
    ]);
  });

  it('refuses a token whose scope was changed, or that another key signed', async () => {
    const { token } = await issue({ configId, userEmail: 'bob@seller.example' });
    const [header, payload, signature] = token.split('.');
    const widened = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    delete widened.email;
    const tampered = [header, Buffer.from(JSON.stringify(widened)).toString('base64url'), signature].join('.');
    const foreign = await new SignJWT({ cfg: configId, dir: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('bellwether')
      .setAudience('strategic-accounts-widget')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-key-that-is-32-chars-long!'));
    const invalid = { error: { code: 'UNAUTHORIZED', message: 'the embed token is not valid (not signed by this server, changed, or malformed)' } };
    assert.deepEqual([await names(tampered), await names(foreign)], [[401, invalid], [401, invalid]]);
  });

  it('issues tokens only for a saved configuration, with the admin key', async () => {
    const [unknown, badEmail, withoutKey] = await Promise.all([
      issue({ configId: 99 }),
      issue({ configId, userEmail: 'not an email', expiresInSeconds: 5 }),
      api.request('/api/embed-tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ configId }) }),
    ]);
    assert.deepEqual([unknown.status, badEmail.body, withoutKey.status], [
      404,
      { error: { code: 'BAD_REQUEST', message: 'invalid embed token request: userEmail: must be an email address; expiresInSeconds: must be from 60 to 31536000 (a year)' } },
      401,
    ]);
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      fetch(`${api.base}/api/widgets/strategic-accounts?config=${configId}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });

    it('answers a preflight from an allowed origin and lets its page read the data', async () => {
      const answer = await preflight(testPortalOrigin);
      assert.deepEqual(
        [answer.status, ...['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'vary'].map((h) => answer.headers.get(h))],
        [204, testPortalOrigin, 'GET', 'Authorization', 'Origin'],
      );
      const { token } = await issue({ configId });
      const data = await fetch(`${api.base}/api/widgets/strategic-accounts?config=${configId}`, { headers: { origin: testPortalOrigin, authorization: `Bearer ${token}` } });
      assert.deepEqual([data.status, data.headers.get('access-control-allow-origin')], [200, testPortalOrigin]);
    });

    it('refuses a preflight from any other origin and gives its page no access', async () => {
      const answer = await preflight('https://evil.example');
      assert.deepEqual([answer.status, answer.headers.get('access-control-allow-origin'), await answer.json()], [
        403,
        null,
        { error: { code: 'FORBIDDEN', message: 'origin https://evil.example may not call this API: allow it under Widgets → Allowed origins (or in CORS_ORIGINS)' } },
      ]);
      const data = await fetch(`${api.base}/api/widgets/strategic-accounts?config=${configId}`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${adminKey}` } });
      assert.equal(data.headers.get('access-control-allow-origin'), null);
    });
  });
});
