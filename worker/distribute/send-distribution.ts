import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../core/db.ts';
import type { Logger } from '../../core/log.ts';
import { MailError, type Mailer } from '../../core/mail.ts';
import {
  beginSending, claimRecipients, findDistributionToSend, finishDistribution, markFailed, markRetry, markSent, pendingState,
  type ClaimedRecipient, type DistributionToSend,
} from './queries.ts';
import { render, renderSubject } from './template.ts';

export type SendDeps = { db: Db; mailer: Mailer; publicUrl: string; logger: Logger };

/** How temporary SMTP failures are retried: backing off from `firstDelayMs`, up to `attempts` tries per recipient. */
export type RetryPolicy = { firstDelayMs: number; maxDelayMs: number; attempts: number };

export const defaultRetry: RetryPolicy = { firstDelayMs: 5_000, maxDelayMs: 10 * 60_000, attempts: 10 };

export type SendOptions = {
  retry?: RetryPolicy;
  /** Recipients claimed at a time. A crash leaves at most this many in doubt. */
  batchSize?: number;
  /** Aborted when the job lost its claim (pg-boss found no heartbeat) or the worker stops: no new batch is claimed. */
  signal?: AbortSignal;
};

export type SendOutcome = { sent: number; failed: number; retried: number; inDoubt: number; finished: boolean };

/**
 * Sends a distribution's pending recipients, each exactly once: a recipient is marked 'sending'
 * with its Message-ID before the SMTP transaction and 'sent' right after the server accepted it.
 * A permanent rejection (5xx) fails that recipient; a temporary one (4xx, a connection lost or
 * refused) puts it back, due again after a backoff, and holds the whole distribution back for as
 * long, so an outage is not hammered. A later call resumes where this one stopped.
 */
export async function sendDistribution(deps: SendDeps, distributionId: number, options: SendOptions = {}): Promise<SendOutcome> {
  const { db, logger } = deps;
  const retry = options.retry ?? defaultRetry;
  const batchSize = options.batchSize ?? 100;
  const distribution = await findDistributionToSend(db, distributionId);
  const outcome: SendOutcome = { sent: 0, failed: 0, retried: 0, inDoubt: 0, finished: false };
  if (!distribution || distribution.state === 'finished') return { ...outcome, finished: true };
  outcome.inDoubt = (await beginSending(db, distributionId)).inDoubt;
  if (outcome.inDoubt > 0) logger.warn({ distributionId, inDoubt: outcome.inDoubt }, 'recipients left in doubt by an interrupted send are not sent again');
  const domain = new URL(deps.publicUrl).hostname || 'localhost';
  let failingBatches = 0;

  while (!options.signal?.aborted) {
    const batch = await claimRecipients(db, distribution, batchSize, domain);
    if (batch.length === 0) {
      const { pending, nextRetryAt } = await pendingState(db, distributionId);
      if (pending === 0) {
        await finishDistribution(db, distributionId);
        outcome.finished = true;
        break;
      }
      const wait = nextRetryAt ? Math.max(0, nextRetryAt.getTime() - Date.now()) : retry.firstDelayMs;
      await sleep(Math.min(wait, 60_000), undefined, options.signal ? { signal: options.signal } : {}).catch(() => {});
      continue;
    }
    const delay = Math.min(retry.maxDelayMs, retry.firstDelayMs * 2 ** failingBatches);
    const results = await Promise.all(batch.map((recipient) => sendOne(deps, distribution, recipient, retry, delay)));
    for (const result of results) outcome[result]++;
    // Any temporary failure in a batch (typically the server down) holds the next batch back too.
    if (results.includes('retried')) {
      failingBatches++;
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {});
    } else {
      failingBatches = 0;
    }
  }
  logger.info({ distributionId, ...outcome }, outcome.finished ? 'distribution sent' : 'distribution paused');
  return outcome;
}

async function sendOne(deps: SendDeps, distribution: DistributionToSend, recipient: ClaimedRecipient, retry: RetryPolicy, delayMs: number): Promise<'sent' | 'failed' | 'retried'> {
  try {
    await deps.mailer.send(messageFor(deps.publicUrl, distribution, recipient));
  } catch (error) {
    const mailError = error instanceof MailError ? error : new MailError(String((error as Error)?.message ?? error), { permanent: false, cause: error });
    if (mailError.permanent || recipient.attempts >= retry.attempts) {
      await markFailed(deps.db, recipient.id, mailError.message);
      return 'failed';
    }
    await markRetry(deps.db, recipient.id, mailError.message, delayMs);
    return 'retried';
  }
  await markSent(deps.db, recipient.id);
  return 'sent';
}

function messageFor(publicUrl: string, distribution: DistributionToSend, recipient: ClaimedRecipient) {
  const surveyToken = distribution.linkType === 'anonymous' ? distribution.anonymousToken! : recipient.token;
  const optOutLink = `${publicUrl}/o/${recipient.token}`;
  const values = {
    firstName: recipient.firstName,
    lastName: recipient.lastName,
    accountName: recipient.accountName,
    surveyTitle: distribution.surveyTitle,
    surveyLink: `${publicUrl}/s/${surveyToken}`,
    optOutLink,
  };
  return {
    from: distribution.from,
    to: recipient.email,
    subject: renderSubject(distribution.subject, values),
    html: render(distribution.html, values, 'html'),
    text: render(distribution.text, values, 'text'),
    messageId: recipient.messageId,
    // One-click unsubscribe (RFC 8058): mail clients show it, and posting to it opts out.
    headers: { 'List-Unsubscribe': `<${optOutLink}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
