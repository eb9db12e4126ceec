import { z } from 'zod';
import type { AccountsQuery } from '../query-params.ts';
import type { Queryable } from '../../core/db.ts';
import { pageSchema, toPage, type Page, type PagedRows, type Window } from '../../core/page.ts';

/*
 * The directory as the API shows it: only live rows (not deleted), keyed by the source's external
 * ids. `$1` is always the directory id. Names sort case-insensitively, the external id breaking ties.
 * Lists are one statement each (see PagedRows in ../page.ts for their shape): the matching keys
 * are counted (up to countCap), the page's keys are read in the list's order from an index, and
 * only the page's rows are read in full: the rows an offset skips cost an index entry each.
 */

/** Stored as jsonb: Decimal and DateTime values are strings, Integer values numbers. */
const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
export type Attributes = z.infer<typeof attributesSchema>;

export const accountListItemSchema = z.object({
  externalId: z.string(),
  displayName: z.string(),
  parentExternalId: z.string().nullable(),
  parentName: z.string().nullable().describe("the live parent's name, to show beside its id"),
  hasChildren: z.boolean().describe('whether the account has live children (to expand it in the hierarchy)'),
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
  nps: z.object({
    score: z.number().int().nullable().describe('NPS over every answer naming the account; null without answers'),
    promoters: z.number().int(),
    passives: z.number().int(),
    detractors: z.number().int(),
  }),
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
  optedOut: z.boolean().describe('asked for no more surveys, by this contact id or by its address'),
});
export type ContactListItem = z.infer<typeof contactListItemSchema>;

/** How the account list may be ordered (accountsQuery); a leading `-` reverses it. Each order is an index's. */
export type AccountSort = AccountsQuery['sort'];

export type Search = Window & { directoryId: number; pattern: string | null };
export type AccountSearch = Search & { sort: AccountSort; top: boolean };

/**
 * Lists count their matches up to this many and no further: counting a million contacts on every
 * page would cost more than reading the page. A page whose `total` reached it says `capped`. A
 * search stops sooner: each match it counts is its text read and matched again.
 */
export const countCap = 10_000;
export const searchCountCap = 1_000;

/** A page of a directory list, whose total may be a lower bound (see countCap). */
export type CappedPage<T> = Page<T> & { capped: boolean };

export function cappedPageSchema<T extends z.ZodType>(item: T) {
  return pageSchema(item).extend({
    capped: z.boolean().describe(`true when more than ${countCap} items match (${searchCountCap} with a search): \`total\` is then that number, and the last page is found by paging on`),
  });
}

function toCappedPage<T extends object>(rows: PagedRows<T>, key: keyof T, search: Search): CappedPage<T> | null {
  const page = toPage(rows, key, search);
  if (!page) return null;
  const cap = capOf(search);
  return { ...page, total: Math.min(page.total, cap), capped: page.total > cap };
}

const capOf = (search: Search) => (search.pattern === null ? countCap : searchCountCap);

/** `total` as the list statements select it: the matches counted up to one past the cap. */
const cappedCount = (from: string, search: Search) => `(select count(*) from (select 1 from ${from} limit ${capOf(search) + 1}) capped)::int`;

/**
 * The rows a page is ordered from (`columns` are those its order reads). A search's matches are
 * found first, through the trigram index, and then ordered, behind `offset 0`, which keeps the
 * planner from walking the list's order index and testing each row instead: it would guess a
 * common word's matches are spread evenly, but a name searched for sits in one stretch of the
 * names' order, found only after reading all before it. A text shorter than a trigram cannot use
 * the index; matching most rows, its page is found soonest in the list's order.
 */
function searched(rows: string, alias: string, columns: string, search: Search): string {
  if (search.pattern === null || search.pattern.replace(/\\(.)/g, '$1').length - 2 < 3) return rows;
  return `(select ${columns} from ${rows} offset 0) ${alias}`;
}

