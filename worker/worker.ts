import { PgBoss, type Clock } from 'pg-boss';
import type { Db } from '../core/db.ts';
import type { Logger } from '../core/log.ts';
import type { Config } from '../core/config.ts';
import { lazySecretBox } from '../core/secret-box.ts';
import { runSync } from './jobs/run-sync.ts';
import { syncJobSchema, type SyncDeps } from './jobs/sync-job.ts';
import { runWorkflow, type WorkflowRunDeps } from './jobs/run-workflow.ts';
import { previewWorkflow } from './jobs/preview-workflow.ts';
import {
  createQueues, defaultTiming, healthAlertsCron, Queue, webhookDeliveryRetries,
  type AnswerStoredJob, type DistributionSendJob, type SurveyFollowUpJob, type WebhookDeliveryJob, type WorkerTiming, type WorkflowPreviewJob,
} from '../core/queues.ts';
import { createMailer, outboxMailer, type Mailer } from '../core/mail.ts';
import { isDemoDistribution } from '../core/demo.ts';
import { failLostRuns } from '../core/runs/queries.ts';
import { sendDistribution, type RetryPolicy } from './distribute/send-distribution.ts';
import { handleAnswerStored, type AlertDeps } from './alert/answer-alerts.ts';
import { evaluateHealthAlerts } from './alert/health-alerts.ts';
import { deliverWebhook } from './webhooks/deliver-webhook.ts';
import { scheduleReminders, sendReminders, sendThankYou, type FollowUpDeps } from './distribute/reminders.ts';

export type Worker = { boss: PgBoss; stop: () => Promise<void> };

/**
 * How a worker fetches jobs. Each fetch takes one job, so a long load never holds a second job
 * back from an idle worker; fetching again half a second after a short run keeps a cron minute
 * with hundreds of workflows due moving (pg-boss's default waits 2 s, or 30 s with NOTIFY on).
 */
export const workPolling = { batchSize: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 } as const;
const followUpPolling = { batchSize: 1, pollingIntervalSeconds: 2, notifyPollingIntervalSeconds: 2 } as const;

/**
 * Starts pg-boss on the product's database and works its queues. Any number of worker
 * processes may run this against one database: pg-boss hands each job to one of them.
 */
