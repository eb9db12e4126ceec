import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';
import { toPage, type Page, type PagedRows, type Window } from '../../core/page.ts';

/*
 * The directory as the API shows it: only live rows (not deleted), keyed by the source's external
 * ids. `$1` is always the directory id. Names sort case-insensitively, the external id breaking ties.
 * Lists are one statement each (see PagedRows in ../page.ts for their shape): the matching keys
 * are counted, and only the page's rows are read in full.
 */

/** Stored as jsonb: Decimal and DateTime values are strings, Integer values numbers. */
const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
export type Attributes = z.infer<typeof attributesSchema>;

export const accountListItemSchema = z.object({
  externalId: z.string(),
  displayName: z.string(),
  parentExternalId: z.string().nullable(),
  attributes: attributesSchema,
  updatedAt: z.date(),
});
export type AccountListItem = z.infer<typeof accountListItemSchema>;

const accountRefSchema = z.object({ externalId: z.string(), displayName: z.string() });
export type AccountRef = z.infer<typeof accountRefSchema>;

export const accountDetailSchema = z.object({
  externalId: z.string(),
  displayName: z.string(),
  attributes: attributesSchema,
  parent: accountRefSchema.nullable(),
  children: z.array(accountRefSchema),
  clientRoles: z.array(z.object({ contactExternalId: z.string(), firstName: z.string().nullable(), lastName: z.string().nullable(), email: z.string().nullable(), roleName: z.string() })),
  managementRoles: z.array(z.object({ userEmail: z.string(), roleName: z.string() })),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type AccountDetail = z.infer<typeof accountDetailSchema>;

export const contactListItemSchema = z.object({
  externalId: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
  attributes: attributesSchema,
  accounts: z.array(z.object({ externalId: z.string(), roleName: z.string() })),
});
export type ContactListItem = z.infer<typeof contactListItemSchema>;

export type Search = Window & { directoryId: number; pattern: string | null };

/** A live account's parent, when the parent account is live. */
const liveParent = `
  select p.external_id, p.display_name from accounts p
  where p.directory_id = $1 and p.external_id = a.parent_external_id and not p.is_deleted`;

/** `pattern` is a LIKE pattern (see containsPattern) matched against the name or the external id. */
export async function listAccounts(db: Queryable, search: Search): Promise<Page<AccountListItem> | null> {
  const rows = await db.query<PagedRows<AccountListItem>[number]>(
    `with matches as (
      select a.external_id, a.display_name from accounts a
      where a.directory_id = $1 and not a.is_deleted
        and ($4::text is null or a.display_name ilike $4 or a.external_id ilike $4)
    )
    select (select count(*) from matches)::int as total, page.*
    from directories d
    left join lateral (
      select a.external_id as "externalId", a.display_name as "displayName", (select parent.external_id from (${liveParent}) parent) as "parentExternalId",
        a.attributes, a.updated_at as "updatedAt"
      from (select * from matches order by lower(display_name), external_id limit $2 offset $3) m
      join accounts a on a.directory_id = $1 and a.external_id = m.external_id
    ) page on true
    where d.id = $1
    order by lower(page."displayName"), page."externalId"`,
    [search.directoryId, search.limit, search.offset, search.pattern],
  );
  return toPage(rows, 'externalId', search);
}

export async function findAccount(db: Queryable, directoryId: number, externalId: string): Promise<AccountDetail | null> {
  const [account] = await db.query<AccountDetail>(
    `select a.external_id as "externalId", a.display_name as "displayName", a.attributes,
      (select json_build_object('externalId', parent.external_id, 'displayName', parent.display_name) from (${liveParent}) parent) as parent,
      coalesce((
        select json_agg(json_build_object('externalId', c.external_id, 'displayName', c.display_name) order by lower(c.display_name), c.external_id)
        from accounts c
        where c.directory_id = $1 and c.parent_external_id = a.external_id and not c.is_deleted
      ), '[]') as children,
      coalesce((
        select json_agg(json_build_object('contactExternalId', c.external_id, 'firstName', c.first_name, 'lastName', c.last_name,
            'email', c.email, 'roleName', c.client_role) order by lower(c.last_name), lower(c.first_name), c.external_id)
        from contacts c
        where c.directory_id = $1 and c.account_external_id = a.external_id and c.client_role is not null and not c.is_deleted
      ), '[]') as "clientRoles",
      coalesce((
        select json_agg(json_build_object('userEmail', m.user_email, 'roleName', m.role_name)
            order by m.role_name <> 'ACCOUNT_OWNER', m.user_email)
        from management_roles m
        where m.directory_id = $1 and m.account_external_id = a.external_id and not m.is_deleted
      ), '[]') as "managementRoles",
      a.created_at as "createdAt", a.updated_at as "updatedAt"
    from accounts a
    where a.directory_id = $1 and a.external_id = $2 and not a.is_deleted`,
    [directoryId, externalId],
  );
  return account ?? null;
}

/** `pattern` is matched against "first last", the email and the external id. */
export async function listContacts(db: Queryable, search: Search): Promise<Page<ContactListItem> | null> {
  const rows = await db.query<PagedRows<ContactListItem>[number]>(
    `with matches as (
      select c.external_id, c.first_name, c.last_name from contacts c
      where c.directory_id = $1 and not c.is_deleted
        and ($4::text is null or concat_ws(' ', c.first_name, c.last_name) ilike $4 or c.email ilike $4 or c.external_id ilike $4)
    )
    select (select count(*) from matches)::int as total, page.*
    from directories d
    left join lateral (
      select c.external_id as "externalId", c.first_name as "firstName", c.last_name as "lastName", c.email, c.attributes,
        coalesce((
          select json_agg(json_build_object('externalId', a.external_id, 'roleName', c.client_role))
          from accounts a
          where a.directory_id = $1 and a.external_id = c.account_external_id and c.client_role is not null and not a.is_deleted
        ), '[]') as accounts
      from (select * from matches order by lower(last_name), lower(first_name), external_id limit $2 offset $3) m
      join contacts c on c.directory_id = $1 and c.external_id = m.external_id
    ) page on true
    where d.id = $1
    order by lower(page."lastName"), lower(page."firstName"), page."externalId"`,
    [search.directoryId, search.limit, search.offset, search.pattern],
  );
  return toPage(rows, 'externalId', search);
}
