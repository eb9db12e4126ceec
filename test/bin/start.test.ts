import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/database.ts';
import { tempDir } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';

const root = path.join(import.meta.dirname, '..', '..');

describe('npm start', () => {
  const children: ChildProcess[] = [];
  // A failed assertion must not leave a server running after the suite.
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('loads the demo company on first start, prints an admin key once, and serves the accounts with it', async function () {
    this.timeout(60_000);
    const { url, db } = await testDatabase(this);
    const port = await freePort();
    const start = () => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'start.ts')], {
        env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_API_KEY: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      return child;
    };
    const untilRunning = async (child: ReturnType<typeof start>) => {
      let output = '';
      for await (const chunk of child.stdout!) {
        output += String(chunk);
        if (output.includes('Try:')) return output;
      }
      throw new Error(`start exited early:\n${output}`);
    };
    const stop = async (child: ReturnType<typeof start>) => {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code;
    };

    const first = start();
    const banner = await untilRunning(first);
    const key = /shown this once[^\n]*\n\s+(bw_\S+)/.exec(banner)?.[1];
    assert.ok(key, `no key in:\n${banner}`);
    const response = await fetch(`http://localhost:${port}/api/accounts?limit=500`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { total: number; items: { displayName: string }[] };
    assert.equal(body.total, 35);
    assert.ok(body.items.some((a) => a.displayName === 'Helvetia Precision AG'));
    assert.match(banner, new RegExp(`mail is kept in the outbox. Read it, and click its survey links, at\\n  http://localhost:${port}/outbox`));
    // The demo sync invites its contacts: the survey emails land in the outbox, and their links open the survey.
    await eventually(async () => assert.notDeepEqual(await db.query(`select 1 from distributions where state = 'finished'`), []), {
      what: 'the demo distribution finishes',
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    const outbox = (await (await fetch(`http://localhost:${port}/api/outbox?limit=1`, { headers: { authorization: `Bearer ${key}` } })).json()) as { total: number; items: { text: string }[] };
    const [{ invited }] = (await db.query<{ invited: number }>(`select count(*)::int as invited from distribution_recipients where state <> 'skipped'`)) as [{ invited: number }];
    assert.equal(outbox.total, invited);
    const link = /http:\/\/\S+\/s\/\S+/.exec(outbox.items[0]!.text)![0];
    assert.match(await (await fetch(link)).text(), /How likely are you to recommend us/);
    assert.equal(await stop(first), 0);
    const [responses] = await db.query<{ n: number }>('select count(*)::int as n from nps_responses');
    assert.equal(responses!.n, 1371, 'the demo NPS history is imported');

    const second = start();
    const again = await untilRunning(second);
    assert.match(again, /Admin API key: the one printed at first start, or ADMIN_API_KEY\./);
    const runs = await fetch(`http://localhost:${port}/api/runs`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(((await runs.json()) as { total: number }).total, 1, 'the demo is loaded once, not at every start');
    assert.equal(await stop(second), 0);
  });
});

/** The pids of PostgreSQL servers running on the cluster in `dataDir` (its postmaster names it in its command line). */
async function serversOf(dataDir: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))) {
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (command.split('\0').includes(dataDir)) found.push(Number(pid));
  }
  return found;
}

describe('npm start on the embedded database', () => {
  const children: ChildProcess[] = [];
  let dataDir: string | undefined;
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of dataDir ? await serversOf(path.join(dataDir, 'pg')) : []) process.kill(pid, 'SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it('stops the database a killed start left running, shares its own with commands, and stops it when stopped', async function () {
    this.timeout(240_000);
    dataDir = await tempDir();
    // As root, the server runs as the `postgres` user, which must be able to enter this folder.
    await chmod(dataDir, 0o755);
    const cluster = path.join(dataDir, 'pg');
    const env: NodeJS.ProcessEnv = { ...process.env, BELLWETHER_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), PORT: String(await freePort()), ADMIN_API_KEY: 'test-admin-key-0123456789', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    const start = async () => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'start.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      let output = '';
      for await (const chunk of child.stdout!) {
        output += String(chunk);
        if (output.includes('Try:')) return { child, messages: output.split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { msg: string }).msg) };
      }
      throw new Error(`start exited early:\n${output}`);
    };

    const first = await start();
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const left = await serversOf(cluster);
    assert.equal(left.length, 1, 'the killed start left its database running');

    const second = await start();
    assert.ok(second.messages.includes('stopped a stale embedded database left running by a process that ended'), second.messages.join('\n'));
    const running = await serversOf(cluster);
    assert.notDeepEqual(running, left);
    // A command of the same install meanwhile shares the running database, and leaves it running.
    await promisify(execFile)(process.execPath, [path.join(root, 'bin', 'migrate.ts')], { env });
    assert.deepEqual(await serversOf(cluster), running);
    second.child.kill('SIGTERM');
    assert.deepEqual(await once(second.child, 'exit'), [0, null]);
    assert.deepEqual(await serversOf(cluster), []);
  });

  it('as root, refuses a data folder the postgres user cannot enter and says what to do', async function () {
    if (process.getuid?.() !== 0) this.skip();
    // mkdtemp makes a folder only its owner can enter (mode 700), as /root is.
    dataDir = await tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, BELLWETHER_DATA_DIR: path.join(dataDir, 'data'), EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    const failed = await promisify(execFile)(process.execPath, [path.join(root, 'bin', 'start.ts')], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    assert.deepEqual(failed, {
      code: 1,
      stderr:
        `error CONFIG_INVALID: running as root, the embedded PostgreSQL runs as the system user "postgres", which cannot enter ${dataDir} (mode 700) ` +
        `to reach its data in ${path.join(dataDir, 'data', 'pg')}. Set BELLWETHER_DATA_DIR to a folder it can reach (e.g. /var/lib/bellwether), ` +
        'run as a normal user, or set DATABASE_URL to a PostgreSQL server.\n',
    });
  });
});
