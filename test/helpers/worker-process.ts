// The product's worker as its own process, for tests that kill one. Only its timing differs from
// worker/index.ts: takeover of a dead worker's run within seconds instead of minutes.
import { boot } from '../../core/boot.ts';
import { startWorker } from '../../worker/worker.ts';

const runtime = await boot('worker');
await startWorker({
  databaseUrl: runtime.database.url,
  db: runtime.db,
  logger: runtime.logger,
  config: runtime.config,
  timing: { heartbeatSeconds: 10, superviseSeconds: 1, retryDelaySeconds: 1 },
});
runtime.logger.info('worker started');
