import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSftpConnection, findSftpCredentials, type SftpConnectionInput } from '../../../core/connections/sftp.ts';
import type { Db } from '../../../core/db.ts';
import { secretBox } from '../../../core/secret-box.ts';
import { resolveFile, connectSftp, sftpSource } from '../../../worker/extract/sftp.ts';
import type { SourceItem } from '../../../core/records/source.ts';
import { runSync, type SyncJob } from '../../../worker/jobs/run-sync.ts';
import { directorySnapshot, runErrors } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { startSshd, type Sshd } from '../../helpers/sshd.ts';

const secretKey = 'a-test-secret-key-of-32-characters!';
const box = secretBox(secretKey);
const run_ = promisify(execFile);
const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n') + '\n';
const accounts = csv([['Id', 'IsDeleted', 'Name', 'Parent.Id'], ['001A', 'false', 'Acme', ''], ['001B', 'false', 'Beta', '001A']]);
const contacts = csv([
  ['Id', 'IsDeleted', 'Title', 'Account.Id', 'Email', 'FirstName', 'LastName'],
  ['003A', 'false', '', '001A', 'ada@acme.example', 'Ada', 'Lovelace'],
  ['003B', 'false', '', '001B', 'bob@beta.example', 'Bob', 'Builder'],
]);
const mapping = { clientRoles: { values: { '': 'ACCOUNT_MEMBER' as const } } };

