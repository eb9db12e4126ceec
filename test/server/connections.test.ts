import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findSftpCredentials } from '../../core/connections/sftp.ts';
import { connectSftp, disconnectSftp } from '../../core/connections/sftp-session.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import type { Db } from '../../core/db.ts';
import { freePort } from '../helpers/database.ts';
import { tempDir } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';
import { adminKey, serve, testSecretBox, type Served } from './serve.ts';

type ErrorBody = { error: { code: string; message: string } };
const accountsCsv = 'Id,Name\n001A,Acme\n';

/** Against a real OpenSSH server: a connection is tested (host key, login) before it is stored. */
describe('/api/sftp-connections', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let api: Served;
  let db: Db;
  let input: { name: string; host: string; port: number; username: string; password: string; hostKeyFingerprint: string };

  before(async () => {
    sshd = await startSshd();
    await writeFile(path.join(sshd.root, 'accounts.csv'), accountsCsv);
  });
  after(() => sshd?.stop());

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    api = await serve(db);
    input = { name: 'Exports', host: sshd.host, port: sshd.port, username: sshd.users.password.username, password: sshd.users.password.password, hostKeyFingerprint: sshd.hostKeyFingerprint };
  });
  afterEach(() => api.close());

  const send = (method: string, url: string, body: unknown, key: string | null = adminKey) =>
    api.request(url, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });
  const post = (body: unknown, key: string | null = adminKey) => send('POST', '/api/sftp-connections', body, key);
  const test = (body: unknown) => send('POST', '/api/sftp-connections/test', body);
  const patch = (id: number, body: unknown) => send('PATCH', `/api/sftp-connections/${id}`, body);
  const stored = () => db.query('select name, host, port, username, host_key_fingerprint from sftp_connections order by id');
  /** What a run does first: connect with the stored connection. */
  async function connectAsRun(id: number): Promise<string> {
    const client = await connectSftp(await findSftpCredentials(db, testSecretBox, id));
    await disconnectSftp(client);
    return 'connected';
  }

  describe('POST without a key', () => {
    it('responds 401 and stores nothing', async () => {
      assert.equal((await post(input, null)).status, 401);
      assert.deepEqual(await stored(), []);
    });
  });

  describe('POST with a password', () => {
    it('logs in, then responds 201 with the connection and never its password, which is stored sealed', async () => {
      const reply = await post(input);
      const created = reply.body as { id: number };
      assert.deepEqual([reply.status, reply.body], [
        201,
        { id: created.id, name: 'Exports', host: sshd.host, port: sshd.port, username: input.username, auth: 'password', hostKeyFingerprint: sshd.hostKeyFingerprint },
      ]);
      const [row] = await db.query<{ password_sealed: string }>('select password_sealed from sftp_connections');
      assert.ok(!row!.password_sealed.includes(input.password));
      assert.equal((await findSftpCredentials(db, testSecretBox, created.id)).password, input.password);
      const list = await api.get('/api/sftp-connections');
      assert.deepEqual(list.body, { items: [reply.body] });
      assert.ok(!JSON.stringify(list.body).includes(input.password));
    });
  });

  describe('POST with a wrong password', () => {
    it('is refused at once with SFTP_LOGIN_REFUSED, and nothing is stored', async () => {
      const reply = await post({ ...input, password: 'not-the-password' });
      assert.deepEqual([reply.status, reply.body], [
        400,
        { error: { code: 'SFTP_LOGIN_REFUSED', message: `${sshd.host}:${sshd.port} refused the login of ${input.username} with the password given (SFTP connection "Exports")` } },
      ]);
      assert.deepEqual(await stored(), []);
    });
  });

  describe('POST to a server that does not answer', () => {
    it('responds 502 SOURCE_UNREACHABLE and stores nothing', async () => {
      const reply = await post({ ...input, port: await freePort() });
      assert.deepEqual([reply.status, (reply.body as ErrorBody).error.code], [502, 'SOURCE_UNREACHABLE']);
      assert.deepEqual(await stored(), []);
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

  describe('the host key: tested, trusted, then changed on the server', () => {
    it('shows the fingerprint before logging in, lists the folder once trusted, refuses the changed key naming it, and takes the new one by PATCH', async () => {
      const { hostKeyFingerprint: _untrusted, ...unpinned } = input;
      const first = await test({ ...unpinned, folder: sshd.root });
      assert.deepEqual([first.status, first.body], [200, { hostKeyFingerprint: sshd.hostKeyFingerprint, trusted: false, folder: null, entries: [], moreEntries: 0 }]);

      const trusted = await test({ ...unpinned, hostKeyFingerprint: (first.body as { hostKeyFingerprint: string }).hostKeyFingerprint, folder: sshd.root });
      const listed = trusted.body as { entries: { modifiedAt: string }[] };
      assert.deepEqual([trusted.status, trusted.body], [
        200,
        { hostKeyFingerprint: sshd.hostKeyFingerprint, trusted: true, folder: sshd.root, entries: [{ name: 'accounts.csv', type: 'file', size: Buffer.byteLength(accountsCsv), modifiedAt: listed.entries[0]?.modifiedAt }], moreEntries: 0 },
      ]);
      const { id } = (await post(input)).body as { id: number };
      const oldKey = sshd.hostKeyFingerprint;

      const newKey = await sshd.rekey();
      assert.notEqual(newKey, oldKey);
      await assert.rejects(connectAsRun(id), {
        code: 'HOST_KEY_MISMATCH',
        message:
          `${sshd.host}:${sshd.port} presented host key ${newKey}, but SFTP connection "Exports" expects ${oldKey}: the connection was refused. ` +
          `If the server's key changed on purpose, trust the new fingerprint: edit the connection on the console's Connections page (Test, then Trust), ` +
          `or PATCH /api/sftp-connections/${id} with {"hostKeyFingerprint": "${newKey}"}.`,
      });
      const retest = await test({ id, folder: sshd.root });
      assert.deepEqual([retest.status, retest.body], [200, { hostKeyFingerprint: newKey, trusted: false, folder: null, entries: [], moreEntries: 0 }]);
      const another = await post({ ...input, name: 'Other' });
      assert.deepEqual([another.status, (another.body as ErrorBody).error.code], [409, 'HOST_KEY_MISMATCH']);
      assert.match((another.body as ErrorBody).error.message, new RegExp(`presented host key ${newKey.replace(/[+/]/g, '\\$&')}, but SFTP connection "Other" expects`));
      const keepsOld = await patch(id, { port: sshd.port });
      assert.deepEqual([keepsOld.status, (keepsOld.body as ErrorBody).error.code], [409, 'HOST_KEY_MISMATCH']);

      const repinned = await patch(id, { hostKeyFingerprint: newKey });
      assert.deepEqual([repinned.status, (repinned.body as { hostKeyFingerprint: string }).hostKeyFingerprint], [200, newKey]);
      assert.equal(await connectAsRun(id), 'connected');
    });
  });

  describe('PATCH', () => {
    it('renames without testing, refuses a taken name, and answers 404 for no such connection', async () => {
      const { id } = (await post(input)).body as { id: number };
      await post({ ...input, name: 'Taken' });
      const renamed = await patch(id, { name: 'Nightly exports' });
      assert.deepEqual([renamed.status, (renamed.body as { name: string }).name], [200, 'Nightly exports']);
      assert.deepEqual((await stored()).map((r) => r.name), ['Nightly exports', 'Taken']);
      const taken = await patch(id, { name: 'Taken' });
      assert.deepEqual([taken.status, taken.body], [409, { error: { code: 'CONFLICT', message: 'an SFTP connection named "Taken" already exists' } }]);
      const missing = await patch(9999, { name: 'X' });
      assert.deepEqual([missing.status, missing.body], [404, { error: { code: 'CONNECTION_NOT_FOUND', message: 'SFTP connection 9999 does not exist' } }]);
    });

    it('refuses a wrong new password and keeps the working one; switches to a private key that logs in', async () => {
      const { id } = (await post(input)).body as { id: number };
      const wrong = await patch(id, { password: 'not-the-password' });
      assert.deepEqual([wrong.status, (wrong.body as ErrorBody).error.code], [400, 'SFTP_LOGIN_REFUSED']);
      assert.equal((await findSftpCredentials(db, testSecretBox, id)).password, input.password);

      const { username, privateKey, passphrase } = sshd.users.key;
      const keyed = await patch(id, { username, privateKey, passphrase });
      assert.deepEqual([keyed.status, (keyed.body as { auth: string }).auth], [200, 'privateKey']);
      const credentials = await findSftpCredentials(db, testSecretBox, id);
      assert.deepEqual([credentials.password, credentials.privateKey, credentials.passphrase], [undefined, privateKey, passphrase]);
      assert.equal(await connectAsRun(id), 'connected');
      assert.ok(!JSON.stringify(keyed.body).includes('PRIVATE KEY'));
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
