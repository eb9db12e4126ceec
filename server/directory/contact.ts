import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';
import { contactHistoryLimit, directoryAnswerSchema, latestContactAnswers } from './answers.ts';
import { optedOut } from './queries.ts';

/** One survey sent (or to be sent) to a contact, and what became of it. */
export const invitationSchema = z.object({
  distributionId: z.number().int(),
  surveyName: z.string(),
  mailingList: z.string(),
  email: z.string().nullable(),
  state: z.enum(['pending', 'sending', 'sent', 'failed', 'skipped', 'in_doubt']),
  skipReason: z.enum(['deleted', 'no_email', 'opted_out']).nullable(),
  sendAt: z.date(),
  sentAt: z.date().nullable(),
});
export type Invitation = z.infer<typeof invitationSchema>;

export const contactDetailSchema = z.object({
  externalId: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  account: z.object({ externalId: z.string(), displayName: z.string(), roleName: z.string().nullable() }).nullable()
    .describe('the live account its record names, with the client role it holds there'),
  optedOut: z.boolean(),
  mailingLists: z.array(z.object({ id: z.number().int(), name: z.string() })),
  invitations: z.array(invitationSchema).describe(`the latest ${contactHistoryLimit}, newest first`),
  answers: z.array(directoryAnswerSchema).describe(`the latest ${contactHistoryLimit}, newest first`),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ContactDetail = z.infer<typeof contactDetailSchema>;

/** A live contact with its account, opt-out, mailing lists, invitations and answers; null when there is none. */
export async function findContact(db: Queryable, directoryId: number, externalId: string): Promise<ContactDetail | null> {
  const [contact] = await db.query<Omit<ContactDetail, 'answers' | 'invitations'>>(
    `select c.external_id as "externalId", c.first_name as "firstName", c.last_name as "lastName", c.email, c.attributes,
      (select json_build_object('externalId', a.external_id, 'displayName', a.display_name, 'roleName', c.client_role)
        from accounts a where a.directory_id = $1 and a.external_id = c.account_external_id and not a.is_deleted) as account,
      ${optedOut} as "optedOut",
      coalesce((
        select json_agg(json_build_object('id', l.id, 'name', l.name) order by l.name)
        from mailing_list_members m join mailing_lists l on l.id = m.mailing_list_id
        where m.directory_id = $1 and m.contact_external_id = c.external_id
      ), '[]') as "mailingLists",
      c.created_at as "createdAt", c.updated_at as "updatedAt"
    from contacts c
    where c.directory_id = $1 and c.external_id = $2 and not c.is_deleted`,
    [directoryId, externalId],
  );
  if (!contact) return null;
  return { ...contact, invitations: await latestInvitations(db, directoryId, externalId), answers: await latestContactAnswers(db, directoryId, externalId) };
}

function latestInvitations(db: Queryable, directoryId: number, contactExternalId: string): Promise<Invitation[]> {
  return db.query<Invitation>(
    `select d.id::int as "distributionId", s.name as "surveyName", l.name as "mailingList", r.email, r.state,
       r.skip_reason as "skipReason", d.send_at as "sendAt", r.sent_at as "sentAt"
     from distribution_recipients r
     join distributions d on d.id = r.distribution_id and d.directory_id = $1
     join surveys s on s.id = d.survey_id
     join mailing_lists l on l.id = d.mailing_list_id
     where r.contact_external_id = $2
     order by d.send_at desc, d.id desc limit ${contactHistoryLimit}`,
    [directoryId, contactExternalId],
  );
}
