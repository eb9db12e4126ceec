import { backoffDelay } from '../../core/backoff.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../core/db.ts';
import type { Logger } from '../../core/log.ts';
import { MailError, type Mailer } from '../../core/mail.ts';
import {
  beginSending, dueRecipients, findDistributionToSend, finishDistribution, pendingState, type DistributionToSend, type Settlement,
} from './queries.ts';
import { ClaimQueue, type Claimed } from './claim-queue.ts';
import { findSurvey, type Survey } from '../../core/surveys/queries.ts';
import { localTemplate, surveyMessage } from './messages.ts';

export type SendDeps = { db: Db; mailer: Mailer; publicUrl: string; logger: Logger };

/** How temporary SMTP failures are retried: backing off from `firstDelayMs`, up to `attempts` tries per recipient. */
export type RetryPolicy = { firstDelayMs: number; maxDelayMs: number; attempts: number };

export const defaultRetry: RetryPolicy = { firstDelayMs: 5_000, maxDelayMs: 10 * 60_000, attempts: 10 };

export type SendOptions = {
  retry?: RetryPolicy;
  /** Recipients read at a time (each is still claimed alone, just before its send). */
  batchSize?: number;
  /** Aborted when the job lost its claim (pg-boss found no heartbeat) or the worker stops: no new batch is claimed. */
  signal?: AbortSignal;
};

export type SendOutcome = { sent: number; failed: number; retried: number; inDoubt: number; finished: boolean };

/**
 * Sends a distribution's pending recipients, each exactly once. As many lanes as the mailer has
 * connections send one message at a time; recipients are marked 'sending' with their Message-ID
 * shortly before their SMTP transaction, and 'sent' shortly after it, a few per statement (see
 * ClaimQueue). So a crash leaves a few recipients per connection in doubt, and those are
 * reported, never sent again. A permanent rejection (5xx) fails that recipient; a temporary one
 * (4xx, a connection lost or refused) puts it back, due after a backoff, and holds the whole
 * distribution back as long, so an outage is not hammered. A later call resumes where this one stopped.
 */
export async function sendDistribution(deps: SendDeps, distributionId: number, options: SendOptions = {}): Promise<SendOutcome> {
  const { db, logger } = deps;
  const retry = options.retry ?? defaultRetry;
  const batchSize = options.batchSize ?? 2000;
  const distribution = await findDistributionToSend(db, distributionId);
  const outcome: SendOutcome = { sent: 0, failed: 0, retried: 0, inDoubt: 0, finished: false };
  if (!distribution || distribution.state === 'finished') return { ...outcome, finished: true };
  const survey = await findSurvey(db, distribution.surveyId);
  outcome.inDoubt = (await beginSending(db, distributionId)).inDoubt;
  if (outcome.inDoubt > 0) logger.warn({ distributionId, inDoubt: outcome.inDoubt }, 'recipients left in doubt by an interrupted send are not sent again');
  const domain = new URL(deps.publicUrl).hostname || 'localhost';
  const pause = (ms: number) => sleep(ms, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {});
  let failingBatches = 0;

  while (!options.signal?.aborted) {
    const batch = await dueRecipients(db, distribution, batchSize);
    if (batch.length === 0) {
      const { pending, nextRetryAt } = await pendingState(db, distributionId);
      if (pending === 0) {
        await finishDistribution(db, distributionId);
        outcome.finished = true;
        break;
      }
      await pause(Math.min(nextRetryAt ? Math.max(0, nextRetryAt.getTime() - Date.now()) : retry.firstDelayMs, 60_000));
      continue;
    }
    const delay = backoffDelay(failingBatches + 1, retry, 'exact');
    const state = { holding: false };
    // Two lanes per connection, so each connection has its next message waiting when one is done.
    const lanes = deps.mailer.concurrency * 2;
    const claims = new ClaimQueue(db, batch, { size: lanes, messageIdDomain: domain });
    const lane = async () => {
      // A temporary failure (typically the server down) stops every lane from taking more.
      while (!state.holding && !options.signal?.aborted) {
        const recipient = await claims.take();
        if (!recipient) break;
        const settled = await sendOne(deps, distribution, survey, recipient, retry, delay);
        claims.record(settled);
        outcome[settled.state === 'sent' ? 'sent' : settled.state === 'failed' ? 'failed' : 'retried']++;
        if (settled.state === 'pending') state.holding = true;
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    await claims.close();
    if (state.holding) {
      failingBatches++;
      await pause(delay);
    } else {
      failingBatches = 0;
    }
  }
  logger.info({ distributionId, ...outcome }, outcome.finished ? 'distribution sent' : 'distribution paused');
  return outcome;
}

async function sendOne(deps: SendDeps, distribution: DistributionToSend, survey: Survey, recipient: Claimed, retry: RetryPolicy, delayMs: number): Promise<Settlement> {
  try {
    await deps.mailer.send(messageFor(deps.publicUrl, distribution, survey, recipient));
    return { id: recipient.id, state: 'sent', error: null, retryInMs: null };
  } catch (error) {
    const mailError = error instanceof MailError ? error : new MailError(String((error as Error)?.message ?? error), { permanent: false, cause: error });
    if (mailError.permanent || recipient.attempts >= retry.attempts) return { id: recipient.id, state: 'failed', error: mailError.message, retryInMs: null };
    return { id: recipient.id, state: 'pending', error: mailError.message, retryInMs: delayMs };
  }
}

/** The invitation in the recipient's language, unless the distribution set its own texts. */
function messageFor(publicUrl: string, distribution: DistributionToSend, survey: Survey, recipient: Claimed) {
  const surveyToken = distribution.linkType === 'anonymous' ? distribution.anonymousToken! : recipient.token;
  const own = { template: { subject: distribution.subject, html: distribution.html, text: distribution.text }, surveyTitle: distribution.surveyTitle };
  const email = distribution.localized ? localTemplate(survey, recipient, 'invitation') : own;
  return surveyMessage(publicUrl, { from: distribution.from, surveyToken, messageId: recipient.messageId, ...email }, recipient);
}
