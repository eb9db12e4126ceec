// The worker process (Procfile `worker`): works the job queues until stopped.
import { boot, onShutdown } from '../core/boot.ts';
import { startWorker } from './worker.ts';

const runtime = await boot('worker');
const worker = await startWorker({ databaseUrl: runtime.database.url, db: runtime.db, logger: runtime.logger, config: runtime.config });
runtime.logger.info('worker started');
onShutdown(runtime.logger, async () => {
  await worker.stop();
  await runtime.close();
});
