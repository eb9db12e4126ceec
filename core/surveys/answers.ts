import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { spreadsheetText } from '../runs/queries.ts';
import { storedResponseSchema } from './responses.ts';

/*
 * A directory's answers, across surveys and imported histories, narrowed the way the console's
 * answers list narrows them, as a page or as CSV for a spreadsheet.
 */

/** Which answers: one survey's (or `imported`: the histories brought in, which have none), a score range, a day range (UTC, inclusive). */
export type AnswerFilter = {
  directoryId: number;
  survey: number | 'imported' | null;
  minScore: number;
  maxScore: number;
  /** YYYY-MM-DD. */
  from: string | null;
  to: string | null;
};

/** An answer as a survey lists it, and which survey (none: imported) and distribution it came through. */
export const answerSchema = storedResponseSchema.omit({ updatedAt: true }).extend({
  surveyId: z.number().int().nullable(),
  surveyName: z.string().nullable(),
  distributionId: z.number().int().nullable(),
});
export type Answer = z.infer<typeof answerSchema>;

/** The filter as SQL over `n` (nps_responses): every value is a checked number or date, so the COPY of the CSV can carry them inline. */
function where(filter: AnswerFilter): string {
  const parts = [`n.directory_id = ${Number(filter.directoryId)}`, `n.score between ${Number(filter.minScore)} and ${Number(filter.maxScore)}`];
  if (filter.survey === 'imported') parts.push('n.survey_id is null');
  else if (filter.survey !== null) parts.push(`n.survey_id = ${Number(filter.survey)}`);
  const day = (text: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new Error(`not a day: ${text}`);
    return `'${text}'::date`;
  };
  if (filter.from) parts.push(`n.responded_at >= ${day(filter.from)}::timestamp at time zone 'UTC'`);
  if (filter.to) parts.push(`n.responded_at < (${day(filter.to)} + 1)::timestamp at time zone 'UTC'`);
  return parts.join(' and ');
}

export async function listAnswers(db: Queryable, filter: AnswerFilter, window: { limit: number; offset: number }): Promise<{ items: Answer[]; total: number }> {
  const rows = await db.query<Answer & { total: number }>(
    `select n.id::int, n.survey_id::int as "surveyId", s.name as "surveyName", n.distribution_id::int as "distributionId",
            n.contact_external_id as "contactExternalId", n.account_external_id as "accountExternalId", n.score, n.comment, n.answers,
            n.responded_at as "respondedAt", count(*) over ()::int as total
     from nps_responses n left join surveys s on s.id = n.survey_id
     where ${where(filter)} order by n.responded_at desc, n.id desc limit $1 offset $2`,
    [window.limit, window.offset],
  );
  const total = rows[0]?.total ?? (await db.query<{ n: number }>(`select count(*)::int as n from nps_responses n where ${where(filter)}`))[0]!.n;
  return { items: rows.map(({ total: _, ...item }) => item), total };
}

/** The same answers, newest first, as COPY text rows of a CSV with a header; extra questions' answers as their JSON. */
export function answersCsv(tx: { copyOut: (sql: string) => AsyncIterable<string> }, filter: AnswerFilter): AsyncIterable<string> {
  return tx.copyOut(
    `copy (select n.responded_at as responded_at, ${spreadsheetText('survey')}, ${spreadsheetText('contact_id')}, ${spreadsheetText('account_id')},
                  n.score, ${spreadsheetText('comment')}, n.answers::text as answers
           from (select n.*, s.name as survey, n.contact_external_id as contact_id, n.account_external_id as account_id
                 from nps_responses n left join surveys s on s.id = n.survey_id where ${where(filter)}) n
           order by n.responded_at desc, n.id desc)
     to stdout with (format csv, header)`,
  );
}
