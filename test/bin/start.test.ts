import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/database.ts';
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
