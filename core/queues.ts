import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { WorkflowDefinition } from './workflows/definition.ts';

/** pg-boss queue names: the worker works them, the API and CLI send to them. */
export const Queue = {
  /** Load a set of export files into a directory as one run. */
  sync: 'sync',
  /** Run one version of a workflow: its load tasks in order. At most one waits per workflow. */
  workflowRun: 'workflow-run',
  /** Send one survey distribution's pending emails; starts at its send time. */
  distributionSend: 'distribution-send',
  /** Alerts and webhooks for one stored answer (new or changed): queued by the web process as it stores it. */
  answerStored: 'answer-stored',
  /** The daily evaluation of every directory's health rules, one digest per recipient. */
  healthAlerts: 'health-alerts',
  /** One webhook delivery: a signed POST, retried with backoff until its receiver takes it. */
  webhookDelivery: 'webhook-delivery',
  /** Run a workflow definition's extracts, maps and loads in a transaction that is rolled back, and answer what it would do. */
  workflowPreview: 'workflow-preview',
  /** A distribution's reminders to those who have not answered (starting when due), or the thank-you for an answer. */
  surveyFollowUp: 'survey-follow-up',
} as const;

/** At most one job sends a distribution at a time. */
export function distributionSendKey(distributionId: number): string {
  return `distribution-${distributionId}`;
}

/** A second trigger while a run of the same workflow waits is dropped; one that comes while it runs waits. */
export function workflowRunKey(workflowId: number): string {
  return `workflow-${workflowId}`;
}
export type Queue = (typeof Queue)[keyof typeof Queue];

/**
 * A workflow-run job: which version of which workflow to run; `runId`, when it was asked for through
 * the API, is the id its first load's run takes (the API answered it).
 */
export const workflowRunSchema = z.strictObject({
  workflowId: z.number().int().positive(),
  version: z.number().int().positive(),
  runId: z.number().int().positive().optional(),
  /** Set on the cron's runs: pg-boss may enqueue one just before the workflow is disabled or deleted. */
  scheduled: z.literal(true).optional(),
});
export type WorkflowRun = z.infer<typeof workflowRunSchema>;

/** An answer-stored job: the answer, as nps_responses numbers it. */
export type AnswerStoredJob = { responseId: number };

/** A webhook-delivery job: the row of webhook_deliveries it sends. */
export type WebhookDeliveryJob = { deliveryId: number };

/** When the health rules are evaluated: every day at 07:00 UTC, before a European working day starts. */
export const healthAlertsCron = { cron: '0 7 * * *', tz: 'UTC' } as const;

/** Attempts after the first that a webhook delivery gets: with backoff from retryDelaySeconds, about a day at the default. */
export const webhookDeliveryRetries = 12;
/** A workflow-preview job: a checked definition (saved or a draft) and, when saved, its workflow. */
export type WorkflowPreviewJob = { workflowId: number | null; definition: WorkflowDefinition };

/** A distribution-send job: the distribution whose pending recipients it sends. */
export type DistributionSendJob = { distributionId: number };

/** A survey-follow-up job: which of a distribution's reminders (1 or 2) to send to those due, or whose answer to thank for. */
export type SurveyReminderJob = { kind: 'reminder'; distributionId: number; round: 1 | 2 };
export type SurveyThankYouJob = { kind: 'thankYou'; recipientId: number };
export type SurveyFollowUpJob = SurveyReminderJob | SurveyThankYouJob;

/** Attempts after the first that a workflow run gets when it fails for a passing reason (the queue's retryLimit). */
export const workflowRunRetries = 3;

/**
 * How soon work stops waiting on a worker that died. A sync's or workflow run's worker beats every
 * heartbeatSeconds / 2; one silent for heartbeatSeconds has its job failed by the next supervision
 * pass, and the retry starts retryDelaySeconds later (doubling, with jitter) on any live worker.
 * With these defaults a run taken by a killed worker resumes within about four minutes. Workers
 * also look for runs whose process died (a killed CLI load too) every heartbeatSeconds.
 */
export type WorkerTiming = { heartbeatSeconds: number; superviseSeconds: number; retryDelaySeconds: number };
export const defaultTiming: WorkerTiming = { heartbeatSeconds: 30, superviseSeconds: 60, retryDelaySeconds: 60 };

/**
 * Creates the product's queues (idempotent: the first process to create a queue sets its policy):
 * any process that sends or works jobs calls it after start.
 */
export async function createQueues(boss: PgBoss, timing: WorkerTiming = defaultTiming): Promise<void> {
  // A sync whose worker died is retried (twice, pg-boss's default) on a live worker.
  await boss.createQueue(Queue.sync, { notify: true, heartbeatSeconds: timing.heartbeatSeconds });
  // A sync queue created before it had a heartbeat gets one.
  if (!(await boss.getQueue(Queue.sync))?.heartbeatSeconds) await boss.updateQueue(Queue.sync, { heartbeatSeconds: timing.heartbeatSeconds });
  // A run that failed for a passing reason, or whose worker died, is tried three more times.
  await boss.createQueue(Queue.workflowRun, {
    notify: true,
    policy: 'stately',
    retryLimit: workflowRunRetries,
    retryDelay: timing.retryDelaySeconds,
    retryBackoff: true,
    heartbeatSeconds: timing.heartbeatSeconds,
  });
  // A sending worker that dies stops its heartbeat; its distribution is then retried by another
  // worker, which resumes it (temporary SMTP failures are retried inside the job). It may run for
  // hours under a send rate, so it does not expire.
  await boss.createQueue(Queue.distributionSend, {
    notify: true,
    heartbeatSeconds: timing.heartbeatSeconds,
    expireInSeconds: 24 * 3600,
    retryLimit: 20,
    retryDelay: timing.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 600,
  });
  // Alert mail that the SMTP server refused for a while is sent by a later attempt; what was sent is not sent again.
  const alertRetries = { notify: true, retryLimit: 10, retryDelay: timing.retryDelaySeconds, retryBackoff: true, retryDelayMax: 3600 };
  await boss.createQueue(Queue.answerStored, alertRetries);
  await boss.createQueue(Queue.healthAlerts, alertRetries);
  // A receiver that is down is tried again, backing off, up to 12 more times; each attempt is logged on its delivery.
  await boss.createQueue(Queue.webhookDelivery, {
    notify: true,
    retryLimit: webhookDeliveryRetries,
    retryDelay: timing.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 6 * 3600,
    expireInSeconds: 120,
  });
  // Someone waits for a preview's answer: it is never retried, and gives up before that someone would.
  await boss.createQueue(Queue.workflowPreview, { notify: true, retryLimit: 0, expireInSeconds: previewWaitSeconds, deleteAfterSeconds: 3600 });
  // Follow-ups claim each message before sending it, so a retried job never sends one twice; a
  // temporary SMTP failure fails the job, and the retry sends what is still due.
  await boss.createQueue(Queue.surveyFollowUp, { notify: true, heartbeatSeconds: timing.heartbeatSeconds, retryLimit: 10, retryDelay: timing.retryDelaySeconds, retryBackoff: true, retryDelayMax: 3600 });
}

/** How long the API waits for a preview before it answers that none was made. */
export const previewWaitSeconds = 600;

