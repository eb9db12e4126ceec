import type { PgBoss } from 'pg-boss';
import type { Db } from '../../core/db.ts';
import type { Logger } from '../../core/log.ts';
import { MailError, type Mailer } from '../../core/mail.ts';
import { Queue, type SurveyReminderJob } from '../../core/queues.ts';
import { findSurvey } from '../../core/surveys/queries.ts';
import {
  claimReminders, claimThankYou, findFollowUpPlan, markStaleFollowUps, nextReminderDue, settleFollowUps, type ClaimedFollowUp, type FollowUpKind,
  type FollowUpOutcome,
} from './follow-up-queries.ts';
import { localTemplate, surveyMessage } from './messages.ts';

/*
 * Reminders and thank-you emails: what a distribution sends after its invitation. Deciding who is
 * due happens in the statement that claims them, so a contact who answered or opted out a second
 * before is not reminded, and a claim is never made twice (see follow-up-queries.ts).
 */

export type FollowUpDeps = {
  db: Db;
  boss: PgBoss;
  /** The mailer of a distribution (the demo's stays in the outbox). */
  mailerFor: (distributionId: number) => Promise<Mailer>;
  publicUrl: string;
  logger: Logger;
  /** The job queue's clock: reminders are due by it, so a test that moves it moves them. */
  now: () => Date;
};

const reminderKind = (round: 1 | 2): FollowUpKind => (round === 1 ? 'reminder_1' : 'reminder_2');
const domainOf = (publicUrl: string) => new URL(publicUrl).hostname || 'localhost';

/**
 * Enqueues a sent distribution's reminders, each due `afterDays` after its first invitation went
 * out. Called again after a crash, it enqueues them again: the claims keep each reminder single.
 */
export async function scheduleReminders(deps: Pick<FollowUpDeps, 'db' | 'boss'>, distributionId: number): Promise<void> {
  const plan = await findFollowUpPlan(deps.db, distributionId);
  if (!plan?.firstSentAt) return;
  for (const [i, afterDays] of plan.reminderDays.entries()) {
    const job: SurveyReminderJob = { kind: 'reminder', distributionId, round: (i + 1) as 1 | 2 };
    await deps.boss.send(Queue.surveyFollowUp, job, { startAfter: new Date(plan.firstSentAt.getTime() + afterDays * 86_400_000), singletonKey: `reminder-${distributionId}-${job.round}` });
  }
}

/**
 * Sends one reminder round to everyone due now, then enqueues the round again for those whose
 * invitation went out later. A temporary SMTP failure throws after dropping the claims not sent,
 * so the job's retry sends them.
 */
export async function sendReminders(deps: FollowUpDeps, job: SurveyReminderJob): Promise<{ sent: number; failed: number }> {
  const { db } = deps;
  const plan = await findFollowUpPlan(db, job.distributionId);
  const afterDays = plan?.reminderDays[job.round - 1];
  if (!plan || afterDays === undefined) return { sent: 0, failed: 0 };
  const kind = reminderKind(job.round);
  const now = deps.now();
  const inDoubt = await markStaleFollowUps(db, plan.id, kind, now);
  if (inDoubt > 0) deps.logger.warn({ distributionId: plan.id, kind, inDoubt }, 'reminders left in doubt by an interrupted send are not sent again');
  const survey = await findSurvey(db, plan.surveyId);
  const mailer = await deps.mailerFor(plan.id);
  const totals = { sent: 0, failed: 0 };
  for (;;) {
    const claimed = await claimReminders(db, { distributionId: plan.id, kind, afterDays, now, limit: 500, messageIdDomain: domainOf(deps.publicUrl) });
    if (claimed.length === 0) break;
    const outcomes = await sendAll(mailer, claimed, kind, (c) => surveyMessage(deps.publicUrl, { from: plan.from, surveyToken: c.token, messageId: c.messageId, ...localTemplate(survey, c, 'reminder') }, c));
    await settleFollowUps(db, outcomes);
    totals.sent += outcomes.filter((o) => o.state === 'sent').length;
    totals.failed += outcomes.filter((o) => o.state === 'failed').length;
    const retry = outcomes.find((o) => o.state === 'retry');
    if (retry) throw new Error(`reminder ${job.round} of distribution ${plan.id} paused: ${retry.error}`);
  }
  const next = await nextReminderDue(db, { distributionId: plan.id, kind, afterDays, now });
  if (next) await deps.boss.send(Queue.surveyFollowUp, job, { startAfter: next });
  deps.logger.info({ distributionId: plan.id, round: job.round, ...totals }, 'reminders sent');
  return totals;
}

/** Thanks a recipient for an answer, once, when its distribution sends a thank-you. */
export async function sendThankYou(deps: FollowUpDeps, recipientId: number): Promise<boolean> {
  const claimed = await claimThankYou(deps.db, recipientId, domainOf(deps.publicUrl));
  if (!claimed) return false;
  const survey = await findSurvey(deps.db, claimed.surveyId);
  const mailer = await deps.mailerFor(claimed.distributionId);
  const [outcome] = await sendAll(mailer, [claimed], 'thank_you', (c) =>
    surveyMessage(deps.publicUrl, { from: claimed.from, surveyToken: c.token, messageId: c.messageId, ...localTemplate(survey, c, 'thankYou') }, c));
  await settleFollowUps(deps.db, [outcome!]);
  if (outcome!.state === 'retry') throw new Error(`the thank-you to recipient ${recipientId} paused: ${outcome!.error}`);
  return outcome!.state === 'sent';
}

/**
 * Sends claimed messages as many at a time as the mailer takes. After a temporary failure nothing
 * more is handed over: those not sent come back as 'retry', to be released.
 */
async function sendAll(mailer: Mailer, claimed: ClaimedFollowUp[], kind: FollowUpKind, message: (c: ClaimedFollowUp) => Parameters<Mailer['send']>[0]): Promise<FollowUpOutcome[]> {
  const outcomes: FollowUpOutcome[] = [];
  const queue = [...claimed];
  let holding: string | null = null;
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (holding) {
        outcomes.push({ recipientId: next.recipientId, kind, state: 'retry', error: holding });
        continue;
      }
      try {
        await mailer.send(message(next));
        outcomes.push({ recipientId: next.recipientId, kind, state: 'sent', error: null });
      } catch (error) {
        const mailError = error instanceof MailError ? error : new MailError(String((error as Error)?.message ?? error), { permanent: false, cause: error });
        if (!mailError.permanent) holding = mailError.message;
        outcomes.push({ recipientId: next.recipientId, kind, state: mailError.permanent ? 'failed' : 'retry', error: mailError.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, mailer.concurrency) }, lane));
  return outcomes;
}
