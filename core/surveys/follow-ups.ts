import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { Queue, type SurveyThankYouJob } from '../queues.ts';
import type { Queryable } from '../db.ts';

/*
 * What a distribution sends after its invitation: reminders to those who have not answered, and a
 * thank-you to those who did. Individual links only: an anonymous answer names nobody to spare or thank.
 */

const days = (max: number) => z.number().int().min(1).max(max);

/** The follow-up settings of a distribute task (or a distribution made through the API). */
export const followUpShape = {
  /** Days an individual link takes answers after its invitation; unset: the survey's (30 by default). */
  linkExpiryDays: days(365).optional(),
  /** Up to two reminders, each `afterDays` after the invitation, to those who have neither answered nor opted out. */
  reminders: z.array(z.strictObject({ afterDays: days(180) })).max(2).optional(),
  /** Emails a thank-you after each first answer. */
  thankYouEmail: z.boolean().optional(),
};
export type FollowUps = { linkExpiryDays?: number | undefined; reminders?: { afterDays: number }[] | undefined; thankYouEmail?: boolean | undefined };

/** The problems of a task's follow-ups, each with the path (within the task) it is at. */
export function followUpProblems(task: FollowUps & { linkType: 'individual' | 'anonymous' }): { message: string; path: (string | number)[] }[] {
  const problems: { message: string; path: (string | number)[] }[] = [];
  const reminders = task.reminders ?? [];
  if (task.linkType === 'anonymous' && reminders.length > 0) problems.push({ message: 'reminders need individual links: an anonymous answer names nobody to spare', path: ['reminders'] });
  if (task.linkType === 'anonymous' && task.thankYouEmail) problems.push({ message: 'a thank-you email needs individual links: an anonymous answer names nobody to thank', path: ['thankYouEmail'] });
  if (reminders.length === 2 && reminders[1]!.afterDays <= reminders[0]!.afterDays) {
    problems.push({ message: 'the second reminder comes after the first: more days after the invitation', path: ['reminders', 1, 'afterDays'] });
  }
  reminders.forEach((r, i) => {
    if (task.linkExpiryDays !== undefined && r.afterDays >= task.linkExpiryDays) {
      problems.push({ message: `the link expires ${task.linkExpiryDays} days after the invitation: a reminder after that could not be answered`, path: ['reminders', i, 'afterDays'] });
    }
  });
  return problems;
}

/** Records what a distribution sends after its invitation; `localized` when it set no invitation texts of its own. */
export async function setFollowUps(db: Queryable, distributionId: number, followUps: FollowUps & { localized: boolean }): Promise<void> {
  await db.query(
    'update distributions set reminder_days = $2, link_expiry_days = $3, thank_you_email = $4, localized = $5 where id = $1',
    [distributionId, (followUps.reminders ?? []).map((r) => r.afterDays), followUps.linkExpiryDays ?? null, followUps.thankYouEmail ?? false, followUps.localized],
  );
}

/** How the web process asks for follow-ups of an answer. */
export type SurveyJobs = { answered: (recipientId: number) => Promise<void> };

/** Follow-ups on pg-boss: one thank-you job per answered recipient (a resubmission adds nothing: the claim is per recipient). */
export function surveyJobs(boss: PgBoss): SurveyJobs {
  return {
    async answered(recipientId) {
      const job: SurveyThankYouJob = { kind: 'thankYou', recipientId };
      await boss.send(Queue.surveyFollowUp, job, { singletonKey: `thank-you-${recipientId}` });
    },
  };
}

/** Without a job queue (a test of the pages alone), answers ask for nothing. */
export const noSurveyJobs: SurveyJobs = { answered: async () => {} };