export async function startWorker(options: {
  databaseUrl: string;
  db: Db;
  logger: Logger;
  config: Config;
  clock?: Clock;
  timing?: WorkerTiming;
  /** Where the worker's mail goes; default: the configured SMTP server or the outbox. */
  mailer?: Mailer;
  /** How temporary SMTP failures are retried (tests shorten it). */
  sendRetry?: RetryPolicy;
}): Promise<Worker> {
  const { db, logger, config } = options;
  const timing = options.timing ?? defaultTiming;
  const deps: SyncDeps = { db, secretBox: lazySecretBox(config), maxCsvFieldBytes: config.csvMaxFieldBytes, salesforce: { apiShare: config.salesforceApiShare } };
  const mailer = options.mailer ?? createMailer(config, db);
  // The demo company's contacts are made up: their invitations stay in the outbox whatever SMTP_URL says.
  const demoMailer = outboxMailer(db);
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: 'pgboss',
    application_name: 'bellwether-worker',
    // Expired heartbeats are found by the monitor pass, which runs on both intervals.
    superviseIntervalSeconds: timing.superviseSeconds,
    monitorIntervalSeconds: timing.superviseSeconds,
    // A schedule's job is made by the first cron pass after its time (pg-boss's default: every 30 s).
    cronMonitorIntervalSeconds: 10,
    cronWorkerIntervalSeconds: 1,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  let stopping = false;
  // The embedded database stops on the same signal that stops the worker, so connection errors
  // during shutdown are expected noise.
  boss.on('error', (error: Error) => {
    if (!stopping) logger.error({ err: error }, 'job queue error');
  });
  await boss.start();
  await createQueues(boss, timing);
  await boss.work(Queue.sync, workPolling, async (jobs) => {
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
  const workflowDeps: WorkflowRunDeps = { ...deps, boss, logger, config, mailer };
  await boss.work(Queue.workflowRun, workPolling, async (jobs) => {
    for (const job of jobs) await runWorkflow(workflowDeps, job);
  });
  const previewDeps = { ...deps, importDir: config.importDir, mailFrom: config.mailFrom };
  // Previews are rare and someone waits for each: a second's wait at most, at half the polling of the busy queues.
  await boss.work<WorkflowPreviewJob>(Queue.workflowPreview, { batchSize: 1, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 }, async ([job]) => previewWorkflow(previewDeps, job!.data));
  await boss.work<DistributionSendJob>(Queue.distributionSend, workPolling, async (jobs) => {
    for (const job of jobs) {
      const through = (await isDemoDistribution(db, job.data.distributionId)) ? demoMailer : mailer;
      const outcome = await sendDistribution({ db, mailer: through, publicUrl: config.publicUrl, logger }, job.data.distributionId, {
        signal: job.signal,
        ...(options.sendRetry ? { retry: options.sendRetry } : {}),
      });
      // Stopped before the end (the worker stopping): the job is tried again and resumes.
      if (!outcome.finished) throw new Error(`distribution ${job.data.distributionId} stopped before every recipient was sent`);
      await scheduleReminders({ db, boss }, job.data.distributionId);
    }
  });
  const alertDeps: AlertDeps = { db, boss, mailer, demoMailer, publicUrl: config.publicUrl, mailFrom: config.mailFrom };
  await boss.work<AnswerStoredJob>(Queue.answerStored, workPolling, async (jobs) => {
    for (const job of jobs) await handleAnswerStored(alertDeps, job.data.responseId);
  });
  // The day evaluated is the day the schedule made the job (UTC), so a retry the next morning still evaluates the day it was for.
  await boss.work(Queue.healthAlerts, { ...workPolling, includeMetadata: true }, async (jobs) => {
    for (const job of jobs) {
      const day = job.createdOn.toISOString().slice(0, 10);
      const result = await evaluateHealthAlerts(alertDeps, day);
      logger.info({ day, ...result }, 'health alerts evaluated');
    }
  });
  await boss.schedule(Queue.healthAlerts, healthAlertsCron.cron, null, { tz: healthAlertsCron.tz });
  await boss.work<WebhookDeliveryJob>(Queue.webhookDelivery, workPolling, async (jobs) => {
    for (const job of jobs) {
      await deliverWebhook(db, await deps.secretBox(), job.data.deliveryId, { attempt: job.retryCount + 1, lastAttempt: job.retryCount >= webhookDeliveryRetries });
    }
  });
  const followUps: FollowUpDeps = {
    db, boss, publicUrl: config.publicUrl, logger,
    mailerFor: async (distributionId) => ((await isDemoDistribution(db, distributionId)) ? demoMailer : mailer),
    now: () => new Date(options.clock?.now() ?? Date.now()),
  };
  // Reminders are due days ahead and a thank-you may take a few seconds: this queue is polled less often.
  await boss.work<SurveyFollowUpJob>(Queue.surveyFollowUp, followUpPolling, async (jobs) => {
    for (const { data } of jobs) await (data.kind === 'reminder' ? sendReminders(followUps, data) : sendThankYou(followUps, data.recipientId));
  });
  // Runs whose process died (a killed CLI load, a lost worker) end as failed soon, not at the next load.
  const lostRuns = setInterval(() => {
    failLostRuns(db).then(
      (runIds) => runIds.length > 0 && logger.warn({ runIds }, 'runs of a process that stopped marked failed'),
      (error: unknown) => logger.error({ err: error }, 'runs of stopped processes not checked'),
    );
  }, timing.heartbeatSeconds * 1000);
  return {
    boss,
    stop: async () => {
      stopping = true;
      clearInterval(lostRuns);
      await boss.stop({ graceful: true, timeout: 30_000 });
      await mailer.close();
    },
  };
}