/** A live account's parent, when the parent account is live. */
const liveParent = `
  select p.external_id, p.display_name from accounts p
  where p.directory_id = $1 and p.external_id = a.parent_external_id and not p.is_deleted`;

const hasLiveChildren = `exists (select 1 from accounts c where c.directory_id = $1 and c.parent_external_id = a.external_id and not c.is_deleted)`;

/**
 * Accounts without a live parent: those without one (accounts_children under a null parent), and the children of
 * deleted accounts (few; index accounts_deleted). A parent is always stored, the loader rejects
 * unknown ones. Two indexed reads, where asking each account for its parent would read them all.
 */
const topOfHierarchy = `(
  select * from accounts where directory_id = $1 and not is_deleted and parent_external_id is null
  union all
  select c.* from accounts p join accounts c on c.directory_id = p.directory_id and c.parent_external_id = p.external_id and not c.is_deleted
  where p.directory_id = $1 and p.is_deleted
)`;

/** Each order, inside the page's statement (`a.`) and over its result (`page.`), the external id breaking ties. */
const accountOrders: Record<AccountSort, { rows: string; page: string }> = {
  name: { rows: 'lower(a.display_name), a.external_id', page: 'lower(page."displayName"), page."externalId"' },
  '-name': { rows: 'lower(a.display_name) desc, a.external_id desc', page: 'lower(page."displayName") desc, page."externalId" desc' },
  externalId: { rows: 'a.external_id', page: 'page."externalId"' },
  '-externalId': { rows: 'a.external_id desc', page: 'page."externalId" desc' },
  updated: { rows: 'a.updated_at, a.external_id', page: 'page."updatedAt", page."externalId"' },
  '-updated': { rows: 'a.updated_at desc, a.external_id desc', page: 'page."updatedAt" desc, page."externalId" desc' },
};

/**
 * Live accounts: all of them, the top of the hierarchy (`top`: no live parent), or one account's
 * children (`parentExternalId`). `pattern` is a LIKE pattern (see containsPattern) matched against
 * the name or the external id, the expression the trigram index accounts_search holds.
 */
async function accountPage(db: Queryable, search: AccountSearch & { parentExternalId?: string }): Promise<CappedPage<AccountListItem> | null> {
  const params: unknown[] = [search.directoryId, search.limit, search.offset];
  const where = ['a.directory_id = $1 and not a.is_deleted'];
  if (search.pattern !== null) where.push(`(a.display_name || chr(1) || a.external_id) ilike $${params.push(search.pattern)}`);
  if (search.parentExternalId !== undefined) where.push(`a.parent_external_id = $${params.push(search.parentExternalId)}`);
  const filter = where.join(' and ');
  const from = search.top ? topOfHierarchy : 'accounts';
  const order = accountOrders[search.sort];
  const rows = await db.query<PagedRows<AccountListItem>[number]>(
    `select ${cappedCount(`${from} a where ${filter}`, search)} as total, page.*
    from directories d
    left join lateral (
      select a.external_id as "externalId", a.display_name as "displayName", (select parent.external_id from (${liveParent}) parent) as "parentExternalId",
        (select parent.display_name from (${liveParent}) parent) as "parentName", ${hasLiveChildren} as "hasChildren", a.attributes, a.updated_at as "updatedAt"
      from (select a.external_id from ${searched(`${from} a where ${filter}`, 'a', 'a.external_id, a.display_name, a.updated_at', search)} order by ${order.rows} limit $2 offset $3) k
      join accounts a on a.directory_id = $1 and a.external_id = k.external_id
    ) page on true
    where d.id = $1
    order by ${order.page}`,
    params,
  );
  return toCappedPage(rows, 'externalId', search);
}

export function listAccounts(db: Queryable, search: AccountSearch): Promise<CappedPage<AccountListItem> | null> {
  return accountPage(db, search);
}

