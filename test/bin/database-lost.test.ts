import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';
import { tempDir } from '../helpers/files.ts';

const root = path.join(import.meta.dirname, '..', '..');

/** Asks `/api/health` until it answers `status`; fails, with `log`, when it has not within `ms`. */
async function healthBecomes(base: string, status: number, ms: number, what: () => string): Promise<void> {
  await eventually(async () => assert.equal(await fetch(`${base}/api/health`).then((r) => r.status, () => null), status), { what: what(), timeoutMs: ms, intervalMs: 250 });
}

describe('the web process on the embedded database', () => {
  let web: ChildProcess | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    // Stopped with SIGTERM, so the embedded database it started stops with it.
    if (web?.exitCode === null) {
      web.kill('SIGTERM');
      await once(web, 'exit');
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    web = dataDir = undefined;
  });

  it('answers 503 while its database is killed, restarts the database, and answers 200 again', async function () {
    this.timeout(120_000);
    dataDir = await tempDir();
    // As root, the server runs as the `postgres` user, which must be able to enter this folder.
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, BELLWETHER_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), PORT: String(port), ADMIN_API_KEY: 'test-admin-key-0123456789', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    web = spawn(process.execPath, [path.join(root, 'server', 'index.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let log = '';
    web.stdout!.on('data', (chunk) => (log += String(chunk)));
    const base = `http://localhost:${port}`;
    await healthBecomes(base, 200, 60_000, () => `the web process starts:\n${log}`);

    const postmaster = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
    await healthBecomes(base, 503, 20_000, () => `health answers 503 without its database:\n${log}`);
    assert.equal(web.exitCode, null, 'the web process is still running');

    await healthBecomes(base, 200, 60_000, () => `health answers 200 again:\n${log}`);
    // Log lines are JSON; the first start also prints its setup link for people.
    const messages = log.split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.ok(messages.includes('the embedded database stopped unexpectedly; restarting it'), log);
    assert.ok(messages.includes('embedded database restarted'), log);
    web.kill('SIGTERM');
    assert.deepEqual(await once(web, 'exit'), [0, null]);
  });
});