describe('SFTP extract (real OpenSSH server)', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let db: Db;
  let url: string;
  let folder: string;
  let run: (job: Omit<SyncJob, 'directoryId'>) => ReturnType<typeof runSync>;
  let connect: (input?: Partial<SftpConnectionInput>) => Promise<number>;

  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
  });

  beforeEach(async function () {
    ({ db, url } = await testDatabase(this));
    folder = path.join(sshd.root, this.currentTest!.title.replace(/\W+/g, '-').slice(0, 40));
    await mkdir(folder, { recursive: true });
    // Created by root under the umask: the SFTP users must be able to archive into it.
    await chmod(folder, 0o777);
    run = (job) => runSync({ db, secretBox: async () => box }, { directoryId: 1, mapping, ...job });
    connect = async (input = {}) =>
      (
        await createSftpConnection(db, box, {
          name: 'exports',
          host: sshd.host,
          port: sshd.port,
          username: sshd.users.password.username,
          password: sshd.users.password.password,
          hostKeyFingerprint: sshd.hostKeyFingerprint,
          ...input,
        })
      ).id;
  });

  const put = async (name: string, content: string | Buffer, mtime?: Date) => {
    const file = path.join(folder, name);
    await writeFile(file, content, { mode: 0o666 });
    if (mtime) await utimes(file, mtime, mtime);
    return file;
  };

  it('loads accounts and contacts over a password login, streaming each file into one run', async () => {
    await put('accounts.csv', accounts);
    await put('contacts.csv', contacts);
    const connectionId = await connect();
    const result = await run({ sftp: { connectionId, files: { accounts: { path: `${folder}/accounts.csv` }, contacts: { path: `${folder}/contacts.csv` } } } });
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.deepEqual([result.counts.accounts?.inserted, result.counts.contacts?.inserted, result.counts.hierarchy?.inserted], [2, 2, 2]);
    const [stored] = await db.query(`select source from sync_runs where id = $1`, [result.runId]);
    assert.equal(stored!.source, `sftp:${connectionId}`);
  });

  it('logs in with a private key and its passphrase, and stores every secret sealed', async () => {
    await put('accounts.csv', accounts);
    const { username, privateKey, passphrase } = sshd.users.key;
    const connectionId = await connect({ username, password: undefined, privateKey, passphrase });
    const result = await run({ sftp: { connectionId, files: { accounts: { path: `${folder}/accounts.csv` } } } });
    assert.equal(result.state, 'succeeded', result.error?.message);
    const [row] = await db.query<{ private_key_sealed: string; passphrase_sealed: string }>('select private_key_sealed, passphrase_sealed from sftp_connections');
    assert.ok(row!.private_key_sealed.startsWith('v1:') && !row!.private_key_sealed.includes('PRIVATE KEY'));
    assert.ok(!row!.passphrase_sealed.includes(passphrase));
    assert.equal((await findSftpCredentials(db, box, connectionId)).passphrase, passphrase);
  });

  it('refuses a server whose host key is not the stored one, showing the key it saw, and changes nothing', async () => {
    await put('accounts.csv', accounts);
    const wrong = 'SHA256:' + 'A'.repeat(43);
    const connectionId = await connect({ hostKeyFingerprint: wrong });
    const result = await run({ sftp: { connectionId, files: { accounts: { path: `${folder}/accounts.csv` } } } });
    assert.equal(result.state, 'failed');
    assert.deepEqual(result.error, {
      code: 'HOST_KEY_MISMATCH',
      message:
        `${sshd.host}:${sshd.port} presented host key ${sshd.hostKeyFingerprint}, but SFTP connection "exports" expects ${wrong}: ` +
        `the connection was refused. If the server's key changed on purpose, update the connection's fingerprint.`,
    });
    assert.deepEqual((await directorySnapshot(db)).accounts, []);
  });

  it('picks the newest file that matches a pattern', async () => {
    await put('accounts_2026-01.csv', accounts, new Date('2026-01-31T00:00:00Z'));
    await put('accounts_2026-03.csv', accounts.replace('Acme', 'Acme March'), new Date('2026-03-31T00:00:00Z'));
    await put('accounts_2026-02.csv', accounts.replace('Acme', 'Acme February'), new Date('2026-02-28T00:00:00Z'));
    await put('other.csv', accounts.replace('Acme', 'Other'), new Date('2026-04-30T00:00:00Z'));
    const connectionId = await connect();
    const result = await run({ sftp: { connectionId, files: { accounts: { pattern: `${folder}/accounts_*.csv` } } } });
    assert.equal(result.state, 'succeeded', result.error?.message);
    const [acme] = await db.query(`select display_name from accounts where external_id = '001A'`);
    assert.equal(acme!.display_name, 'Acme March');
  });

  it('fails before loading a row when the header lacks a required column, naming it and the file', async () => {
    await put('accounts.csv', csv([['Id', 'IsDeleted', 'Parent.Id'], ['001A', 'false', '']]));
    const connectionId = await connect();
    const result = await run({ sftp: { connectionId, files: { accounts: { path: `${folder}/accounts.csv` } } } });
    assert.equal(result.error?.code, 'SOURCE_COLUMN_MISSING');
    assert.match(result.error!.message, /^accounts\.csv: missing column "Name" \(mapped to accounts\.displayName\)/);
  });

  it('reports malformed rows by line and loads the rest', async () => {
    await put('accounts.csv', `Id,IsDeleted,Name,Parent.Id\n001A,false,Acme,\n001B,false,"Beta"x,\n001C,maybe,Gamma,\n001D,false,Delta,\n`);
    const connectionId = await connect();
    const result = await run({ sftp: { connectionId, files: { accounts: { path: `${folder}/accounts.csv` } } } });
    assert.deepEqual(result.counts.accounts, { inserted: 2, updated: 0, unchanged: 0, deleted: 0, rejected: 2 });
    assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.source, e.line, e.code]), [
      ['accounts.csv', 3, 'UNREADABLE_ROW'],
      ['accounts.csv', 4, 'INVALID_BOOLEAN'],
    ]);
  });

  it('reads a Latin-1 file and a UTF-8 file with a byte order mark', async () => {
    await put('latin1.csv', Buffer.from('Id,IsDeleted,Name,Parent.Id\n001A,false,Müller Sàrl,\n', 'latin1'));
    await put('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Id,IsDeleted,Name,Parent.Id\n001B,false,Ørsted A/S,\n')]));
    const connectionId = await connect();
    for (const [file, encoding] of [['latin1.csv', 'latin1'], ['bom.csv', 'utf-8']] as const) {
      const result = await run({ sftp: { connectionId, files: { accounts: { path: `${folder}/${file}`, encoding } } } });
      assert.equal(result.state, 'succeeded', result.error?.message);
    }
    const names = await db.query('select display_name from accounts order by external_id');
    assert.deepEqual(names.map((n) => n.display_name), ['Müller Sàrl', 'Ørsted A/S']);
  });

  it('reads the delimiter and quote it is told to', async () => {
    await put('semicolons.csv', "Id;IsDeleted;Name;Parent.Id\n001A;false;'Acme; Inc.';\n");
    const connectionId = await connect();
    const result = await run({ sftp: { connectionId, files: { accounts: { path: `${folder}/semicolons.csv`, delimiter: ';', quote: "'" } } } });
    assert.equal(result.state, 'succeeded', result.error?.message);
    const names = await db.query('select display_name from accounts');
    assert.deepEqual(names.map((n) => n.display_name), ['Acme; Inc.']);
  });

  it("takes the job's delimiter and the configured field limit, a file's own delimiter winning", async () => {
    await put('semicolons.csv', `Id;IsDeleted;Name;Parent.Id\n001A;false;Acme;\n001B;false;${'B'.repeat(2000)};\n`);
    await put('tabs.csv', 'Id\tIsDeleted\tTitle\tAccount.Id\tEmail\tFirstName\tLastName\n003A\tfalse\t\t001A\tada@acme.example\tAda\tLovelace\n');
    const connectionId = await connect();
    const files = { accounts: { path: `${folder}/semicolons.csv` }, contacts: { path: `${folder}/tabs.csv`, delimiter: '\t' } };
    const result = await runSync({ db, secretBox: async () => box, maxCsvFieldBytes: 1024 }, { directoryId: 1, mapping, csv: { delimiter: ';' }, sftp: { connectionId, files } });
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.deepEqual([result.counts.accounts?.inserted, result.counts.contacts?.inserted], [1, 1]);
    assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.source, e.line, e.message]), [
      ['semicolons.csv', 3, 'CSV_FIELD_TOO_LONG: field 3 is longer than the limit of 1024 bytes (column "Name")'],
    ]);
  });

  it('moves a loaded file to the archive folder when asked to', async () => {
    const file = await put('accounts.csv', accounts);
    const connectionId = await connect();
    const result = await run({ sftp: { connectionId, files: { accounts: { path: file } }, archiveFolder: `${folder}/archive/2026` } });
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.deepEqual([existsSync(file), existsSync(`${folder}/archive/2026/accounts.csv`)], [false, true]);
  });

  it('does not load the same file twice unless forced', async () => {
    const file = await put('accounts.csv', accounts);
    const connectionId = await connect();
    const job = { sftp: { connectionId, files: { accounts: { path: file } } } };
    assert.equal((await run(job)).counts.accounts?.inserted, 2);
    const again = await run(job);
    assert.deepEqual([again.state, again.counts], ['succeeded', {}]);
    const forced = await run({ sftp: { ...job.sftp, force: true } });
    assert.deepEqual(forced.counts.accounts, { inserted: 0, updated: 0, unchanged: 2, deleted: 0, rejected: 0 });
  });

  it('runs from the load CLI, which names the files it left out as loaded before', async () => {
    const file = await put('accounts_2026-11.csv', accounts);
    const connectionId = await connect();
    const cli = async () => {
      const { stdout } = await run_(process.execPath, [path.join(import.meta.dirname, '..', '..', '..', 'bin', 'load.ts'),
        '--sftp-connection', String(connectionId), '--accounts', `${folder}/accounts_*.csv`], {
        env: { ...process.env, DATABASE_URL: url, SECRET_KEY: secretKey, LOG_LEVEL: 'silent' },
      });
      return stdout;
    };
    assert.match(await cli(), /^accounts\s+2\s+0\s+0\s+0\s+0$/m);
    assert.match(await cli(), new RegExp(`Left out, loaded before \\(the same name, size and time; --force loads them again\\):\n  ${file}`));
  });

  describe('a connection cut in the middle of a file', () => {
    const rows = 200_000;
    const big = csv([['Id', 'IsDeleted', 'Name', 'Parent.Id'], ...Array.from({ length: rows }, (_, i) => [`001${String(i).padStart(12, '0')}`, 'false', `Account ${i} ${'x'.repeat(60)}`, ''])]);

    async function readAll(connectionId: number, attempts: number, cutAfter: number[]): Promise<SourceItem[]> {
      const credentials = await findSftpCredentials(db, box, connectionId);
      const client = await connectSftp(credentials);
      const file = await resolveFile(client, { path: `${folder}/big.csv` }, sshd.host);
      await client.end();
      const source = await sftpSource(credentials, file, {}, { attempts, firstDelayMs: 50 });
      const items: SourceItem[] = [];
      for await (const item of source.items) {
        items.push(item);
        if (cutAfter.includes(items.length)) sshd.cut();
      }
      return items;
    }

    it('is retried from the start of the file, and each record arrives exactly once', async () => {
      await put('big.csv', big);
      const items = await readAll(await connect(), 4, [1_000, 150_000]);
      assert.equal(items.length, rows);
      assert.ok(items.every((item, i) => item.kind === 'record' && item.origin.line === i + 2), 'every line once, in order');
    });

    it('fails, naming the file and the host, when every attempt breaks off', async () => {
      await put('big.csv', big);
      await assert.rejects(readAll(await connect(), 1, [1_000]), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SOURCE_DISCONNECTED');
        assert.match(error.message, new RegExp(`^${folder}/big\\.csv on 127\\.0\\.0\\.1: the download failed 1 times, last: `));
        return true;
      });
    });
  });
});
