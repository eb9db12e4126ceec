import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';
import { toPage, type Page, type PagedRows, type Window } from '../../core/page.ts';

/** A mailing list a load made, with how many contacts it holds. */
export const mailingListSchema = z.object({ id: z.number().int(), name: z.string(), members: z.number().int(), createdAt: z.date() });
export type MailingList = z.infer<typeof mailingListSchema>;

/** A member as the list holds it: by contact id, with the contact when it is live in the directory. */
export const mailingListMemberSchema = z.object({
  contactExternalId: z.string(),
  contact: z.object({ firstName: z.string().nullable(), lastName: z.string().nullable(), email: z.string().nullable() }).nullable()
    .describe('null when the contact has since been deleted from the directory'),
});
export type MailingListMember = z.infer<typeof mailingListMemberSchema>;

/** A directory's mailing lists by name; null when the directory does not exist. */
export async function listMailingLists(db: Queryable, directoryId: number): Promise<MailingList[] | null> {
  const rows = await db.query<MailingList & { directory: number }>(
    `select d.id::int as directory, l.id::int, l.name, l.created_at as "createdAt",
      (select count(*) from mailing_list_members m where m.mailing_list_id = l.id)::int as members
     from directories d left join mailing_lists l on l.directory_id = d.id
     where d.id = $1 order by l.name`,
    [directoryId],
  );
  if (rows.length === 0) return null;
  return rows.filter((row) => row.id !== null).map(({ directory: _, ...list }) => list);
}

/** A page of one list's members by contact id; null when the list is not in the directory. */
export async function listMailingListMembers(db: Queryable, directoryId: number, listId: number, window: Window): Promise<(Page<MailingListMember> & { name: string }) | null> {
  const rows = await db.query<PagedRows<MailingListMember>[number] & { name: string }>(
    `select (select count(*) from mailing_list_members m where m.mailing_list_id = l.id)::int as total, l.name, page.*
     from mailing_lists l
     left join lateral (
       select m.contact_external_id as "contactExternalId",
         (select json_build_object('firstName', c.first_name, 'lastName', c.last_name, 'email', c.email)
           from contacts c where c.directory_id = $1 and c.external_id = m.contact_external_id and not c.is_deleted) as contact
       from mailing_list_members m where m.mailing_list_id = l.id
       order by m.contact_external_id limit $3 offset $4
     ) page on true
     where l.id = $2 and l.directory_id = $1
     order by page."contactExternalId"`,
    [directoryId, listId, window.limit, window.offset],
  );
  const name = rows[0]?.name;
  const page = toPage(rows.map(({ name: _, ...row }) => row), 'contactExternalId', window);
  return page && name !== undefined ? { ...page, name } : null;
}
