// `npm start`: the whole product in one process on a fresh machine: embedded database (unless
// DATABASE_URL is set), migrations, the worker, the bundled demo company in a directory of its own on
// first start (unless BELLWETHER_DEMO=off), the API, and a page that shows the widget on the demo data.
import { Notifications } from '../core/notifications.ts';
import path from 'node:path';
import { resolveAdminKey } from '../core/admin-key.ts';
import { boot, onShutdown } from '../core/boot.ts';
import { lazySecretBox } from '../core/secret-box.ts';
import { lazyEmbedTokens } from '../server/widgets/embed-tokens.ts';
import { demoRoutes, findDemo, markDemoDirectory, withDemoPage } from '../server/widgets/demo.ts';
import { createApp } from '../server/app.ts';
import { listen } from '../server/listen.ts';
import { prepareFirstAdmin } from '../server/people/first-admin.ts';
import { workflowJobs } from '../core/workflows/schedule.ts';
import { answerJobs } from '../core/alerts/answer-jobs.ts';
import { openCsvFile } from '../worker/extract/local-files.ts';
import type { SyncJob } from '../worker/jobs/sync-job.ts';
import { importResponses } from '../core/surveys/import-responses.ts';
import { Queue } from '../core/queues.ts';
import { startWorker, type Worker } from '../worker/worker.ts';
import { createSurvey } from '../core/surveys/queries.ts';
import { surveyJobs } from '../core/surveys/follow-ups.ts';
import { scheduleDistribution } from '../worker/distribute/schedule-distribution.ts';
import { sendQueue } from '../core/surveys/create-distribution.ts';
import { createDemoDirectory, demoDirectoryName, demoFollowUps, demoSurvey } from '../core/demo.ts';

const demoDir = path.join(import.meta.dirname, '..', 'examples', 'demo');

const runtime = await boot('bellwether');
const { db, logger, config } = runtime;
const adminKey = await resolveAdminKey(db, config.adminApiKey);
const setupLink = await prepareFirstAdmin(db, config, logger);
const worker = await startWorker({ databaseUrl: runtime.database.url, db, logger, config });

// Only on a fresh instance: nothing loaded yet, and the demo never installed (an admin may have deleted it).
const [{ loaded }] = (await db.query<{ loaded: boolean }>('select exists (select 1 from sync_runs) as loaded')) as [{ loaded: boolean }];
const demoDirectoryId = config.demo && !loaded ? await createDemoDirectory(db) : null;
if (demoDirectoryId !== null) await loadDemo(worker, demoDirectoryId);

const embedTokens = lazyEmbedTokens(config);
const notifications = new Notifications(runtime.database.url);
const api = createApp({ db, notifications, adminKey, logger, secretBox: lazySecretBox(config), workflowJobs: workflowJobs(worker.boss), answerJobs: answerJobs(worker.boss), surveyJobs: surveyJobs(worker.boss), sendQueue: sendQueue(worker.boss), importDir: config.importDir,
  widgets: { embedTokens, corsOrigins: config.corsOrigins }, trustProxy: config.trustProxy, uploadMaxBytes: config.uploadMaxBytes,
  people: { publicUrl: config.publicUrl, mail: config, now: () => new Date() },
});
const app = config.demo ? withDemoPage(api, demoRoutes(db, embedTokens), logger) : api;
const demo = config.demo && (await findDemo(db));
const server = await listen(app, config.port);
const base = `http://localhost:${config.port}`;
const key = adminKey.generated ?? '<your admin API key>';
console.log(`
Bellwether is running at ${base}  (database: ${runtime.database.embedded ? `embedded, in ${config.dataDir}` : 'DATABASE_URL'})
${adminKey.generated ? `Admin API key, shown this once (only its hash is stored; set ADMIN_API_KEY to choose your own):\n  ${adminKey.generated}` : 'Admin API key: the one printed at first start, or ADMIN_API_KEY.'}
${setupLink ? `No one can sign in yet. Create the first admin within 24 hours at this one-time link (or set ADMIN_EMAIL and ADMIN_PASSWORD):\n  ${setupLink}\n` : ''}${config.smtpUrl ? `Mail goes to the SMTP server in SMTP_URL${demo ? `; the demo's invitations stay in the outbox, at\n  ${base}/mail` : '.'}` : `No SMTP_URL: mail is kept in the outbox. Read it, and click its survey links, at\n  ${base}/mail`}
${demo ? `The widget on the demo data: ${base}/demo
` : ''}Try:
  curl -H "Authorization: Bearer ${key}" ${base}/api/accounts
`);

onShutdown(logger, async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await notifications.close();
  await worker.stop();
  await runtime.close();
});

/**
 * The first start loads the bundled demo company into its own directory (the user's data starts in
 * the empty default one) through the same queue a scheduled sync uses, then its NPS history.
 */
async function loadDemo(worker: Worker, directoryId: number): Promise<void> {
  const job: SyncJob = {
    directoryId,
    files: {
      accounts: path.join(demoDir, 'accounts.csv'),
      contacts: path.join(demoDir, 'contacts.csv'),
      teamMembers: path.join(demoDir, 'team_members.csv'),
    },
    mapping: path.join(demoDir, 'mapping.json'),
    mailingListName: 'Demo import',
  };
  const id = await worker.boss.send(Queue.sync, job);
  if (!id) throw new Error('the demo sync job was not queued');
  logger.info({ jobId: id, directoryId }, `loading the demo data into "${demoDirectoryName}"`);
  for (;;) {
    const found = await worker.boss.getJobById(Queue.sync, id);
    if (found && ['completed', 'failed', 'cancelled'].includes(found.state)) {
      if (found.state !== 'completed') return logger.error({ job: found.output }, 'the demo data did not load');
      // 18 months of NPS answers, so the account health widget has history to show.
      const responses = await importResponses(db, directoryId, await openCsvFile(path.join(demoDir, 'nps_responses.csv'), 'the demo NPS responses'));
      logger.info({ inserted: responses.inserted, rejected: responses.rejected }, 'demo NPS responses imported');
      await markDemoDirectory(db, directoryId);
      return distributeDemoSurvey(worker, directoryId);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The demo's first sync invites its contacts to an NPS survey, as a workflow's distribute task would.
 * The mail lands in the outbox even when SMTP_URL is set: the worker keeps every distribution of the
 * demo directory there (core/demo.ts).
 */
async function distributeDemoSurvey(worker: Worker, directoryId: number): Promise<void> {
  const [list] = await db.query<{ id: number }>(`select id::int from mailing_lists where directory_id = $1 and name like 'Demo import %' order by id desc limit 1`, [directoryId]);
  if (!list) return;
  const survey = await createSurvey(db, demoSurvey);
  const task = { type: 'distribute', name: 'Demo survey', load: 'Demo import', surveyId: survey.id, audience: 'new', linkType: 'individual', send: 'now', ...demoFollowUps } as const;
  const scheduled = await scheduleDistribution(db, worker.boss, { task, directoryId, mailingListId: list.id, workflowId: null, mailFrom: config.mailFrom, sourceKey: 'demo' });
  if (scheduled) logger.info({ distributionId: scheduled.id, recipients: scheduled.recipients }, 'demo survey distributed');
}
