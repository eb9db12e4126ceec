import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { findSurvey, type Survey } from './queries.ts';
import { chooseLanguage, type Translation } from './languages.ts';

/**
 * How long after the first answer an individual link still accepts a change: a second submit
 * within it updates the answer, later ones are refused. An anonymous link adds an answer each time.
 */
export const resubmitWindowHours = 24;

/** What a survey link opens: the survey, and for an individual link the contact it was sent to. */
export type SurveyLink =
  | {
      kind: 'individual';
      survey: Survey;
      directoryId: number;
      distributionId: number;
      recipientId: number;
      contactExternalId: string;
      accountExternalId: string | null;
      /** The value of the survey's language attribute on the contact. */
      contactLanguage: string | null;
      /** When the link stops taking answers: its distribution's (or survey's) expiry after the invitation went out. */
      expiresAt: Date;
      /** The answer already given through this link, if any, and until when it can change. */
      answer: { score: number; comment: string | null; answers: Record<string, number>; respondedAt: Date; changeableUntil: Date } | null;
    }
  | { kind: 'anonymous'; survey: Survey; directoryId: number; distributionId: number };

/** The survey behind a link token, or null for a token that opens nothing. */
export async function findSurveyLink(db: Queryable, token: string): Promise<SurveyLink | null> {
  const [individual] = await db.query<{
    surveyId: number; directoryId: number; distributionId: number; recipientId: number; contactExternalId: string;
    accountExternalId: string | null; contactLanguage: string | null; expiresAt: Date; score: number | null; comment: string | null; answers: Record<string, number> | null;
    respondedAt: Date | null; changeableUntil: Date | null;
  }>(
    `select d.survey_id::int as "surveyId", d.directory_id::int as "directoryId", d.id::int as "distributionId", r.id::int as "recipientId",
            r.contact_external_id as "contactExternalId", r.account_external_id as "accountExternalId",
            c.attributes ->> s.language_attribute as "contactLanguage",
            coalesce(r.sent_at, d.send_at) + make_interval(days => coalesce(d.link_expiry_days, s.link_expiry_days)) as "expiresAt",
            n.score, n.comment, n.answers, n.responded_at as "respondedAt",
            n.responded_at + make_interval(hours => $2) as "changeableUntil"
     from distribution_recipients r join distributions d on d.id = r.distribution_id join surveys s on s.id = d.survey_id
     left join contacts c on c.directory_id = d.directory_id and c.external_id = r.contact_external_id
     left join nps_responses n on n.recipient_id = r.id
     where r.token = $1 and d.link_type = 'individual'`,
    [token, resubmitWindowHours],
  );
  if (individual) {
    const { surveyId, score, comment, answers, respondedAt, changeableUntil, ...link } = individual;
    return {
      kind: 'individual',
      survey: await findSurvey(db, surveyId),
      ...link,
      answer: score === null ? null : { score, comment, answers: answers ?? {}, respondedAt: respondedAt!, changeableUntil: changeableUntil! },
    };
  }
  const [anonymous] = await db.query<{ surveyId: number; directoryId: number; distributionId: number }>(
    `select survey_id::int as "surveyId", directory_id::int as "directoryId", id::int as "distributionId" from distributions where anonymous_token = $1`,
    [token],
  );
  if (!anonymous) return null;
  return { kind: 'anonymous', survey: await findSurvey(db, anonymous.surveyId), directoryId: anonymous.directoryId, distributionId: anonymous.distributionId };
}

export type Answer = { score: number; comment: string | null; answers: Record<string, number> };

/** What storing an answer did, and the answer's id (null when the link was closed). */
export type Submitted = { outcome: 'stored' | 'updated'; responseId: number } | { outcome: 'closed'; responseId: null };

/**
 * Stores an answer given through a link: against the contact and account of an individual link
 * (replacing its earlier answer within the resubmit window), or as an anonymous answer.
 * Closed when an individual link's window has passed.
 */
