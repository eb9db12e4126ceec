import { z } from 'zod';
import type { Db, Tx } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import { Audience } from '../states.ts';
import { createDistribution, type NewDistribution, type SendQueue } from './create-distribution.ts';
import { findDistribution, type DistributionSummary } from './distributions.ts';
import { defaultTemplates } from './template.ts';
import { followUpProblems, followUpShape } from './follow-ups.ts';

/*
 * A distribution an admin asks for (POST /api/distributions): a survey to a mailing list, or to
 * the directory's contacts a search matches (kept as a mailing list of its own, so what was sent
 * to whom stays readable), now or at a set time. It follows the same contact rules as a workflow's.
 */

export const manualDistributionInput = z
  .strictObject({
    surveyId: z.number('a survey id').int().positive(),
    directoryId: z.number().int().positive().default(1),
    /** Every member of this mailing list of the directory. */
    mailingListId: z.number('a mailing list id').int().positive().optional(),
    /** The directory's live contacts whose name, email or id contains `search` (all of them when it is empty), as the contact search finds them. */
    contacts: z.strictObject({ search: z.string().trim().max(200).default('') }).optional(),
    linkType: z.enum(['individual', 'anonymous']).default('individual'),
    send: z.union([z.literal('now'), z.strictObject({ at: z.iso.datetime({ offset: true, error: 'a time with its offset, e.g. "2026-12-24T09:00:00+01:00"' }) })]).default('now'),
    subject: z.string().trim().min(1).max(300).optional(),
    /** The same key again (a form sent twice) answers the distribution made the first time and sends nothing more. */
    requestKey: z.string().trim().min(1).max(100).optional(),
    ...followUpShape,
  })
  .refine((d) => (d.mailingListId === undefined) !== (d.contacts === undefined), { message: 'send to a mailingListId or to contacts (one of them)', path: ['mailingListId'] })
  .superRefine((d, ctx) => {
    for (const p of followUpProblems(d)) ctx.addIssue({ code: 'custom', message: p.message, path: p.path });
  });
export type ManualDistributionInput = z.input<typeof manualDistributionInput>;

/** The contacts' text a search matches: the expression of the trigram index contacts_search, as the directory's contact search reads it. */
const searchable = `(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '') || chr(1) || coalesce(c.email, '') || chr(1) || c.external_id)`;

/**
 * Creates the distribution and enqueues its sending. `pattern` is the ILIKE pattern of
 * `contacts.search` (escaped by the caller). Answers it, and whether it was made now (false: the
 * request key named one made before).
 */
export async function distributeManually(
  db: Db,
  queue: SendQueue,
  request: { input: unknown; mailFrom: string; pattern: (search: string) => string },
): Promise<{ created: boolean; distribution: DistributionSummary }> {
  const parsed = manualDistributionInput.safeParse(request.input);
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, `invalid distribution: ${describeIssues(parsed.error, '(body)')}`);
  const d = parsed.data;
  const sourceKey = d.requestKey === undefined ? undefined : `manual:${d.requestKey}`;
  const now = new Date();
  const at = d.send === 'now' ? now : new Date(d.send.at);
  const created = await createDistribution(db, queue, async (tx): Promise<NewDistribution> => ({
    surveyId: d.surveyId,
    directoryId: d.directoryId,
    mailingListId: await recipientsList(tx, d, request.pattern),
    workflowId: null,
    audience: Audience.all,
    linkType: d.linkType,
    from: request.mailFrom,
    subject: d.subject ?? defaultTemplates.subject,
    html: defaultTemplates.html,
    text: defaultTemplates.text,
    sendAt: at > now ? at : now,
    ...(sourceKey ? { sourceKey } : {}),
  }), { linkExpiryDays: d.linkExpiryDays, reminders: d.reminders, thankYouEmail: d.thankYouEmail, localized: d.subject === undefined });
  if (created) return { created: true, distribution: await findDistribution(db, created.id) };
  const [made] = await db.query<{ id: number }>('select id::int from distributions where source_key = $1', [sourceKey]);
  return { created: false, distribution: await findDistribution(db, made!.id) };
}

/** The mailing list the distribution reads, checked against the directory and survey, or made from the search. */
async function recipientsList(tx: Tx, d: z.infer<typeof manualDistributionInput>, pattern: (search: string) => string): Promise<number> {
  const [found] = await tx.query<{ directory: boolean; survey: boolean; list: boolean }>(
    `select exists (select 1 from directories where id = $1) as directory, exists (select 1 from surveys where id = $2) as survey,
      exists (select 1 from mailing_lists where id = $3 and directory_id = $1) as list`,
    [d.directoryId, d.surveyId, d.mailingListId ?? null],
  );
  if (!found!.directory) throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${d.directoryId} does not exist`);
  if (!found!.survey) throw new AppError(ErrorCode.BAD_REQUEST, `invalid distribution: surveyId: survey ${d.surveyId} does not exist`);
  if (d.mailingListId !== undefined) {
    if (!found!.list) throw new AppError(ErrorCode.BAD_REQUEST, `invalid distribution: mailingListId: mailing list ${d.mailingListId} is not in directory ${d.directoryId}`);
    return d.mailingListId;
  }
  const search = d.contacts!.search;
  const [list] = await tx.query<{ id: number }>(
    `with list as (
      insert into mailing_lists (id, directory_id, name) overriding system value
      select n.id, $1, case when $2 = '' then 'All contacts' else format('Contacts matching "%s"', $2) end || ' #' || n.id
      from (select nextval(pg_get_serial_sequence('mailing_lists', 'id')) as id) n
      returning id
    ), members as (
      insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id)
      select list.id, $1, c.external_id from list, contacts c
      where c.directory_id = $1 and not c.is_deleted and ($3::text is null or ${searchable} ilike $3)
    ) select id::int from list`,
    [d.directoryId, search, search === '' ? null : pattern(search)],
  );
  return list!.id;
}
