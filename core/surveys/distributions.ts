import { z } from 'zod';
import { Audience, DistributionState, RecipientState, SkipReason } from '../states.ts';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode } from '../errors.ts';
import { followUpSummaryShape, withFollowUps } from './follow-up-counts.ts';

const count = z.number().int();

/** Recipient counts per state: every recipient is in exactly one. */
const recipientCountsSchema = z.object({ pending: count, sending: count, sent: count, failed: count, skipped: count, inDoubt: count });
export type RecipientCounts = z.infer<typeof recipientCountsSchema>;

export const distributionSummarySchema = z.object({
  id: z.number().int(),
  surveyId: z.number().int(),
  mailingListId: z.number().int(),
  workflowId: z.number().int().nullable(),
  /** Of its mailing list, whom it invites: the contacts its run added, added or changed, or all. */
  audience: z.enum(Object.values(Audience)),
  linkType: z.enum(['individual', 'anonymous']),
  state: z.enum(Object.values(DistributionState)),
  sendAt: z.date(),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
  recipients: recipientCountsSchema,
  /** How many recipients were skipped for each reason (see SkipReason): deleted, no_email, opted_out, not_new, unchanged, contact_frequency, same_survey_12h. */
  skipped: z.record(z.string(), count),
  /** Every time the survey page was opened through this distribution's links, and by how many recipients (an individual link's). */
  pageOpens: count,
  openedBy: count,
  /** Answers given through its links. */
  answers: count,
  ...followUpSummaryShape,
});
export type DistributionSummary = z.infer<typeof distributionSummarySchema>;

export const recipientProblemSchema = z.object({
  contactExternalId: z.string(),
  email: z.string().nullable(),
  state: z.enum([RecipientState.failed, RecipientState.inDoubt]),
  attempts: count,
  error: z.string().nullable(),
});
export type RecipientProblem = z.infer<typeof recipientProblemSchema>;

const summary = `select d.id::int, d.survey_id::int as "surveyId", d.mailing_list_id::int as "mailingListId", d.workflow_id::int as "workflowId",
    d.audience, d.link_type as "linkType", d.state, d.send_at as "sendAt", d.created_at as "createdAt", d.finished_at as "finishedAt",
    json_build_object(
      'pending', count(r.id) filter (where r.state = 'pending'), 'sending', count(r.id) filter (where r.state = 'sending'),
      'sent', count(r.id) filter (where r.state = 'sent'), 'failed', count(r.id) filter (where r.state = 'failed'),
      'skipped', count(r.id) filter (where r.state = 'skipped'), 'inDoubt', count(r.id) filter (where r.state = 'in_doubt')) as recipients,
    d.page_opens as "pageOpens", count(r.opened_at)::int as "openedBy",
    (select count(*)::int from nps_responses n where n.distribution_id = d.id) as answers
  from distributions d left join distribution_recipients r on r.distribution_id = d.id`;

/** The newest 200 distributions, of one survey, or of one run (those inviting the mailing list the run loaded) when asked. */
export async function listDistributions(db: Queryable, filter: { directoryId?: number | null; surveyId: number | null; runId?: number | null }): Promise<DistributionSummary[]> {
  const rows = await db.query<Summary>(
    `${summary} where ($1::bigint is null or d.survey_id = $1)
      and ($2::bigint is null or d.mailing_list_id in (select id from mailing_lists where run_id = $2))
      and ($3::bigint is null or d.directory_id = $3)
    group by d.id order by d.id desc limit 200`,
    [filter.surveyId, filter.runId ?? null, filter.directoryId ?? null],
  );
  return withFollowUps(db, await withSkipReasons(db, rows));
}

/** One distribution with its counts, and the recipients that failed or are in doubt. */
export async function findDistribution(db: Queryable, id: number): Promise<DistributionSummary & { problems: RecipientProblem[] }> {
  const [row] = await withFollowUps(db, await withSkipReasons(db, await db.query<Summary>(`${summary} where d.id = $1 group by d.id`, [id])));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `distribution ${id} does not exist`);
  const problems = await db.query<RecipientProblem>(
    `select contact_external_id as "contactExternalId", email, state, attempts, error from distribution_recipients
     where distribution_id = $1 and state in ('failed', 'in_doubt') order by id limit 1000`,
    [id],
  );
  return { ...row, problems };
}

/** A summary as its first statement reads it, before skip reasons and follow-ups are added. */
type Summary = Omit<DistributionSummary, keyof typeof followUpSummaryShape>;

async function withSkipReasons(db: Queryable, rows: Summary[]): Promise<Summary[]> {
  if (rows.length === 0) return rows;
  const reasons = await db.query<{ id: number; reason: string; n: number }>(
    `select distribution_id::int as id, skip_reason as reason, count(*)::int as n from distribution_recipients
     where distribution_id = any($1::bigint[]) and state = 'skipped' group by 1, 2`,
    [rows.map((r) => r.id)],
  );
  return rows.map((row) => ({ ...row, skipped: Object.fromEntries(reasons.filter((r) => r.id === row.id).map((r) => [r.reason, r.n])) }));
}

export const recipientSchema = z.object({
  contactExternalId: z.string(),
  accountExternalId: z.string().nullable(),
  email: z.string().nullable(),
  state: z.enum(Object.values(RecipientState)),
  skipReason: z.enum(Object.values(SkipReason)).nullable().describe('why a skipped recipient was left out'),
  error: z.string().nullable(),
  sentAt: z.date().nullable(),
  openedAt: z.date().nullable(),
  answeredAt: z.date().nullable(),
});
export type Recipient = z.infer<typeof recipientSchema>;

/** A page of one distribution's recipients, in one state when asked, each with when it opened the page and answered. */
export async function listRecipients(
  db: Queryable,
  distributionId: number,
  filter: { state: RecipientState | null; limit: number; offset: number },
): Promise<{ items: Recipient[]; total: number }> {
  const rows = await db.query<Recipient & { total: number }>(
    `select r.contact_external_id as "contactExternalId", r.account_external_id as "accountExternalId", r.email, r.state,
            r.skip_reason as "skipReason", r.error, r.sent_at as "sentAt", r.opened_at as "openedAt", n.responded_at as "answeredAt",
            count(*) over ()::int as total
     from distribution_recipients r left join nps_responses n on n.recipient_id = r.id
     where r.distribution_id = $1 and ($2::text is null or r.state = $2) order by r.id limit $3 offset $4`,
    [distributionId, filter.state, filter.limit, filter.offset],
  );
  return { items: rows.map(({ total: _, ...item }) => item), total: rows[0]?.total ?? 0 };
}

/**
 * Counts an open of the survey page through a distribution's link, and a recipient's first open.
 * A mail scanner that follows links counts too: opens say who may have looked, answers who did.
 */
export async function recordOpen(db: Queryable, link: { distributionId: number; recipientId?: number }): Promise<void> {
  await db.query(
    `with opened as (update distributions set page_opens = page_opens + 1 where id = $1)
     update distribution_recipients set opened_at = now() where id = $2 and opened_at is null`,
    [link.distributionId, link.recipientId ?? null],
  );
}
