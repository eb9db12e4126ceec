import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { loadConfig } from '../../core/config.ts';
import type { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { startWorker, type Worker } from '../../worker/worker.ts';
import { eventually } from '../helpers/eventually.ts';
import { accountsExport, fifoFile, openFifoWriter } from '../helpers/fifo.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { adminKey, serve } from '../server/serve.ts';

const root = path.join(import.meta.dirname, '..', '..');

/**
 * Runs `npm run load` on an accounts file that is a FIFO, kept open so the load waits for more
 * while it stages; kills it there, and answers its run once the database has dropped the killed
 * process's connections.
 */
async function killedLoad(url: string, db: Db): Promise<number> {
  const fifo = await fifoFile('accounts.csv');
  const child = spawn(process.execPath, [path.join(root, 'bin', 'load.ts'), '--accounts', fifo], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const exited = once(child, 'exit');
  const writer = await openFifoWriter(fifo);
  try {
    await writer.write(accountsExport);
    const runId = await eventually(async () => {
      const [run] = await db.query<{ id: number }>(`select id::int from sync_runs where state = 'running' and progress->>'phase' = 'staging'`);
      assert.ok(run, 'no run is staging yet');
      return run.id;
    }, { what: 'the load stages', timeoutMs: 30_000 });
    child.kill('SIGKILL');
    await exited;
    await eventually(async () => {
      const [left] = await db.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'bellwether-load'`);
      assert.equal(left!.n, 0);
    }, { what: 'the database drops the killed connections', timeoutMs: 30_000 });
    return runId;
  } finally {
    await writer.close();
  }
}

async function runOutcome(db: Db, runId: number) {
  const [run] = await db.query<{ state: string; error_code: string | null }>('select state, error_code from sync_runs where id = $1', [runId]);
  return run;
}

describe('npm run load killed mid-load', function () {
  this.timeout(60_000);
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('ends at once when cancelled: 200, the run failed with WORKER_LOST', async function () {
    const { url, db } = await testDatabase(this);
    const runId = await killedLoad(url, db);
    const api = await serve(db);
    try {
      const reply = await api.request(`/api/runs/${runId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
      assert.deepEqual([reply.status, reply.body], [200, { id: runId, cancelRequested: true, state: 'failed', errorCode: 'WORKER_LOST' }]);
      assert.deepEqual(await runOutcome(db, runId), { state: 'failed', error_code: 'WORKER_LOST' });
    } finally {
      await api.close();
    }
  });

  it('is marked failed with WORKER_LOST by a running worker', async function () {
    const { url, db } = await testDatabase(this);
    const runId = await killedLoad(url, db);
    worker = await startWorker({
      databaseUrl: url,
      db,
      logger: createLogger('silent', 'test'),
      config: loadConfig({ DATABASE_URL: url }),
      timing: { heartbeatSeconds: 10, superviseSeconds: 1, retryDelaySeconds: 1 },
    });
    const outcome = await eventually(async () => {
      const run = await runOutcome(db, runId);
      assert.notEqual(run?.state, 'running');
      return run;
    }, { what: 'the run ends', timeoutMs: 30_000 });
    assert.deepEqual(outcome, { state: 'failed', error_code: 'WORKER_LOST' });
  });
});
