import type { Queryable } from '../../core/db.ts';
import type { WidgetSettings } from './config.ts';

/*
 * The Strategic Accounts widget's reads, in two statements: one orders every listed account and
 * keeps a page of ids, one reads that page whole. Answers are counted per account and period from
 * the monthly counts (021_nps_monthly_counts.sql) and the answers at the edges; NPS and health are
 * the SQL functions nps_score and nps_health, so ordering and display can never disagree.
 */

/** Which accounts are listed: `pattern` is a LIKE pattern on the name; `userEmail` keeps the accounts where that user holds a management role. */
export type AccountScope = { directoryId: number; pattern: string | null; userEmail: string | null; rollUp: boolean };

/** One period: from `start` to before `until`, calendar dates in `timeZone`. */
export type Bucket = { start: string; until: string };

export const statSortKeys = ['health', 'nps', 'change', 'responses'] as const;

/** The statement's parameters, numbered as they are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function listedCte(scope: AccountScope, p: Params, dir: string): string {
  const topLevel = scope.rollUp
    ? `and not exists (select 1 from accounts up where up.directory_id = ${dir} and up.external_id = a.parent_external_id and not up.is_deleted)`
    : '';
  const pattern = p.add(scope.pattern);
  const user = p.add(scope.userEmail);
  return `listed as (
    select a.external_id, a.display_name, a.attributes, a.parent_external_id from accounts a
    where a.directory_id = ${dir} and not a.is_deleted ${topLevel}
      and (${pattern}::text is null or a.display_name ilike ${pattern})
      and (${user}::text is null or exists (select 1 from management_roles m where m.directory_id = ${dir}
        and m.account_external_id = a.external_id and lower(m.user_email) = lower(${user}) and not m.is_deleted))
  )`;
}

/** `members(root, member)`: each listed account with itself and, rolled up, every live account below it. */
function membersCte(roots: string, rollUp: boolean, dir: string): string {
  if (!rollUp) return `members as (select external_id as root, external_id as member from ${roots})`;
  return `members as (
    with recursive tree (root, member) as (
      select external_id, external_id from ${roots}
      union all
      select t.root, c.external_id from tree t
      join accounts c on c.directory_id = ${dir} and c.parent_external_id = t.member and not c.is_deleted
    ) select root, member from tree
  )`;
}

/**
 * `bounds(i, lo, hi)` (i from 1) and `stats(root, i, promoters, passives, detractors, responses)`
 * of the members' answers. Whole UTC months come from nps_monthly_counts; each period boundary is
 * moved to the nearest month boundary (a period ending today: the next one, since no answer lies
 * ahead) and the answers in between are added or taken away, so the counts are exact in any time
 * zone and on any as-of date.
 */
function statsCtes(buckets: Bucket[], timeZone: string, p: Params, dir: string): string {
  const starts = p.add(buckets.map((b) => b.start));
  const untils = p.add(buckets.map((b) => b.until));
  const zone = p.add(timeZone);
  const floor = (t: string) => `(date_trunc('month', ${t} at time zone 'UTC') at time zone 'UTC')`;
  const ceil = (t: string) => `(case when ${floor(t)} = ${t} then ${t} else ${floor(t)} + interval '1 month' end)`;
  return `bounds as (
    select i::int, s::timestamp at time zone ${zone} as lo, e::timestamp at time zone ${zone} as hi
    from unnest(${starts}::date[], ${untils}::date[]) with ordinality as b (s, e, i)
  ), months as (
    select i, lo, hi,
      case when lo - ${floor('lo')} <= ${ceil('lo')} - lo then ${floor('lo')} else ${ceil('lo')} end as month_lo,
      case when hi >= now() or ${ceil('hi')} - hi < hi - ${floor('hi')} then ${ceil('hi')} else ${floor('hi')} end as month_hi
    from bounds
  ), edges as (
    select i, least(lo, month_lo) as t_from, greatest(lo, month_lo) as t_to, case when month_lo < lo then -1 else 1 end as sign from months where month_lo <> lo
    union all
    select i, least(hi, month_hi), greatest(hi, month_hi), case when month_hi > hi then -1 else 1 end from months where month_hi <> hi
  ), pieces as (
    select m.root, b.i, c.promoters, c.passives, c.detractors
    from members m cross join months b
    join nps_monthly_counts c on c.directory_id = ${dir} and c.account_external_id = m.member
      and c.month >= (b.month_lo at time zone 'UTC')::date and c.month < (b.month_hi at time zone 'UTC')::date
    union all
    select m.root, e.i, e.sign * (r.score >= 9)::int, e.sign * (r.score between 7 and 8)::int, e.sign * (r.score <= 6)::int
    from edges e
    join nps_responses r on r.directory_id = ${dir} and r.responded_at >= e.t_from and r.responded_at < e.t_to
    join members m on m.member = r.account_external_id
  ), stats as (
    select root, i, sum(promoters)::int as promoters, sum(passives)::int as passives, sum(detractors)::int as detractors,
      sum(promoters + passives + detractors)::int as responses
    from pieces group by root, i
  )`;
}

