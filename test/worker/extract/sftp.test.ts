import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { constants, existsSync } from 'node:fs';
import { chmod, mkdir, open, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSftpConnection, findSftpCredentials, type SftpConnectionInput } from '../../../core/connections/sftp.ts';
import type { Db } from '../../../core/db.ts';
import { secretBox } from '../../../core/secret-box.ts';
import { connectSftp } from '../../../core/connections/sftp-session.ts';
import { resolveFile } from '../../../core/connections/sftp-files.ts';
import { sftpSource } from '../../../worker/extract/sftp.ts';
import type { SourceItem } from '../../../core/records/source.ts';
import { runSync } from '../../../worker/jobs/run-sync.ts';
import { syncJobsOf } from '../../../worker/jobs/workflow-jobs.ts';
import { workflowDefinitionSchema } from '../../../core/workflows/definition.ts';
import type { SyncJob } from '../../../worker/jobs/sync-job.ts';
import { eventually } from '../../helpers/eventually.ts';
import { accountHeader, contactHeader, directorySnapshot, runErrors, teamHeader } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { startSshd, type Sshd, type SshdConnection } from '../../helpers/sshd.ts';

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
        `the connection was refused. If the server's key changed on purpose, trust the new fingerprint: edit the connection on the console's Connections page ` +
        `(Test, then Trust), or PATCH /api/sftp-connections/${connectionId} with {"hostKeyFingerprint": "${sshd.hostKeyFingerprint}"}.`,
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

  it('loads a file loaded before into another directory into a fresh one', async () => {
    const file = await put('accounts.csv', accounts);
    const connectionId = await connect();
    const job = { mapping, sftp: { connectionId, files: { accounts: { path: file } } } };
    assert.equal((await runSync({ db, secretBox: async () => box }, { directoryId: 1, ...job })).counts.accounts?.inserted, 2);
    const [fresh] = await db.query<{ id: number }>(`insert into directories (name) values ('Fresh') returning id::int`);
    const result = await runSync({ db, secretBox: async () => box }, { directoryId: fresh!.id, ...job });
    assert.deepEqual(result.counts.accounts?.inserted, 2);
  });

  it('lets a workflow force a reload of a file loaded before', async () => {
    const file = await put('accounts.csv', accounts);
    const connectionId = await connect();
    const definition = workflowDefinitionSchema.parse({
      tasks: [
        { type: 'extract', name: 'accounts', object: 'accounts', source: 'sftp', connectionId, path: file, force: true },
        { type: 'load', name: 'load', directoryId: 1, extracts: { accounts: 'accounts' }, mapping },
      ],
    });
    const [job] = syncJobsOf(definition, { id: 1, version: 1 }, folder);
    const { workflow: _, ...sync } = job!;
    await runSync({ db, secretBox: async () => box }, sync);
    const again = await runSync({ db, secretBox: async () => box }, sync);
    assert.deepEqual(again.counts.accounts, { inserted: 0, updated: 0, unchanged: 2, deleted: 0, rejected: 0 });
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
    assert.match(await cli(), new RegExp(`Left out, loaded before into this directory \\(the same name, size and time; --force, or "force": true on a workflow's SFTP extract, loads them again\\):\n  ${file}`));
  });

  /*
   * A load of three big files, paused at a point the test picks by holding a database lock the
   * loader needs next; meanwhile the test cuts or silences connections on the server, then lets
   * the load go on. Every case must end, with the whole directory or with none of it.
   */
  describe('a connection cut or silent during a load', () => {
    const tuning = { attempts: 3, firstDelayMs: 50, idleTimeoutMs: 3_000 };
    const pad = (i: number) => String(i).padStart(12, '0');
    const sizes = { accounts: 60_000, contacts: 50_000, teamMembers: 50_000 };

    async function putBigFiles(counts: typeof sizes): Promise<SyncJob['sftp'] & object> {
      await put('accounts.csv', csv([accountHeader, ...Array.from({ length: counts.accounts }, (_, i) => [`001${pad(i)}`, 'false', `Account ${i} ${'x'.repeat(40)}`, ''])]));
      await put('contacts.csv', csv([contactHeader, ...Array.from({ length: counts.contacts }, (_, i) => [`003${pad(i)}`, 'false', '', `001${pad(i % counts.accounts)}`, `c${i}@example.com`, 'First', `Last ${'y'.repeat(20)}`])]));
      await put('team.csv', csv([teamHeader, ...Array.from({ length: counts.teamMembers }, (_, i) => [`001${pad(i % counts.accounts)}`, `u${i}@seller.example`, 'Customer Success Manager', 'false'])]));
      return {
        connectionId: await connect(),
        files: { accounts: { path: `${folder}/accounts.csv` }, contacts: { path: `${folder}/contacts.csv` }, teamMembers: { path: `${folder}/team.csv` } },
      };
    }

    /** Holds a lock in a transaction of its own until released. */
    async function hold(sql: string, params: unknown[] = []): Promise<() => Promise<void>> {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const taken = new Promise<void>((resolve) => (locked = resolve));
      const done = db.tx(async (tx) => {
        await tx.query(sql, params);
        locked();
        await released;
      });
      await Promise.race([taken, done]);
      return async () => {
        release();
        await done;
      };
    }

    /** Waits until a statement starting with `prefix` waits on a lock. */
    async function blockedAt(prefix: string): Promise<void> {
      await eventually(async () => {
        const rows = await db.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and starts_with(query, $1)`, [prefix]);
        assert.notDeepEqual(rows, []);
      }, { what: `a statement starting with "${prefix}" waits on a lock`, timeoutMs: 45_000, intervalMs: 20 });
    }

    /**
     * Starts the load and pauses it: before it reads a row (progress update 0), or at its n-th
     * progress update after that (1: row 50,000 in accounts; 2: contacts start; 3: row 100,000, in
     * contacts; 4: team members start; 5: row 150,000, in team members). `act` runs during the pause.
     */
    async function loadPausedAt(sftp: SyncJob['sftp'] & object, update: number, act: () => Promise<void> | void): Promise<Awaited<ReturnType<typeof runSync>>> {
      const releaseTable = await hold('lock table accounts in access exclusive mode');
      const result = runSync({ db, secretBox: async () => box, sftp: tuning }, { directoryId: 1, mapping, sftp });
      await blockedAt('select count(*)::int as n from accounts');
      const [run] = await db.query<{ id: number }>(`select id::int from sync_runs where state = 'running'`);
      const lockRun = () => hold('select 1 from sync_runs where id = $1 for update', [run!.id]);
      let releaseRun = update > 0 ? await lockRun() : undefined;
      await releaseTable();
      for (let seen = 1; seen <= update; seen++) {
        await blockedAt('update sync_runs set progress');
        if (seen === update) break;
        const release = releaseRun!;
        releaseRun = await Promise.all([lockRun(), release()]).then(([next]) => next);
      }
      await act();
      await releaseRun?.();
      return result;
    }

    /** Cuts connections and waits until the client had the time to see them closed. */
    async function cut(connections: SshdConnection[]): Promise<void> {
      for (const connection of connections) connection.cut();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    async function assertComplete(result: Awaited<ReturnType<typeof runSync>>, counts: typeof sizes): Promise<void> {
      assert.equal(result.state, 'succeeded', result.error?.message);
      assert.deepEqual(
        [result.counts.accounts?.inserted, result.counts.contacts?.inserted, result.counts.managementRoles?.inserted],
        [counts.accounts, counts.contacts, counts.teamMembers],
      );
      assert.deepEqual(await runErrors(db, result.runId), []);
    }

    it('loads everything when the connections are cut after the files were opened, before a row was read', async () => {
      const small = { ...sizes, contacts: 20_000, teamMembers: 20_000 };
      const sftp = await putBigFiles(small);
      const result = await loadPausedAt(sftp, 0, () => cut(sshd.connections()));
      await assertComplete(result, small);
    });

    for (const [file, update] of [['accounts', 1], ['contacts', 3], ['team members', 5]] as const) {
      it(`loads everything when the connection of the ${file} file is cut while it is read`, async () => {
        const sftp = await putBigFiles(sizes);
        const result = await loadPausedAt(sftp, update, () => cut(sshd.connections().slice(0, 1)));
        await assertComplete(result, sizes);
      });
    }

    it('loads everything when the connections of files not yet read are cut while another is read', async () => {
      const small = { ...sizes, contacts: 20_000, teamMembers: 20_000 };
      const sftp = await putBigFiles(small);
      const result = await loadPausedAt(sftp, 1, () => cut(sshd.connections().slice(1)));
      await assertComplete(result, small);
    });

    it('loads everything when the connection of the file being read goes silent', async () => {
      const small = { ...sizes, contacts: 20_000, teamMembers: 20_000 };
      const sftp = await putBigFiles(small);
      const result = await loadPausedAt(sftp, 1, () => {
        sshd.connections()[0]!.stall();
      });
      await assertComplete(result, small);
    });

    it('fails, changing nothing, with SOURCE_DISCONNECTED when the server does not answer the open of a file', async () => {
      // Opening a named pipe blocks the server's SFTP process until someone writes to it: silence mid-open.
      const fifo = `${folder}/accounts.csv`;
      await run_('mkfifo', ['--mode=666', fifo]);
      try {
        const connectionId = await connect();
        const result = await runSync({ db, secretBox: async () => box, sftp: tuning }, { directoryId: 1, mapping, sftp: { connectionId, files: { accounts: { path: fifo } } } });
        assert.deepEqual([result.state, result.error?.code], ['failed', 'SOURCE_DISCONNECTED']);
        assert.equal(result.error?.message, `accounts.csv: ${fifo} on 127.0.0.1 (SFTP connection "exports"): reading from byte 0: the server did not answer within 3 s`);
        assert.deepEqual((await directorySnapshot(db)).accounts, []);
      } finally {
        // Lets the server's SFTP process, still waiting in the open, go on.
        await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then((handle) => handle.close(), () => {});
      }
    });

    it('fails with SOURCE_DISCONNECTED and changes nothing when the server goes silent for good', async () => {
      const small = { ...sizes, contacts: 20_000, teamMembers: 20_000 };
      const sftp = await putBigFiles(small);
      let resume = () => {};
      try {
        const result = await loadPausedAt(sftp, 2, () => {
          resume = sshd.stall();
        });
        assert.equal(result.state, 'failed');
        assert.equal(result.error?.code, 'SOURCE_DISCONNECTED');
        // The server falls silent at the run's second progress report, the 50,000th account: named is
        // contacts.csv when accounts.csv was downloaded whole by then, and accounts.csv on a machine
        // too busy for that.
        assert.match(result.error!.message, new RegExp(`^(accounts|contacts)\\.csv: ${folder}/\\1\\.csv on 127\\.0\\.0\\.1 \\(SFTP connection "exports"\\): the download failed 3 times, last: `));
        assert.deepEqual((await directorySnapshot(db)).accounts, []);
      } finally {
        resume();
      }
    });
  });

  describe('a connection cut in the middle of a file', () => {
    const rows = 200_000;
    const big = csv([['Id', 'IsDeleted', 'Name', 'Parent.Id'], ...Array.from({ length: rows }, (_, i) => [`001${String(i).padStart(12, '0')}`, 'false', `Account ${i} ${'x'.repeat(60)}`, ''])]);

    async function readAll(connectionId: number, attempts: number, cutAfter: number[]): Promise<SourceItem[]> {
      const credentials = await findSftpCredentials(db, box, connectionId);
      const client = await connectSftp(credentials);
      const file = await resolveFile(client, { path: `${folder}/big.csv` }, sshd.host);
      const source = await sftpSource(client, credentials, file, {}, { attempts, firstDelayMs: 50, idleTimeoutMs: 5_000 });
      await client.end();
      const items: SourceItem[] = [];
      for await (const item of source.items) {
        items.push(item);
        if (cutAfter.includes(items.length)) sshd.cut();
      }
      return items;
    }

    it('is resumed where it stopped on a new connection, and each record arrives exactly once', async () => {
      await put('big.csv', big);
      const items = await readAll(await connect(), 4, [1_000, 150_000]);
      assert.equal(items.length, rows);
      assert.ok(items.every((item, i) => item.kind === 'record' && item.origin.line === i + 2), 'every line once, in order');
    });

    it('fails, naming the file, the host and the connection, when every attempt breaks off', async () => {
      await put('big.csv', big);
      await assert.rejects(readAll(await connect(), 1, [1_000]), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SOURCE_DISCONNECTED');
        assert.match(error.message, new RegExp(`^${folder}/big\\.csv on 127\\.0\\.0\\.1 \\(SFTP connection "exports"\\): the download failed 1 times, last: `));
        return true;
      });
    });
  });
});
