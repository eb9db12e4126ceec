import assert from 'node:assert/strict';
import { findSftpCredentials } from '../../core/connections/sftp.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import type { Db } from '../../core/db.ts';
import { tempDir } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { adminKey, serve, testSecretBox, type Served } from './serve.ts';

const fingerprint = 'SHA256:' + 'x'.repeat(43);
const input = { name: 'Exports', host: 'sftp.example.com', port: 2222, username: 'bellwether', password: 'hunter2-hunter2', hostKeyFingerprint: fingerprint };

describe('/api/sftp-connections', () => {
  let api: Served;
  let db: Db;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    api = await serve(db);
  });
  afterEach(() => api.close());

  const post = (body: unknown, key: string | null = adminKey) =>
    api.request('/api/sftp-connections', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });

  describe('POST without a key', () => {
    it('responds 401 and stores nothing', async () => {
      assert.equal((await post(input, null)).status, 401);
      assert.deepEqual(await db.query('select * from sftp_connections'), []);
    });
  });

  describe('POST with a password', () => {
    it('responds 201 with the connection and never its password, which is stored sealed', async () => {
      const reply = await post(input);
      const created = reply.body as { id: number };
      assert.deepEqual([reply.status, reply.body], [
        201,
        { id: created.id, name: 'Exports', host: 'sftp.example.com', port: 2222, username: 'bellwether', auth: 'password', hostKeyFingerprint: fingerprint },
      ]);
      const [row] = await db.query<{ password_sealed: string }>('select password_sealed from sftp_connections');
      assert.ok(!row!.password_sealed.includes('hunter2'));
      assert.equal((await findSftpCredentials(db, testSecretBox, created.id)).password, 'hunter2-hunter2');
      const list = await api.get('/api/sftp-connections');
      assert.deepEqual(list.body, { items: [reply.body] });
      assert.ok(!JSON.stringify(list.body).includes('hunter2'));
    });
  });

  describe('POST of an invalid connection', () => {
    it('responds 400 naming each problem', async () => {
      const reply = await post({ name: 'x', host: 'h', username: 'u', hostKeyFingerprint: 'MD5:aa' });
      assert.deepEqual([reply.status, reply.body], [
        400,
        {
          error: {
            code: 'BAD_REQUEST',
            message:
              'invalid SFTP connection: hostKeyFingerprint: an OpenSSH SHA256 fingerprint, as `ssh-keygen -lf` prints it; ' +
              '(connection): a password or a private key is required',
          },
        },
      ]);
      const noSecret = await post({ ...input, password: undefined });
      assert.deepEqual([noSecret.status, noSecret.body], [400, { error: { code: 'BAD_REQUEST', message: 'invalid SFTP connection: (connection): a password or a private key is required' } }]);
    });
  });

  describe('POST of a name already taken', () => {
    it('responds 409', async () => {
      await post(input);
      const reply = await post(input);
      assert.deepEqual([reply.status, reply.body], [409, { error: { code: 'CONFLICT', message: 'an SFTP connection named "Exports" already exists' } }]);
    });
  });

  describe('DELETE', () => {
    it('refuses while a workflow reads from the connection, naming it, and with force says what it broke', async () => {
      const { id } = (await post(input)).body as { id: number };
      const workflow = await createWorkflow(db, {
        name: 'Nightly',
        definition: {
          tasks: [
            { type: 'extract', name: 'T1', object: 'accounts', source: 'sftp', connectionId: id, path: '/a.csv' },
            { type: 'load', name: 'T2', extracts: { accounts: 'T1' } },
          ],
        },
      }, await tempDir());
      const remove = (query = '') => api.request(`/api/sftp-connections/${id}${query}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
      const refused = await remove();
      assert.deepEqual([refused.status, refused.body], [
        409,
        { error: { code: 'CONFLICT', message: `SFTP connection ${id} is used by workflow "Nightly" (${workflow.id}): removing it breaks them; add ?force=true to remove it anyway` } },
      ]);
      const forced = await remove('?force=true');
      assert.deepEqual([forced.status, forced.body], [200, { deleted: id, brokenWorkflows: [{ id: workflow.id, name: 'Nightly' }] }]);
    });

    it('removes the connection, then answers 404', async () => {
      const { id } = (await post(input)).body as { id: number };
      const remove = () => api.request(`/api/sftp-connections/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
      const removed = await remove();
      assert.deepEqual([removed.status, removed.body], [200, { deleted: id, brokenWorkflows: [] }]);
      const again = await remove();
      assert.deepEqual([again.status, again.body], [404, { error: { code: 'CONNECTION_NOT_FOUND', message: `SFTP connection ${id} does not exist` } }]);
    });
  });
});