function arrExpression(settings: WidgetSettings, p: Params, alias: string): string {
  if (!settings.arr) return 'null::numeric';
  const perYear = settings.arr.termUnit === 'months' ? ' * 12' : '';
  return `(${alias}.attributes ->> ${p.add(settings.arr.amountAttribute)})::numeric${perYear} / nullif((${alias}.attributes ->> ${p.add(settings.arr.termAttribute)})::numeric, 0)`;
}

function healthCall(settings: WidgetSettings, p: Params, responses: string, nps: string, previous: string): string {
  const h = settings.health;
  return `nps_health(${responses}, ${nps}, ${previous}, ${p.add(h.minResponses)}, ${p.add(h.atRiskBelow)}, ${p.add(h.atRiskDrop)}, ${p.add(h.opportunityFrom)})`;
}

/** Who holds a role on account `a`: the users of a management role, or the contacts of a client role. */
function holders(role: string, dir: string): string {
  return `(select string_agg(h.name, ', ' order by h.name) from (
      select m.user_email as name from management_roles m
      where m.directory_id = ${dir} and m.account_external_id = a.external_id and m.role_name = ${role} and not m.is_deleted
      union all
      select concat_ws(' ', c.first_name, c.last_name) from contacts c
      where c.directory_id = ${dir} and c.account_external_id = a.external_id and c.client_role = ${role} and not c.is_deleted
    ) h)`;
}

const liveParentName = (dir: string) =>
  `(select p.display_name from accounts p where p.directory_id = ${dir} and p.external_id = a.parent_external_id and not p.is_deleted)`;

/** An order key of a column of listed account `a`: Integer and Decimal attributes compare as numbers, the rest as text. */
function columnKey(field: string, p: Params, dir: string): string[] {
  if (field === 'externalId') return ['a.external_id'];
  if (field === 'parent') return [`lower(${liveParentName(dir)})`];
  if (field.startsWith('role:')) return [`lower(${holders(p.add(field.slice(5)), dir)})`];
  const name = p.add(field.slice(10));
  return [
    `case when (select data_type from account_attribute_definitions where directory_id = ${dir} and name = ${name}) in ('Integer', 'Decimal')
      then (a.attributes ->> ${name})::numeric end`,
    `lower(a.attributes ->> ${name})`,
  ];
}

export type Order = { key: string; descending: boolean; limit: number; offset: number };

/**
 * How many accounts are listed, and the ids of one page of them in order. Ordering by an NPS
 * figure counts the current and previous period of every listed account; any other order counts
 * nothing here.
 */
export async function orderAccounts(
  db: Queryable,
  scope: AccountScope,
  settings: WidgetSettings,
  current: { previous: Bucket; current: Bucket },
  order: Order,
): Promise<{ total: number; ids: string[] }> {
  const p = new Params();
  const dir = p.add(scope.directoryId);
  const ctes = [listedCte(scope, p, dir)];
  const direction = order.descending ? 'desc' : 'asc';
  let keys: string[];
  let from = 'listed a';
  const needsMembers = (statSortKeys as readonly string[]).includes(order.key) || (order.key === 'arr' && scope.rollUp);
  if (needsMembers) ctes.push(membersCte('listed', scope.rollUp, dir));
  if ((statSortKeys as readonly string[]).includes(order.key)) {
    ctes.push(statsCtes([current.previous, current.current], settings.timeZone, p, dir));
    from = `listed a left join stats cur on cur.root = a.external_id and cur.i = 2 left join stats prev on prev.root = a.external_id and prev.i = 1`;
    const nps = 'nps_score(cur.promoters, cur.detractors, cur.responses)';
    const previous = 'nps_score(prev.promoters, prev.detractors, prev.responses)';
    // Only the chosen key's parameters may be added: Postgres refuses a parameter the text never uses.
    const stat = order.key as (typeof statSortKeys)[number];
    if (stat === 'nps') keys = [nps];
    else if (stat === 'change') keys = [`${nps} - ${previous}`];
    else if (stat === 'responses') keys = ['coalesce(cur.responses, 0)'];
    else {
      const health = healthCall(settings, p, 'coalesce(cur.responses, 0)', nps, previous);
      keys = [`array_position(array['At Risk', 'Neutral', 'Opportunity', 'Not enough data'], ${health})`];
    }
  } else if (order.key === 'arr') {
    if (scope.rollUp) {
      ctes.push(`rolled_arr as (select m.root, sum(${arrExpression(settings, p, 'ma')}) as arr from members m
        join accounts ma on ma.directory_id = ${dir} and ma.external_id = m.member group by m.root)`);
      from = 'listed a left join rolled_arr ra on ra.root = a.external_id';
      keys = ['ra.arr'];
    } else {
      keys = [arrExpression(settings, p, 'a')];
    }
  } else if (order.key === 'client') {
    keys = [];
  } else {
    keys = columnKey(order.key, p, dir);
  }
  const orderBy = [...keys.map((k) => `${k} ${direction} nulls last`), `lower(a.display_name) ${order.key === 'client' ? direction : 'asc'}`, 'a.external_id'];
  const [row] = await db.query<{ total: number; ids: string[] }>(
    `with ${ctes.join(', ')}
    select (select count(*)::int from listed) as total,
      array(select a.external_id from ${from} order by ${orderBy.join(', ')} limit ${p.add(order.limit)} offset ${p.add(order.offset)}) as ids`,
    p.values,
  );
  return row!;
}