/** One account's live children by name; null when the directory does not exist. */
export function listChildren(db: Queryable, directoryId: number, parentExternalId: string, window: Window): Promise<CappedPage<AccountListItem> | null> {
  return accountPage(db, { directoryId, ...window, pattern: null, sort: 'name', top: false, parentExternalId });
}

export async function accountExists(db: Queryable, directoryId: number, externalId: string): Promise<boolean> {
  const [row] = await db.query('select 1 from accounts where directory_id = $1 and external_id = $2 and not is_deleted', [directoryId, externalId]);
  return row !== undefined;
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
      (select json_build_object('score', nps_score(sum(y.promoters)::int, sum(y.detractors)::int, sum(y.promoters + y.passives + y.detractors)::int),
          'promoters', coalesce(sum(y.promoters), 0), 'passives', coalesce(sum(y.passives), 0), 'detractors', coalesce(sum(y.detractors), 0))
        from nps_yearly_counts y where y.directory_id = $1 and y.account_external_id = a.external_id) as nps,
      a.created_at as "createdAt", a.updated_at as "updatedAt"
    from accounts a
    where a.directory_id = $1 and a.external_id = $2 and not a.is_deleted`,
    [directoryId, externalId],
  );
  return account ?? null;
}

/** Whether a contact asked for no more surveys, by its id or by its address (as sending skips it). */
export const optedOut = `exists (select 1 from opt_outs o where o.directory_id = $1
  and (o.contact_external_id = c.external_id or (c.email is not null and lower(o.email) = lower(c.email))))`;

const contactText = `(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '') || chr(1) || coalesce(c.email, '') || chr(1) || c.external_id)`;

/**
 * An address searched for (`lou.walkson12345@example`) is found through its name part: the domain's
 * trigrams are in most contacts' text (every address of a company ends alike, most in `.com`), and
 * the index would read all their lists to keep a few rows. The whole pattern is then checked on the
 * rows found, through an expression the index does not hold, so the planner cannot send it there too.
 */
function contactMatch(pattern: string): { where: string; params: string[] } {
  const at = pattern.indexOf('@');
  const name = at === -1 ? '' : pattern.slice(0, at).replace(/\\(.)/g, '$1').replace(/^%/, '');
  if (name.length < 3) return { where: `${contactText} ilike $4`, params: [pattern] };
  return { where: `${contactText} ilike $4 and (${contactText} || '') ilike $5`, params: [`${pattern.slice(0, at + 1)}%`, pattern] };
}

/** `pattern` is matched against "first last", the email and the external id: the expression of the trigram index contacts_search. */
export async function listContacts(db: Queryable, search: Search): Promise<CappedPage<ContactListItem> | null> {
  const match = search.pattern === null ? null : contactMatch(search.pattern);
  const where = ['c.directory_id = $1 and not c.is_deleted', match?.where ?? ''].filter(Boolean).join(' and ');
  const rows = await db.query<PagedRows<ContactListItem>[number]>(
    `select ${cappedCount(`contacts c where ${where}`, search)} as total, page.*
    from directories d
    left join lateral (
      select c.external_id as "externalId", c.first_name as "firstName", c.last_name as "lastName", c.email, c.attributes,
        coalesce((
          select json_agg(json_build_object('externalId', a.external_id, 'roleName', c.client_role))
          from accounts a
          where a.directory_id = $1 and a.external_id = c.account_external_id and c.client_role is not null and not a.is_deleted
        ), '[]') as accounts,
        ${optedOut} as "optedOut"
      from (select c.external_id from ${searched(`contacts c where ${where}`, 'c', 'c.external_id, c.last_name, c.first_name', search)} order by lower(c.last_name), lower(c.first_name), c.external_id limit $2 offset $3) k
      join contacts c on c.directory_id = $1 and c.external_id = k.external_id
    ) page on true
    where d.id = $1
    order by lower(page."lastName"), lower(page."firstName"), page."externalId"`,
    [search.directoryId, search.limit, search.offset, ...(match?.params ?? [])],
  );
  return toCappedPage(rows, 'externalId', search);
}
