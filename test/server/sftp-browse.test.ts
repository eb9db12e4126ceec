import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, realpath, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../core/db.ts';
import { freePort } from '../helpers/database.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';
import { browser, serveWithPeople } from './people-fixture.ts';
import { adminKey, type Served } from './serve.ts';

type Entry = { name: string; type: string; size: number; modifiedAt: string };
type Folder = { connectionId: number; folder: string; parent: string | null; entries: Entry[]; moreEntries: number };
type Preview = { connectionId: number; path: string; name: string; size: number; modifiedAt: string; columns: string[]; rows: { line: number; values: string[] | null; error: string | null }[] };

const semicolons = 'Id;Name;Parent.Id\n001A;Acme, Inc.;\n001B;Beta;001A\n';
const badLine = 'Id,Name\n001A,Acme\n001B,Beta,extra\n001C,Gamma\n';
const januaryContacts = 'Id,Email\n003A,ann@example.com\n';
const februaryContacts = 'Id,Email\n003B,bob@example.com\n';
/** More rows than a preview shows, then bytes that are no UTF-8 well past them: a download that stops at the rows shown never meets them. */
const longFile = `Id,Name\n${Array.from({ length: 30 }, (_, i) => `A${i},Account ${i}`).join('\n')}\n${'B,padding\n'.repeat(200_000)}C,\xff\n`;

/**
 * Against a real OpenSSH server: the workflow builder browses a stored connection's folders and
 * previews the file an extract would read, parsed with its settings.
 */
