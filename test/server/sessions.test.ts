import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { absoluteExpiryMs, idleExpiryMs } from '../../server/people/sessions.ts';
import { signInLimits } from '../../server/people/sign-in-routes.ts';
import { addUser, browser, clockStart, goodPassword, serveWithPeople, signIn } from './people-fixture.ts';
import { serve, testApp, type Served } from './serve.ts';

describe('/api/session', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;
  let clock: number;

  beforeEach(async function () {
    clock = clockStart;
    ({ db, api } = await serveWithPeople(this, { 'ann@example.com': 'admin' }, { now: () => new Date(clock) }));
  });
  afterEach(() => api.close());

  describe('POST the right email and password', () => {
    it('answers the user and an HttpOnly, SameSite=Lax session cookie that authenticates the admin routes', async () => {
      const reply = await signIn(api, ' Ann@Example.com ');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { user: { id: 1, email: 'ann@example.com', name: 'ann', role: 'admin' } });
      const [cookie] = reply.headers.getSetCookie();
      assert.match(cookie!, /^bw_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
      const session = await browser(api, 'ann@example.com');
      assert.deepEqual((await session.get('/api/session')).body, reply.body);
      assert.equal((await session.get('/api/accounts')).status, 200);
      // Only the token's hash is stored.
      const stored = await db.query<{ hash: Buffer }>('select token_sha256 as hash from sessions');
      assert.equal(stored.some((s) => s.hash.toString('base64url') === session.cookie.split('=')[1]), false);
    });
  });

  describe('POST a wrong password or an unknown email', () => {
    it('answers 401 INVALID_CREDENTIALS, the same for both', async () => {
      const wrong = await signIn(api, 'ann@example.com', 'not the password');
      const unknown = await signIn(api, 'nobody@example.com');
      assert.deepEqual([wrong.status, unknown.status], [401, 401]);
      assert.deepEqual(wrong.body, unknown.body);
      assert.equal((wrong.body as { error: { code: string } }).error.code, 'INVALID_CREDENTIALS');
      assert.deepEqual(wrong.headers.getSetCookie(), []);
    });
  });

  describe('too many failed sign-ins', () => {
    it('for one email: 429 RATE_LIMITED with Retry-After, even with the right password, while another email still signs in', async () => {
      await addUser(db, 'bo@example.com', 'viewer');
      for (let i = 0; i < signInLimits.perEmail; i++) assert.equal((await signIn(api, 'ann@example.com', `wrong password ${i}`)).status, 401);
      const limited = await signIn(api, 'ann@example.com', goodPassword);
      assert.equal(limited.status, 429);
      assert.equal((limited.body as { error: { code: string } }).error.code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal((await signIn(api, 'bo@example.com')).status, 200);
    });

    it('from one address: 429 RATE_LIMITED for every email', async () => {
      for (let i = 0; i < signInLimits.perAddress; i++) assert.equal((await signIn(api, `guess${i % 10}@example.com`, `wrong password ${i}`)).status, 401);
      assert.equal((await signIn(api, 'ann@example.com', goodPassword)).status, 429);
    });

    it('are counted across web processes: failures on two servers of one database add up', async () => {
      const second = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { now: () => new Date(clock) }));
      try {
        for (let i = 0; i < signInLimits.perEmail; i++) assert.equal((await signIn(i % 2 ? second : api, 'ann@example.com', `wrong password ${i}`)).status, 401);
        assert.equal((await signIn(second, 'ann@example.com', goodPassword)).status, 429);
        assert.equal((await signIn(api, 'ann@example.com', goodPassword)).status, 429);
      } finally {
        await second.close();
      }
    });
  });

  describe('a session', () => {
    it(`ends after ${idleExpiryMs / 3600_000} hours without a request`, async () => {
      const session = await browser(api, 'ann@example.com');
      clock += idleExpiryMs - 60_000;
      assert.equal((await session.get('/api/session')).status, 200);
      clock += idleExpiryMs - 60_000;
      assert.equal((await session.get('/api/session')).status, 200);
      clock += idleExpiryMs;
      assert.equal((await session.get('/api/session')).status, 401);
    });

    it(`ends ${absoluteExpiryMs / 86_400_000} days after sign-in however busy`, async () => {
      const session = await browser(api, 'ann@example.com');
      const end = clock + absoluteExpiryMs;
      while (clock + idleExpiryMs / 2 < end) {
        clock += idleExpiryMs / 2;
        assert.equal((await session.get('/api/session')).status, 200);
      }
      clock = end;
      assert.equal((await session.get('/api/session')).status, 401);
    });
  });

  describe('DELETE', () => {
    it('signs this browser out and clears its cookie; DELETE /api/sessions signs out everywhere', async () => {
      const here = await browser(api, 'ann@example.com');
      const there = await browser(api, 'ann@example.com');
      const elsewhere = await browser(api, 'ann@example.com');
      const out = await here.send('DELETE', '/api/session');
      assert.equal(out.status, 204);
      assert.match(out.headers.getSetCookie()[0]!, /^bw_session=; .*Max-Age=0/);
      assert.deepEqual([(await here.get('/api/session')).status, (await there.get('/api/session')).status], [401, 200]);
      assert.equal((await there.send('DELETE', '/api/sessions')).status, 204);
      assert.deepEqual([(await there.get('/api/session')).status, (await elsewhere.get('/api/session')).status], [401, 401]);
    });
  });
});
