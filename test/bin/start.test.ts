import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, copyFile, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/database.ts';
import { tempDir } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import type { Queryable } from '../../core/db.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';

const root = path.join(import.meta.dirname, '..', '..');

describe('npm start', () => {
  const children: ChildProcess[] = [];
  // A failed assertion must not leave a server running after the suite.
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** Starts the product on `url` and answers once it printed its banner; `env` adds to (or blanks) the environment. */
  const startOn = async (url: string, port: number, env: NodeJS.ProcessEnv = {}) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'start.ts')], {
      env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_API_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let banner = '';
    for await (const chunk of child.stdout!) {
      banner += String(chunk);
      if (banner.includes('Try:')) return { child, banner };
    }
    throw new Error(`start exited early:\n${banner}`);
  };
  const stop = async (child: ChildProcess) => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    return code;
  };
  const keyIn = (banner: string) => {
    const key = /shown this once[^\n]*\n\s+(bw_\S+)/.exec(banner)?.[1];
    assert.ok(key, `no key in:\n${banner}`);
    return key;
  };
  const reader = (port: number, key: string) => async <T>(route: string, method = 'GET') => {
    const response = await fetch(`http://localhost:${port}${route}`, { method, headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as T };
  };
  type Directories = { items: { id: number; name: string; accounts: number; contacts: number }[] };
  const untilDemoInvited = (db: Queryable) =>
    eventually(async () => assert.notDeepEqual(await db.query(`select 1 from distributions where state = 'finished'`), []), {
      what: 'the demo distribution finishes',
      timeoutMs: 20_000,
      intervalMs: 200,
    });

  it('loads the demo company into its own directory on first start, beside an empty default one; an admin deletes it for good', async function () {
    this.timeout(90_000);
    const { url, db } = await testDatabase(this);
    const port = await freePort();

    const first = await startOn(url, port);
    const key = keyIn(first.banner);
    const get = reader(port, key);
    const { items: directories } = (await get<Directories>('/api/directories')).body;
    assert.deepEqual(directories.map(({ name, accounts }) => [name, accounts]), [['Default', 0], ['Demo (Northwind)', 35]]);
    const demo = directories.find((d) => d.name === 'Demo (Northwind)')!;
    const accounts = await get<{ total: number; items: { displayName: string }[] }>(`/api/accounts?limit=500&directory=${demo.id}`);
    assert.ok(accounts.body.items.some((a) => a.displayName === 'Helvetia Precision AG'));
    assert.equal((await get<{ total: number }>('/api/accounts')).body.total, 0, "the user's own data starts in an empty default directory");
    assert.match(first.banner, new RegExp(`mail is kept in the outbox. Read it, and click its survey links, at\\n  http://localhost:${port}/mail\\n`));
    assert.match(first.banner, new RegExp(`The widget on the demo data: http://localhost:${port}/demo\\n`));
    // The demo sync invites its contacts: the survey emails land in the outbox, and their links open the survey.
    await untilDemoInvited(db);
    const outbox = (await get<{ total: number; items: { text: string }[] }>('/api/outbox?limit=1')).body;
    const [{ invited }] = (await db.query<{ invited: number }>(`select count(*)::int as invited from distribution_recipients where state <> 'skipped'`)) as [{ invited: number }];
    assert.equal(outbox.total, invited);
    // The demo survey speaks English and German: the German-speaking Swiss contacts get it in German.
    const mailTo = async (address: string) => (await db.query<{ subject: string; text: string }>('select subject, text from outbox_messages where mail_to = $1', [address]))[0]!;
    const [english, german] = [await mailTo('sofia.okafor@great-lakes-freight.example'), await mailTo('zoe.muller@helvetia-precision.example')];
    assert.deepEqual([english.subject, german.subject], ['Your feedback: how likely are you to recommend us?', 'Ihre Meinung: Wie wahrscheinlich empfehlen Sie uns weiter?']);
    const page = async (mail: { text: string }) => (await fetch(/http:\/\/\S+\/s\/\S+/.exec(mail.text)![0])).text();
    assert.match(await page(english), /<html lang="en">[^]*How likely are you to recommend us/);
    assert.match(await page(german), /<html lang="de">[^]*Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen\?/);
    assert.equal(await stop(first.child), 0);
    const [responses] = await db.query<{ n: number }>('select count(*)::int as n from nps_responses where directory_id = $1', [demo.id]);
    assert.equal(responses!.n, 1371, 'the demo NPS history is imported into the demo directory');

    const second = await startOn(url, port);
    assert.match(second.banner, /Admin API key: the one printed at first start, or ADMIN_API_KEY\./);
    assert.equal((await get<{ total: number }>(`/api/runs?directory=${demo.id}`)).body.total, 1, 'the demo is loaded once, not at every start');
    assert.equal((await get<unknown>(`/api/directories/${demo.id}`, 'DELETE')).status, 200);
    assert.equal((await fetch(`http://localhost:${port}/demo`)).status, 404);
    assert.equal(await stop(second.child), 0);

    const third = await startOn(url, port);
    assert.deepEqual((await get<Directories>('/api/directories')).body.items.map((d) => d.name), ['Default'], 'a deleted demo stays deleted');
    assert.doesNotMatch(third.banner, /demo/);
    assert.equal(await stop(third.child), 0);
  });

  it('leaves the demo out with BELLWETHER_DEMO=off', async function () {
    this.timeout(60_000);
    const { url, db } = await testDatabase(this);
    const port = await freePort();
    const { child, banner } = await startOn(url, port, { BELLWETHER_DEMO: 'off' });
    const get = reader(port, keyIn(banner));
    assert.deepEqual((await get<Directories>('/api/directories')).body.items.map(({ name, accounts }) => [name, accounts]), [['Default', 0]]);
    assert.equal((await fetch(`http://localhost:${port}/demo`)).status, 404);
    assert.deepEqual(await db.query('select (select count(*)::int from sync_runs) as runs, (select count(*)::int from outbox_messages) as mail'), [{ runs: 0, mail: 0 }]);
    assert.equal(await stop(child), 0);
  });

  it("never sends the demo directory's invitations through SMTP_URL, while other directories' go there", async function () {
    this.timeout(120_000);
    const { url, db } = await testDatabase(this);
    const sink = await startSmtpSink();
    try {
      const port = await freePort();
      const importDir = await tempDir();
      for (const file of ['accounts.csv', 'contacts.csv', 'team_members.csv']) await copyFile(path.join(root, 'examples', 'demo', file), path.join(importDir, file));
      const { child, banner } = await startOn(url, port, { SMTP_URL: sink.url, IMPORT_DIR: importDir });
      assert.match(banner, new RegExp(`Mail goes to the SMTP server in SMTP_URL; the demo's invitations stay in the outbox, at\\n  http://localhost:${port}/mail\\n`));
      const get = reader(port, keyIn(banner));
      await untilDemoInvited(db);
      const demo = (await get<Directories>('/api/directories')).body.items.find((d) => d.name === 'Demo (Northwind)')!;
      // Not only the first start's distribution: a workflow's into the demo directory too. The same files into the default directory go out by SMTP.
      const { default: mapping } = await import(path.join(root, 'examples', 'demo', 'mapping.json'), { with: { type: 'json' } });
      const [survey] = await db.query<{ id: number }>(`select id::int from surveys where name = 'Demo NPS'`);
      // The demo's contacts were invited at the first start: the workflow into the demo invites them
      // all again, to another survey, which a second invitation a month allows.
      await db.query('insert into contact_rules (directory_id, max_invitations, period_days) values ($1, 2, 30)', [demo.id]);
      const { id: again } = await createSurvey(db, { name: 'Demo check-in' });
      const invite = { 'Into the demo': { surveyId: again, audience: 'all' }, 'Into ours': { surveyId: survey!.id } };
      for (const [name, directoryId] of [['Into the demo', demo.id], ['Into ours', 1]] as const) {
        const { id } = await createWorkflow(db, {
          name,
          definition: {
            tasks: [
              { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: 'accounts.csv' },
              { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: 'contacts.csv' },
              { type: 'extract', name: 'team', object: 'teamMembers', source: 'file', path: 'team_members.csv' },
              { type: 'load', name: 'load', directoryId, extracts: { accounts: 'accounts', contacts: 'contacts', teamMembers: 'team' }, mapping, mailingListName: name },
              { type: 'distribute', name: 'invite', load: 'load', ...invite[name], send: 'now' },
            ],
          },
        }, importDir);
        assert.equal((await get<{ runId: number }>(`/api/workflows/${id}/runs`, 'POST')).status, 202);
      }
      await eventually(async () => assert.deepEqual(await db.query(`select count(*)::int as n from distributions where state = 'finished'`), [{ n: 3 }]), {
        what: 'the three distributions finish',
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      const invited = await db.query<{ demo: boolean; n: number }>(
        `select d.directory_id <> 1 as demo, count(*)::int as n from distribution_recipients r join distributions d on d.id = r.distribution_id
         where r.state = 'sent' group by 1 order by 1`,
      );
      const [ours, demoInvited] = [invited.find((row) => !row.demo)!.n, invited.find((row) => row.demo)!.n];
      assert.ok(ours > 0 && demoInvited > ours, JSON.stringify(invited));
      assert.equal(sink.received.length, ours, "only the default directory's invitations reached the SMTP server");
      assert.equal((await get<{ total: number }>('/api/outbox')).body.total, demoInvited, "the demo directory's two distributions are in the outbox");
      assert.equal(await stop(child), 0);
    } finally {
      await sink.close();
    }
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
