import { PgBoss } from 'pg-boss';
import type { Db } from '../core/db.ts';
import type { Logger } from '../core/log.ts';
import type { Config } from '../core/config.ts';
import { lazySecretBox } from '../core/secret-box.ts';
import { runSync, syncJobSchema, type SyncDeps } from './jobs/run-sync.ts';
import { Queue } from './queues.ts';

export type Worker = { boss: PgBoss; stop: () => Promise<void> };

/**
 * Starts pg-boss on the product's database and works its queues. Any number of worker
 * processes may run this against one database: pg-boss hands each job to one of them.
 */
export async function startWorker(options: { databaseUrl: string; db: Db; logger: Logger; config: Config }): Promise<Worker> {
  const { db, logger, config } = options;
  const deps: SyncDeps = { db, secretBox: lazySecretBox(config) };
  const boss = new PgBoss({ connectionString: options.databaseUrl, schema: 'pgboss', application_name: 'bellwether-worker' });
  let stopping = false;
  // The embedded database stops on the same signal that stops the worker, so connection errors
  // during shutdown are expected noise.
  boss.on('error', (error: Error) => {
    if (!stopping) logger.error({ err: error }, 'job queue error');
  });
  await boss.start();
  await boss.createQueue(Queue.sync, { notify: true });
  await boss.work(Queue.sync, { pollingIntervalSeconds: 2 }, async (jobs) => {
    const results = [];
    for (const job of jobs) {
      const request = syncJobSchema.parse(job.data);
      const result = await runSync(deps, request);
      const log = result.state === 'succeeded' ? logger.info.bind(logger) : logger.warn.bind(logger);
      log({ jobId: job.id, runId: result.runId, state: result.state, error: result.error, counts: result.counts }, 'sync run finished');
      results.push({ runId: result.runId, state: result.state });
    }
    return results;
  });
  return {
    boss,
    stop: async () => {
      stopping = true;
      await boss.stop({ graceful: true, timeout: 30_000 });
    },
  };
}
