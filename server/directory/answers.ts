import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';
import type { Page, Window } from '../../core/page.ts';
import { storedResponseSchema } from '../../core/surveys/responses.ts';

/** An answer as the directory browser shows it: with the survey it answered (none for imported history). */
export const directoryAnswerSchema = storedResponseSchema.extend({ surveyName: z.string().nullable() });
export type DirectoryAnswer = z.infer<typeof directoryAnswerSchema>;

const answerColumns = `r.id::int, r.contact_external_id as "contactExternalId", r.account_external_id as "accountExternalId", r.score, r.comment,
  r.answers, r.responded_at as "respondedAt", r.updated_at as "updatedAt", s.name as "surveyName"`;

/** An account's answers, newest first (index nps_responses_account). */
export async function listAccountAnswers(db: Queryable, directoryId: number, accountExternalId: string, window: Window): Promise<Page<DirectoryAnswer>> {
  const [{ total }] = (await db.query<{ total: number }>(
    'select count(*)::int as total from nps_responses where directory_id = $1 and account_external_id = $2',
    [directoryId, accountExternalId],
  )) as [{ total: number }];
  const items = await db.query<DirectoryAnswer>(
    `select ${answerColumns}
     from nps_responses r left join surveys s on s.id = r.survey_id
     where r.directory_id = $1 and r.account_external_id = $2
     order by r.responded_at desc, r.id desc limit $3 offset $4`,
    [directoryId, accountExternalId, window.limit, window.offset],
  );
  return { items, total, limit: window.limit, offset: window.offset };
}

/** How many of a contact's answers and invitations its page shows, newest first. */
export const contactHistoryLimit = 100;

/** A contact's latest answers (the unique index on directory, contact and time). */
export function latestContactAnswers(db: Queryable, directoryId: number, contactExternalId: string): Promise<DirectoryAnswer[]> {
  return db.query<DirectoryAnswer>(
    `select ${answerColumns}
     from nps_responses r left join surveys s on s.id = r.survey_id
     where r.directory_id = $1 and r.contact_external_id = $2
     order by r.responded_at desc, r.id desc limit ${contactHistoryLimit}`,
    [directoryId, contactExternalId],
  );
}