export type BucketCounts = { promoters: number; passives: number; detractors: number; responses: number; nps: number | null };

export type AccountRow = {
  id: string;
  name: string;
  attributes: Record<string, string | number | null>;
  parent: string | null;
  roles: Record<string, string | null> | null;
  /** Per bucket, oldest first: the last is the current period, the one before it the previous. */
  buckets: BucketCounts[];
  health: string;
  /** [amount, term] of the account and, rolled up, of each account below it, as stored. */
  arrInputs: [string | null, string | null][] | null;
};

/** The page's accounts, in the order of `ids`, with their counts per bucket. */
export async function readAccounts(db: Queryable, scope: AccountScope, settings: WidgetSettings, ids: string[], buckets: Bucket[], roles: string[]): Promise<AccountRow[]> {
  if (ids.length === 0) return [];
  const p = new Params();
  const dir = p.add(scope.directoryId);
  const page = `page as (select external_id, ord from unnest(${p.add(ids)}::text[]) with ordinality as p (external_id, ord))`;
  const stats = statsCtes(buckets, settings.timeZone, p, dir);
  const last = p.add(buckets.length);
  const arrInputs = settings.arr
    ? `(select json_agg(json_build_array(ma.attributes ->> ${p.add(settings.arr.amountAttribute)}, ma.attributes ->> ${p.add(settings.arr.termAttribute)}))
        from members m join accounts ma on ma.directory_id = ${dir} and ma.external_id = m.member where m.root = a.external_id)`
    : 'null';
  const wanted = p.add(roles);
  return db.query<AccountRow>(
    `with ${page}, ${membersCte('page', scope.rollUp, dir)}, ${stats}
    select a.external_id as id, a.display_name as name, a.attributes, ${liveParentName(dir)} as parent,
      (select json_object_agg(want.role, ${holders('want.role', dir)}) from unnest(${wanted}::text[]) as want (role)) as roles,
      (select json_agg(json_build_object('promoters', coalesce(s.promoters, 0), 'passives', coalesce(s.passives, 0),
          'detractors', coalesce(s.detractors, 0), 'responses', coalesce(s.responses, 0), 'nps', nps_score(s.promoters, s.detractors, s.responses)) order by b.i)
        from bounds b left join stats s on s.root = a.external_id and s.i = b.i) as buckets,
      ${healthCall(settings, p, 'coalesce(cur.responses, 0)', 'nps_score(cur.promoters, cur.detractors, cur.responses)', 'nps_score(prev.promoters, prev.detractors, prev.responses)')} as health,
      ${arrInputs} as "arrInputs"
    from page
    join accounts a on a.directory_id = ${dir} and a.external_id = page.external_id
    left join stats cur on cur.root = a.external_id and cur.i = ${last}
    left join stats prev on prev.root = a.external_id and prev.i = ${last} - 1
    order by page.ord`,
    p.values,
  );
}

/** Today's date in `timeZone`, by the database's zone rules (the ones that draw the period boundaries). */
export async function todayIn(db: Queryable, timeZone: string): Promise<string> {
  const [row] = await db.query<{ today: string }>('select (now() at time zone $1)::date::text as today', [timeZone]);
  return row!.today;
}
