import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { createSftpConnection } from '../../core/connections/sftp.ts';
import { browser, serveWithPeople, sessionCookieOf } from './people-fixture.ts';
import { adminKey, testSecretBox, type Served } from './serve.ts';

type ErrorBody = { error: { code: string; message: string } };
const code = (reply: { body: unknown }) => (reply.body as ErrorBody | undefined)?.error.code;

describe('roles and CSRF', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db, api } = await serveWithPeople(this, { 'ann@example.com': 'admin', 'ed@example.com': 'editor', 'vi@example.com': 'viewer' }));
  });
  afterEach(() => api.close());

  const survey = (headers: Record<string, string>, name: string) =>
    api.request('/api/surveys', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name }) });

  describe('a change made with the session cookie', () => {
    it("is refused 403 CSRF_REFUSED without this server's Origin, and done with it; the admin key needs none", async () => {
      const { cookie } = await browser(api, 'ann@example.com');
      const missing = await survey({ cookie }, 'A');
      const foreign = await survey({ cookie, origin: 'https://evil.example' }, 'B');
      assert.deepEqual([missing.status, code(missing), foreign.status, code(foreign)], [403, 'CSRF_REFUSED', 403, 'CSRF_REFUSED']);
      assert.equal((await survey({ cookie, origin: api.base }, 'C')).status, 201);
      assert.equal((await survey({ authorization: `Bearer ${adminKey}` }, 'D')).status, 201);
      assert.deepEqual((await db.query<{ name: string }>('select name from surveys order by name')).map((s) => s.name), ['C', 'D']);
    });

    it('a sign-in posted from another site is refused too', async () => {
      const reply = await api.request('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ email: 'ann@example.com', password: 'correct horse battery' }),
      });
      assert.deepEqual([reply.status, code(reply), reply.headers.getSetCookie()], [403, 'CSRF_REFUSED', []]);
    });
  });

  describe('a viewer', () => {
    it('gets 403 FORBIDDEN on the admin routes, and sees who is signed in', async () => {
      const viewer = await browser(api, 'vi@example.com');
      const answers = [
        await viewer.get('/api/accounts'),
        await viewer.get('/api/users'),
        await viewer.get('/api/workflows'),
        await viewer.get('/api/widget-configs'),
        await viewer.send('POST', '/api/surveys', { name: 'NPS' }),
      ];
      assert.deepEqual(answers.map((a) => `${a.status} ${code(a)}`), Array(5).fill('403 FORBIDDEN'));
      assert.equal((await viewer.get('/api/session')).status, 200);
    });
  });

  describe('an editor', () => {
    it("lists connections without their secrets but cannot change them, and cannot manage users", async () => {
      // Stored as the API would after its test, so that the editor has a connection with secrets to look at.
      await createSftpConnection(db, testSecretBox, { name: 'Exports', host: 'sftp.example.com', username: 'bw', password: 'hunter2-hunter2', hostKeyFingerprint: `SHA256:${'x'.repeat(43)}` });
      const editor = await browser(api, 'ed@example.com');
      const listed = await editor.get('/api/sftp-connections');
      assert.equal(listed.status, 200);
      assert.doesNotMatch(JSON.stringify(listed.body), /hunter2|"password":|"privateKey":/);
      const refused = [
        await editor.send('POST', '/api/sftp-connections', { name: 'Other', host: 'h', username: 'u', password: 'p' }),
        await editor.send('DELETE', '/api/sftp-connections/1'),
        await editor.send('PATCH', '/api/sftp-connections/1', { name: 'Mine' }),
        await editor.send('POST', '/api/sftp-connections/test', { id: 1 }),
        await editor.send('PATCH', '/api/salesforce-connections/1', { name: 'Mine' }),
        await editor.get('/api/salesforce-connections/authorize?name=Org'),
        await editor.get('/api/users'),
        await editor.get('/API/Users'),
        await editor.send('POST', '/api/users', { email: 'x@example.com', role: 'admin' }),
        await editor.send('PATCH', '/api/users/2', { role: 'admin' }),
      ];
      assert.deepEqual(refused.map((a) => `${a.status} ${code(a)}`), Array(10).fill('403 FORBIDDEN'));
      assert.deepEqual((await db.query<{ role: string }>('select role from users where id = 2'))[0], { role: 'editor' });
      // Workflows, surveys and widgets are an editor's work.
      assert.equal((await editor.get('/api/workflows')).status, 200);
      assert.equal((await editor.send('POST', '/api/surveys', { name: 'NPS' })).status, 201);
    });
  });

  describe('a deactivated user', () => {
    it('is signed out at once and cannot sign in again', async () => {
      const viewer = await browser(api, 'vi@example.com');
      const admin = await browser(api, 'ann@example.com');
      assert.equal((await admin.send('PATCH', '/api/users/3', { active: false })).status, 200);
      assert.equal((await viewer.get('/api/session')).status, 401);
      const again = await api.request('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'vi@example.com', password: 'correct horse battery' }),
      });
      assert.equal(code(again), 'INVALID_CREDENTIALS');
      assert.throws(() => sessionCookieOf(again));
    });
  });
});
