import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { prepareFirstAdmin, setupLinkExpiryMs } from '../../server/people/first-admin.ts';
import { addUser, browser, clockStart, goodPassword, serveWithPeople, sessionCookieOf, signIn } from './people-fixture.ts';
import { testPublicUrl, type Served } from './serve.ts';

const logger = createLogger('silent', 'test');

describe('the first admin', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;
  let clock: number;

  beforeEach(async function () {
    clock = clockStart;
    ({ db, api } = await serveWithPeople(this, {}, { now: () => new Date(clock) }));
  });
  afterEach(() => api.close());

  describe('ADMIN_EMAIL and ADMIN_PASSWORD at start', () => {
    it('create the admin, then give it a new password back, signing out whoever held the old one', async () => {
      const first = { email: 'Root@Example.com', password: 'first password of twelve' };
      assert.equal(await prepareFirstAdmin(db, { firstAdmin: first, publicUrl: testPublicUrl }, logger), null);
      const signedIn = await signIn(api, 'root@example.com', first.password);
      assert.deepEqual([signedIn.status, (signedIn.body as { user: { role: string } }).user.role], [200, 'admin']);
      const session = await browser(api, 'root@example.com', first.password);

      // The same settings at the next start change nothing.
      await prepareFirstAdmin(db, { firstAdmin: first, publicUrl: testPublicUrl }, logger);
      assert.equal((await session.get('/api/session')).status, 200);

      const second = { email: 'root@example.com', password: 'second password of twelve' };
      await prepareFirstAdmin(db, { firstAdmin: second, publicUrl: testPublicUrl }, logger);
      assert.equal((await signIn(api, 'root@example.com', first.password)).status, 401);
      assert.equal((await signIn(api, 'root@example.com', second.password)).status, 200);
      assert.equal((await session.get('/api/session')).status, 401);
      assert.deepEqual(await db.query('select email, role from users'), [{ email: 'root@example.com', role: 'admin' }]);
    });
  });

  describe('without them', () => {
    it('the first start answers a setup link that creates the admin and signs it in, once', async () => {
      const link = await prepareFirstAdmin(db, { firstAdmin: undefined, publicUrl: testPublicUrl }, logger, new Date(clock));
      assert.match(link!, new RegExp(`^${testPublicUrl}/setup\\?token=[\\w-]{43}$`));
      const token = new URL(link!).searchParams.get('token')!;
      assert.deepEqual((await api.get(`/api/setup/${token}`, { key: null })).body, { valid: true });

      const body = JSON.stringify({ email: 'root@example.com', name: 'Root', password: goodPassword });
      const created = await api.request(`/api/setup/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.deepEqual([created.status, created.body], [201, { user: { id: 1, email: 'root@example.com', name: 'Root', role: 'admin' } }]);
      const cookie = sessionCookieOf(created);
      assert.equal((await api.request('/api/users', { headers: { cookie } })).status, 200);

      const again = await api.request(`/api/setup/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.deepEqual([again.status, (await api.get(`/api/setup/${token}`, { key: null })).status], [404, 404]);
      // Once someone can sign in, a start prints no link.
      assert.equal(await prepareFirstAdmin(db, { firstAdmin: undefined, publicUrl: testPublicUrl }, logger), null);
    });

    it('the setup link expires after 24 hours', async () => {
      const link = await prepareFirstAdmin(db, { firstAdmin: undefined, publicUrl: testPublicUrl }, logger, new Date(clock));
      const token = new URL(link!).searchParams.get('token')!;
      clock += setupLinkExpiryMs;
      const body = JSON.stringify({ email: 'root@example.com', name: 'Root', password: goodPassword });
      const late = await api.request(`/api/setup/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(late.status, 404);
      assert.deepEqual(await db.query('select id from users'), []);
    });

    it('is replaced by the next start, and ends once ADMIN_EMAIL creates an admin or a user exists', async () => {
      const setupToken = async () => new URL((await prepareFirstAdmin(db, { firstAdmin: undefined, publicUrl: testPublicUrl }, logger, new Date(clock)))!).searchParams.get('token')!;
      const valid = async (token: string) => (await api.get(`/api/setup/${token}`, { key: null })).status;
      const first = await setupToken();
      const second = await setupToken();
      assert.deepEqual([await valid(first), await valid(second)], [404, 200]);
      await prepareFirstAdmin(db, { firstAdmin: { email: 'root@example.com', password: goodPassword }, publicUrl: testPublicUrl }, logger);
      assert.equal(await valid(second), 404);
      await addUser(db, 'ann@example.com', 'admin');
      assert.equal(await prepareFirstAdmin(db, { firstAdmin: undefined, publicUrl: testPublicUrl }, logger), null);
    });
  });
});
