// The web process (Procfile `web`): serves the HTTP API on PORT.
import { resolveAdminKey } from '../core/admin-key.ts';
import { boot, onShutdown } from '../core/boot.ts';
import { lazySecretBox } from '../core/secret-box.ts';
import { Notifications } from '../core/notifications.ts';
import { PgBoss } from 'pg-boss';
import { createQueues } from '../core/queues.ts';
import { workflowJobs } from '../core/workflows/schedule.ts';
import { sendQueue } from '../core/surveys/create-distribution.ts';
import { answerJobs } from '../core/alerts/answer-jobs.ts';
import { lazyEmbedTokens } from './widgets/embed-tokens.ts';
import { createApp } from './app.ts';
import { prepareFirstAdmin } from './people/first-admin.ts';
import { listen } from './listen.ts';
import { surveyJobs } from '../core/surveys/follow-ups.ts';

const runtime = await boot('web');
const adminKey = await resolveAdminKey(runtime.db, runtime.config.adminApiKey);
if (adminKey.generated) console.log(`Admin API key, shown this once (set ADMIN_API_KEY to choose your own):\n  ${adminKey.generated}`);
const setupLink = await prepareFirstAdmin(runtime.db, runtime.config, runtime.logger);
if (setupLink) console.log(`No one can sign in yet. Create the first admin within 24 hours at this one-time link (or set ADMIN_EMAIL and ADMIN_PASSWORD):\n  ${setupLink}`);
// The web process only sends jobs: the worker processes work them.
const boss = new PgBoss({ connectionString: runtime.database.url, schema: 'pgboss', supervise: false, schedule: false, application_name: 'bellwether-web' });
boss.on('error', (error: Error) => runtime.logger.error({ err: error }, 'job queue error'));
await boss.start();
await createQueues(boss);
const notifications = new Notifications(runtime.database.url);
const app = createApp({ db: runtime.db, notifications, adminKey, logger: runtime.logger, secretBox: lazySecretBox(runtime.config), workflowJobs: workflowJobs(boss), answerJobs: answerJobs(boss), surveyJobs: surveyJobs(boss), sendQueue: sendQueue(boss), importDir: runtime.config.importDir,
  widgets: { embedTokens: lazyEmbedTokens(runtime.config), corsOrigins: runtime.config.corsOrigins },
  people: { publicUrl: runtime.config.publicUrl, mail: runtime.config, now: () => new Date() },
  ...(runtime.config.salesforceApp ? { salesforceApp: runtime.config.salesforceApp } : {}),
  trustProxy: runtime.config.trustProxy, uploadMaxBytes: runtime.config.uploadMaxBytes,
});
const server = await listen(app, runtime.config.port);
runtime.logger.info({ port: runtime.config.port }, 'web server listening');
onShutdown(runtime.logger, async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await notifications.close();
  await boss.stop({ graceful: true });
  await runtime.close();
});