describe('GET /api/sftp-connections/:id/files and /preview', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let root: string;
  let api: Served;
  let db: Db;
  let id: number;

  before(async () => {
    sshd = await startSshd();
    root = await realpath(sshd.root);
    const exports = path.join(root, 'exports');
    await mkdir(path.join(exports, 'archive'), { recursive: true });
    await writeFile(path.join(exports, 'accounts.csv'), semicolons);
    await writeFile(path.join(exports, 'bad.csv'), badLine);
    await writeFile(path.join(exports, 'contacts_2026-01.csv'), januaryContacts);
    await writeFile(path.join(exports, 'contacts_2026-02.csv'), februaryContacts);
    await writeFile(path.join(exports, 'long.csv'), Buffer.from(longFile, 'latin1'));
    // January's export is the newer file: a pattern takes the newest match by time, not by name.
    await utimes(path.join(exports, 'contacts_2026-02.csv'), new Date('2026-02-01T06:00:00Z'), new Date('2026-02-01T06:00:00Z'));
    await utimes(path.join(exports, 'contacts_2026-01.csv'), new Date('2026-03-01T06:00:00Z'), new Date('2026-03-01T06:00:00Z'));
  });
  after(() => sshd?.stop());

  beforeEach(async function () {
    ({ db, api } = await serveWithPeople(this, { 'editor@example.com': 'editor', 'viewer@example.com': 'viewer' }));
    const created = await api.request('/api/sftp-connections', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ name: 'Exports', host: sshd.host, port: sshd.port, username: sshd.users.password.username, password: sshd.users.password.password, hostKeyFingerprint: sshd.hostKeyFingerprint }),
    });
    assert.equal(created.status, 201);
    id = (created.body as { id: number }).id;
  });
  afterEach(() => api.close());

  const files = (query: Record<string, string> = {}) => api.get(`/api/sftp-connections/${id}/files?${new URLSearchParams(query)}`);
  const preview = (query: Record<string, string>) => api.get(`/api/sftp-connections/${id}/preview?${new URLSearchParams(query)}`);
  const times = (folder: Folder) => folder.entries.map((e) => e.modifiedAt);

  describe('files', () => {
    it("starts in the login's folder, lists a folder by name, and descends into one of its folders", async () => {
      const home = execFileSync('getent', ['passwd', sshd.users.password.username], { encoding: 'utf8' }).split(':')[5]!;
      // What the home folder holds is other tests' business (the accounts are shared): where the listing starts is this one's.
      const start = await files();
      assert.deepEqual([start.status, (start.body as Folder).folder, (start.body as Folder).parent], [200, home, path.dirname(home)]);

      const top = await files({ path: root });
      assert.deepEqual([top.status, top.body], [
        200,
        { connectionId: id, folder: root, parent: path.dirname(root), entries: [{ name: 'exports', type: 'folder', size: (await stat(`${root}/exports`)).size, modifiedAt: times(top.body as Folder)[0] }], moreEntries: 0 },
      ]);

      const exports = await files({ path: `${root}/exports` });
      const at = times(exports.body as Folder);
      assert.deepEqual([exports.status, exports.body], [
        200,
        {
          connectionId: id,
          folder: `${root}/exports`,
          parent: root,
          entries: [
            { name: 'accounts.csv', type: 'file', size: Buffer.byteLength(semicolons), modifiedAt: at[0] },
            { name: 'archive', type: 'folder', size: (await stat(`${root}/exports/archive`)).size, modifiedAt: at[1] },
            { name: 'bad.csv', type: 'file', size: Buffer.byteLength(badLine), modifiedAt: at[2] },
            { name: 'contacts_2026-01.csv', type: 'file', size: Buffer.byteLength(januaryContacts), modifiedAt: '2026-03-01T06:00:00.000Z' },
            { name: 'contacts_2026-02.csv', type: 'file', size: Buffer.byteLength(februaryContacts), modifiedAt: '2026-02-01T06:00:00.000Z' },
            { name: 'long.csv', type: 'file', size: Buffer.byteLength(longFile, 'latin1'), modifiedAt: at[5] },
          ],
          moreEntries: 0,
        },
      ]);
      const inside = await files({ path: `${root}/exports/archive` });
      assert.deepEqual([inside.status, inside.body], [200, { connectionId: id, folder: `${root}/exports/archive`, parent: `${root}/exports`, entries: [], moreEntries: 0 }]);
    });

    it('answers 400 naming a folder that does not exist and the server', async () => {
      const reply = await files({ path: `${root}/imports` });
      assert.deepEqual([reply.status, reply.body], [
        400,
        { error: { code: 'BAD_REQUEST', message: `${sshd.host} logged in ${sshd.users.password.username}, but cannot list ${root}/imports: No such file ${root}/imports` } },
      ]);
    });

    it('answers 502 when the server cannot be reached, and 404 for no such connection', async () => {
      await db.query('update sftp_connections set port = $1 where id = $2', [await freePort(), id]);
      const unreachable = await files({ path: root });
      assert.deepEqual([unreachable.status, (unreachable.body as { error: { code: string } }).error.code], [502, 'SOURCE_UNREACHABLE']);
      const missing = await api.get('/api/sftp-connections/9999/files');
      assert.deepEqual([missing.status, missing.body], [404, { error: { code: 'CONNECTION_NOT_FOUND', message: 'SFTP connection 9999 does not exist' } }]);
    });

    it('lets an editor browse, as workflow building is theirs, and refuses a viewer', async () => {
      const editor = await browser(api, 'editor@example.com');
      const listed = await editor.get(`/api/sftp-connections/${id}/files?path=${encodeURIComponent(root)}`);
      assert.deepEqual([listed.status, (listed.body as Folder).entries.map((e) => e.name)], [200, ['exports']]);
      const viewer = await browser(api, 'viewer@example.com');
      const refused = await viewer.get(`/api/sftp-connections/${id}/files?path=${encodeURIComponent(root)}`);
      assert.deepEqual([refused.status, (refused.body as { error: { code: string } }).error.code], [403, 'FORBIDDEN']);
    });
  });

  describe('preview', () => {
    it('reads a file with a semicolon delimiter into its columns', async () => {
      const reply = await preview({ path: `${root}/exports/accounts.csv`, delimiter: ';' });
      assert.deepEqual([reply.status, reply.body], [
        200,
        {
          connectionId: id,
          path: `${root}/exports/accounts.csv`,
          name: 'accounts.csv',
          size: Buffer.byteLength(semicolons),
          modifiedAt: (reply.body as Preview).modifiedAt,
          columns: ['Id', 'Name', 'Parent.Id'],
          rows: [
            { line: 2, values: ['001A', 'Acme, Inc.', ''], error: null },
            { line: 3, values: ['001B', 'Beta', '001A'], error: null },
          ],
        },
      ]);
      const commas = await preview({ path: `${root}/exports/accounts.csv` });
      assert.deepEqual((commas.body as Preview).columns, ['Id;Name;Parent.Id']);
    });

    it('shows a line it cannot read with the reason, among the rows it can', async () => {
      const reply = await preview({ path: `${root}/exports/bad.csv` });
      assert.deepEqual([reply.status, (reply.body as Preview).columns, (reply.body as Preview).rows], [
        200,
        ['Id', 'Name'],
        [
          { line: 2, values: ['001A', 'Acme'], error: null },
          { line: 3, values: null, error: 'the row has 3 fields, the header has 2' },
          { line: 4, values: ['001C', 'Gamma'], error: null },
        ],
      ]);
    });

    it('reads the newest match of a pattern, as a run picks it, and says which file that is', async () => {
      const reply = await preview({ pattern: `${root}/exports/contacts_*.csv` });
      assert.deepEqual([reply.status, reply.body], [
        200,
        {
          connectionId: id,
          path: `${root}/exports/contacts_2026-01.csv`,
          name: 'contacts_2026-01.csv',
          size: Buffer.byteLength(januaryContacts),
          modifiedAt: '2026-03-01T06:00:00.000Z',
          columns: ['Id', 'Email'],
          rows: [{ line: 2, values: ['003A', 'ann@example.com'], error: null }],
        },
      ]);
      const none = await preview({ pattern: `${root}/exports/teams_*.csv` });
      assert.deepEqual([none.status, none.body], [
        400,
        { error: { code: 'SOURCE_UNREADABLE', message: `no file on ${sshd.host} (SFTP connection "Exports") matches ${root}/exports/teams_*.csv` } },
      ]);
    });

    it('shows the first 20 rows of a long file and reads no further', async () => {
      const reply = await preview({ path: `${root}/exports/long.csv` });
      assert.deepEqual([reply.status, (reply.body as Preview).rows], [
        200,
        Array.from({ length: 20 }, (_, i) => ({ line: i + 2, values: [`A${i}`, `Account ${i}`], error: null })),
      ]);
    });

    it('answers 400 naming a file that does not exist and the server, and for neither or both of a path and a pattern', async () => {
      const missing = await preview({ path: `${root}/exports/teams.csv` });
      assert.deepEqual([missing.status, missing.body], [
        400,
        { error: { code: 'SOURCE_UNREADABLE', message: `${root}/exports/teams.csv on ${sshd.host} (SFTP connection "Exports"): No such file: ${root}/exports/teams.csv` } },
      ]);
      const neither = await preview({ delimiter: ';' });
      const both = await preview({ path: `${root}/exports/bad.csv`, pattern: `${root}/exports/*.csv` });
      const refusal = { error: { code: 'BAD_REQUEST', message: 'give the path of a file or a pattern, one of them' } };
      assert.deepEqual([neither.status, neither.body, both.status, both.body], [400, refusal, 400, refusal]);
    });
  });
});
