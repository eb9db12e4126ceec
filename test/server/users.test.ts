import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { invitationExpiryMs } from '../../server/people/user-routes.ts';
import { addUser, browser, clockStart, goodPassword, serveWithPeople, sessionCookieOf, signIn } from './people-fixture.ts';
import { testPublicUrl, type Served } from './serve.ts';

type ErrorBody = { error: { code: string; message: string } };

describe('/api/users', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;
  let clock: number;

  beforeEach(async function () {
    clock = clockStart;
    ({ db, api } = await serveWithPeople(this, { 'ann@example.com': 'admin' }, { now: () => new Date(clock) }));
  });
  afterEach(() => api.close());

  /** The link of the one invitation in the outbox, after checking whom it went to. */
  async function invitationLink(to: string): Promise<string> {
    const mail = await db.query<{ to: string; subject: string; text: string }>('select mail_to as to, subject, text from outbox_messages');
    assert.deepEqual(mail.map((m) => [m.to, m.subject]), [[to, 'Your invitation to Bellwether']]);
    return new RegExp(`${testPublicUrl}/invite\\?token=[\\w-]+`).exec(mail[0]!.text)![0];
  }

  const accept = (token: string, body: unknown) =>
    api.request(`/api/invitations/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  describe('POST an invitation', () => {
    it('mails a link (to the outbox) that signs the user up with a password of their own, once', async () => {
      const admin = await browser(api, 'ann@example.com');
      const invited = await admin.send('POST', '/api/users', { email: 'Ed@Example.com', name: 'Ed', role: 'editor' });
      assert.equal(invited.status, 201);
      assert.deepEqual((invited.body as { user: object }).user, {
        id: 2, email: 'ed@example.com', name: 'Ed', role: 'editor', active: true, invitedAt: new Date(clock).toISOString(), lastSignInAt: null,
      });
      const token = new URL(await invitationLink('ed@example.com')).searchParams.get('token')!;
      // Invited is not signed up: no password yet.
      assert.equal((await signIn(api, 'ed@example.com', '')).status, 401);

      assert.deepEqual((await api.get(`/api/invitations/${token}`, { key: null })).body, { email: 'ed@example.com', name: 'Ed' });
      assert.equal((await accept(token, { password: 'too short' })).status, 400);
      const accepted = await accept(token, { name: 'Ed Editor', password: goodPassword });
      assert.deepEqual([accepted.status, accepted.body], [200, { user: { id: 2, email: 'ed@example.com', name: 'Ed Editor', role: 'editor' } }]);
      const cookie = sessionCookieOf(accepted);
      assert.equal((await api.request('/api/workflows', { headers: { cookie } })).status, 200);

      assert.equal((await accept(token, { password: 'another password' })).status, 404);
      assert.equal((await signIn(api, 'ed@example.com', goodPassword)).status, 200);
      const listed = await admin.get('/api/users');
      assert.deepEqual((listed.body as { items: { email: string; lastSignInAt: string | null }[] }).items.map((u) => [u.email, u.lastSignInAt !== null]), [
        ['ann@example.com', true],
        ['ed@example.com', true],
      ]);
    });

    it('inviting again mails a new link and ends the earlier one; a link stops working after 7 days; an email that signed up is 409', async () => {
      const admin = await browser(api, 'ann@example.com');
      assert.equal((await admin.send('POST', '/api/users', { email: 'vi@example.com', role: 'viewer' })).status, 201);
      const first = new URL(await invitationLink('vi@example.com')).searchParams.get('token')!;
      await db.query('delete from outbox_messages');
      const again = await admin.send('POST', '/api/users', { email: 'VI@example.com', name: 'Vi', role: 'editor' });
      assert.deepEqual([again.status, (again.body as { user: { id: number; role: string } }).user.role], [201, 'editor']);
      const second = new URL(await invitationLink('vi@example.com')).searchParams.get('token')!;
      assert.equal((await api.get(`/api/invitations/${first}`, { key: null })).status, 404);
      assert.deepEqual((await api.get(`/api/invitations/${second}`, { key: null })).body, { email: 'vi@example.com', name: 'Vi' });

      const conflict = await admin.send('POST', '/api/users', { email: 'ann@example.com', role: 'viewer' });
      assert.deepEqual([conflict.status, (conflict.body as ErrorBody).error.code], [409, 'CONFLICT']);
      clock += invitationExpiryMs;
      assert.equal((await api.get(`/api/invitations/${second}`, { key: null })).status, 404);
      assert.equal((await accept(second, { password: goodPassword })).status, 404);
    });
  });

  describe('PATCH', () => {
    it('changes a role; the last active admin can be neither demoted nor deactivated (409)', async () => {
      const admin = await browser(api, 'ann@example.com');
      const demoted = await admin.send('PATCH', '/api/users/1', { role: 'editor' });
      const deactivated = await admin.send('PATCH', '/api/users/1', { active: false });
      assert.deepEqual([demoted.status, deactivated.status], [409, 409]);
      await addUser(db, 'bo@example.com', 'viewer');
      assert.equal(((await admin.send('PATCH', '/api/users/2', { role: 'admin' })).body as { user: { role: string } }).user.role, 'admin');
      assert.equal((await admin.send('PATCH', '/api/users/1', { role: 'viewer' })).status, 200);
      assert.equal((await admin.get('/api/users')).status, 403);
      assert.equal((await admin.send('PATCH', '/api/users/9', { name: 'Nobody' })).status, 403);
    });
  });
});
