// The baseline's worker: pg-boss alone, fetching like the product's worker, doing nothing per job.
import { PgBoss } from 'pg-boss';
import { workPolling } from '../../worker/worker.ts';

const [databaseUrl, queue] = process.argv.slice(2) as [string, string];
const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', application_name: 'bellwether-bench-bare' });
boss.on('error', (error: Error) => process.stderr.write(`[bare worker] ${error.message}\n`));
await boss.start();
await boss.createQueue(queue, { notify: true });
await boss.work(queue, workPolling, async () => {});
process.stdout.write('ready\n');
process.once('SIGTERM', () => void boss.stop({ graceful: true, timeout: 5000 }).then(() => process.exit(0)));