export async function submitAnswer(db: Queryable, link: SurveyLink, answer: Answer): Promise<Submitted> {
  if (link.kind === 'anonymous') {
    const [row] = await db.query<{ id: number }>(
      `insert into nps_responses (directory_id, survey_id, distribution_id, score, comment, answers, responded_at)
       values ($1, $2, $3, $4, $5, $6, now()) returning id::int`,
      [link.directoryId, link.survey.id, link.distributionId, answer.score, answer.comment, JSON.stringify(answer.answers)],
    );
    return { outcome: 'stored', responseId: row!.id };
  }
  const rows = await db.query<{ id: number; updated: boolean }>(
    `insert into nps_responses (directory_id, contact_external_id, account_external_id, survey_id, distribution_id, recipient_id,
                                score, comment, answers, responded_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
     on conflict (recipient_id) do update set score = excluded.score, comment = excluded.comment, answers = excluded.answers, updated_at = now()
       where nps_responses.responded_at > now() - make_interval(hours => $10)
     returning id::int, updated_at is not null as updated`,
    [link.directoryId, link.contactExternalId, link.accountExternalId, link.survey.id, link.distributionId, link.recipientId,
      answer.score, answer.comment, JSON.stringify(answer.answers), resubmitWindowHours],
  );
  if (!rows[0]) return { outcome: 'closed', responseId: null };
  return { outcome: rows[0].updated ? 'updated' : 'stored', responseId: rows[0].id };
}

/** The language of the survey the recipient behind `token` was sent, as its page would choose it for the contact; null for a token that names no recipient. */
export async function recipientLanguage(db: Queryable, token: string): Promise<string | null> {
  const [row] = await db.query<{ language: string; translations: Record<string, Translation>; contactLanguage: string | null }>(
    `select s.language, s.translations, c.attributes ->> s.language_attribute as "contactLanguage"
     from distribution_recipients r join distributions d on d.id = r.distribution_id join surveys s on s.id = d.survey_id
     left join contacts c on c.directory_id = d.directory_id and c.external_id = r.contact_external_id
     where r.token = $1`,
    [token],
  );
  return row ? chooseLanguage(row, [row.contactLanguage]) : null;
}

/**
 * Records that the recipient behind `token` wants no more surveys; later distributions skip the
 * contact and its address. False for a token that names no recipient.
 */
export async function optOut(db: Queryable, token: string): Promise<boolean> {
  const rows = await db.query(
    `insert into opt_outs (directory_id, contact_external_id, email)
     select d.directory_id, r.contact_external_id, r.email from distribution_recipients r join distributions d on d.id = r.distribution_id
     where r.token = $1
     on conflict (directory_id, contact_external_id) do update set email = coalesce(excluded.email, opt_outs.email)
     returning 1`,
    [token],
  );
  return rows.length > 0;
}

export const storedResponseSchema = z.object({
  id: z.number().int(),
  contactExternalId: z.string().nullable(),
  accountExternalId: z.string().nullable(),
  score: z.number().int(),
  comment: z.string().nullable(),
  answers: z.record(z.string(), z.number().int()),
  respondedAt: z.date(),
  updatedAt: z.date().nullable(),
});
export type StoredResponse = z.infer<typeof storedResponseSchema>;

/** A survey's answers, newest first. */
export async function listSurveyResponses(db: Queryable, surveyId: number, window: { limit: number; offset: number }): Promise<{ items: StoredResponse[]; total: number }> {
  const rows = await db.query<StoredResponse & { total: number }>(
    `select id::int, contact_external_id as "contactExternalId", account_external_id as "accountExternalId", score, comment, answers,
            responded_at as "respondedAt", updated_at as "updatedAt", count(*) over ()::int as total
     from nps_responses where survey_id = $1 order by responded_at desc, id desc limit $2 offset $3`,
    [surveyId, window.limit, window.offset],
  );
  const total = rows[0]?.total ?? (await db.query<{ n: number }>('select count(*)::int as n from nps_responses where survey_id = $1', [surveyId]))[0]!.n;
  return { items: rows.map(({ total: _, ...item }) => item), total };
}
