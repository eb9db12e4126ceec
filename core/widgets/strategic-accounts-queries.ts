import type { Queryable } from '../db.ts';
import type { Health, SurveyMetric, WidgetSettings } from './config.ts';

/*
 * The Strategic Accounts widget's reads, in two statements: one orders every listed account and
 * keeps a page of ids, one reads that page whole. Answers are counted per account and period from
 * the yearly and monthly counts (021_nps_counts.sql) and the answers at the edges; NPS and health are
 * the SQL functions nps_score and nps_health, so ordering and display can never disagree.
 */

/**
 * Which accounts are listed: `pattern` is a LIKE pattern on the name; `userEmail` keeps the accounts
 * where that user holds a management role. Rolled up, the rows are the top accounts of what is
 * listed: without a user, the accounts without a live parent; with one, the accounts the user holds a
 * role on with no ancestor the user also holds a role on, each adding up only itself and the accounts
 * below it that the user holds a role on, so a user sees no figures of an account they could not list.
 */
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

/** Whether the user of SQL parameter `user` holds a live management role on the account whose id is `account`. */
function holdsRole(user: string, dir: string, account: string): string {
  return `exists (select 1 from management_roles m where m.directory_id = ${dir}
    and m.account_external_id = ${account} and lower(m.user_email) = lower(${user}) and not m.is_deleted)`;
}

function listedCte(scope: AccountScope, p: Params, dir: string, withAttributes: boolean): string {
  const pattern = p.add(scope.pattern);
  const user = p.add(scope.userEmail);
  let topLevel = '';
  if (scope.rollUp && scope.userEmail === null) {
    topLevel = `and not exists (select 1 from accounts up where up.directory_id = ${dir} and up.external_id = a.parent_external_id and not up.is_deleted)`;
  } else if (scope.rollUp) {
    // Up the chain of live parents: an ancestor the user holds a role on lists this account in its sums.
    topLevel = `and not exists (
      with recursive up (external_id, parent_external_id) as (
        select u.external_id, u.parent_external_id from accounts u where u.directory_id = ${dir} and u.external_id = a.parent_external_id and not u.is_deleted
        union all
        select u.external_id, u.parent_external_id from up join accounts u on u.directory_id = ${dir} and u.external_id = up.parent_external_id and not u.is_deleted
      ) select 1 from up where ${holdsRole(user, dir, 'up.external_id')})`;
  }
  return `listed as (
    select a.external_id, a.display_name, a.parent_external_id${withAttributes ? ', a.attributes' : ''} from accounts a
    where a.directory_id = ${dir} and not a.is_deleted ${topLevel}
      and (${pattern}::text is null or a.display_name ilike ${pattern})
      and (${user}::text is null or ${holdsRole(user, dir, 'a.external_id')})
  )`;
}

/**
 * `members(root, member)`: each listed account with itself and, rolled up, every live account below
 * it or, for a user's token (`user`, an SQL parameter), those below it that the user holds a role on.
 */
function membersCte(roots: string, scope: AccountScope, p: Params, dir: string): string {
  if (!scope.rollUp) return `members as (select external_id as root, external_id as member from ${roots})`;
  // For no one user, every live account's top is kept in account_tops (075_survey_metrics.sql): no walk.
  if (scope.userEmail === null) {
    return `members as (select t.top_external_id as root, t.account_external_id as member from ${roots} r
      join account_tops t on t.directory_id = ${dir} and t.top_external_id = r.external_id)`;
  }
  const visible = scope.userEmail === null ? '' : `where root = member or ${holdsRole(p.add(scope.userEmail), dir, 'member')}`;
  return `members as (
    with recursive tree (root, member) as (
      select external_id, external_id from ${roots}
      union all
      select t.root, c.external_id from tree t
      join accounts c on c.directory_id = ${dir} and c.parent_external_id = t.member and not c.is_deleted
    ) select root, member from tree ${visible}
  )`;
}

/** A UTC month or year boundary at or around instant `t`, in SQL. */
const floorTo = (unit: 'month' | 'year', t: string) => `(date_trunc('${unit}', ${t} at time zone 'UTC') at time zone 'UTC')`;
const ceilTo = (unit: 'month' | 'year', t: string) => `(case when ${floorTo(unit, t)} = ${t} then ${t} else ${floorTo(unit, t)} + interval '1 ${unit}' end)`;
const utcDate = (t: string) => `(${t} at time zone 'UTC')::date`;

/**
 * `bounds(i, lo, hi)` (i from 1) and `stats(root, i, promoters, passives, detractors, responses)`
 * of the members' answers. Counts come from whole UTC years (nps_yearly_counts) and months
 * (nps_monthly_counts): a period's start moves to the nearest month boundary, its end too, or, for
 * a period still running, to the end of its year (nothing is answered ahead of now), and the answers
 * between each true boundary and the one used are added or taken away. So the counts are exact in
 * any time zone and on any as-of date, and a year costs one row per account. Without `viaMembers`
 * every account of the directory is counted (cheaper than a join when all of them are listed);
 * without `withStats` only `pieces(root, i, promoters, passives, detractors)` is defined. A
 * configuration whose NPS counts only some sources sums theirs (077_nps_source_counts.sql); one
 * that counts each contact's latest answer takes away the answers superseded in the period (078),
 * or, for some sources only, counts the answers themselves (answerPieces).
 */
function statsCtes(buckets: Bucket[], settings: WidgetSettings, p: Params, dir: string, viaMembers = true, withStats = true): string {
  const bounds = boundsCte(buckets, settings.timeZone, p);
  const filter = sourceFilter(settings, p);
  const latest = settings.npsCounting === 'latestPerContact';
  // Ordering every account by each contact's latest answer counts every answer less those
  // superseded in the period, but only when every source counts (a superseding answer may be of
  // any source). A page's few accounts read their own answers: fewer than the superseded ones of
  // the whole directory.
  const pieces = !latest || (!viaMembers && filter === null) ? countedPieces(dir, viaMembers, filter, latest) : answerPieces(filter, dir, viaMembers);
  const stats = `stats as (
    select root, i, sum(promoters)::int as promoters, sum(passives)::int as passives, sum(detractors)::int as detractors,
      sum(promoters + passives + detractors)::int as responses
    from pieces group by root, i
  )`;
  return [bounds, pieces, ...(withStats ? [stats] : [])].join(', ');
}

/** `bounds(i, lo, hi)`, i from 1: each bucket's instants in the configuration's time zone. */
function boundsCte(buckets: Bucket[], timeZone: string, p: Params): string {
  const starts = p.add(buckets.map((b) => b.start));
  const untils = p.add(buckets.map((b) => b.until));
  const zone = p.add(timeZone);
  return `bounds as (
    select i::int, s::timestamp at time zone ${zone} as lo, e::timestamp at time zone ${zone} as hi
    from unnest(${starts}::date[], ${untils}::date[]) with ordinality as b (s, e, i)
  )`;
}

/**
 * Which sources a configuration's NPS counts, as a condition on an answer's source (`nps_source`:
 * its survey, or 0 for imported history and a deleted survey's answers), or null for every source.
 */
function sourceFilter(settings: WidgetSettings, p: Params): ((source: string) => string) | null {
  const { surveys, importedHistory } = settings.npsSource;
  if (surveys === 'all') return importedHistory ? null : (source) => `${source} <> 0`;
  const chosen = p.add(surveys);
  return importedHistory ? (source) => `(${source} = 0 or ${source} = any(${chosen}::bigint[]))` : (source) => `${source} = any(${chosen}::bigint[])`;
}

/**
 * `pieces` counted from the answers themselves, for a configuration whose NPS counts each contact's
 * latest answer in the period: for a page's accounts, or among some sources only.
 */
function answerPieces(filter: ((source: string) => string) | null, dir: string, viaMembers: boolean): string {
  const source = filter ? ` and ${filter('nps_source(r.survey_id)')}` : '';
  const scores = '(r.score >= 9)::int as promoters, (r.score between 7 and 8)::int as passives, (r.score <= 6)::int as detractors';
  if (viaMembers) {
    // Each contact's latest answer for the account in the bucket.
    const read = `select distinct on (r.contact_external_id) r.score from nps_responses r
      where r.directory_id = ${dir} and r.account_external_id = m.member and r.responded_at >= b.lo and r.responded_at < b.hi${source}
      order by r.contact_external_id, r.responded_at desc, r.score`;
    return `pieces as (
      select m.root, b.i, ${scores} from members m cross join bounds b cross join lateral (${read}) r
    )`;
  }
  const every = `select r.account_external_id as root, b.i, r.contact_external_id, r.responded_at, r.score from bounds b
    join nps_responses r on r.directory_id = ${dir} and r.responded_at >= b.lo and r.responded_at < b.hi and r.account_external_id is not null${source}`;
  const read = `select distinct on (root, i, contact_external_id) * from (${every}) r order by root, i, contact_external_id, responded_at desc, score`;
  return `pieces as (select r.root, r.i, ${scores} from (${read}) r)`;
}

/** The UTC month boundary nearest instant `t` (the earlier one when both are as near), in SQL. */
const nearestMonth = (t: string) => `(case when ${t} - ${floorTo('month', t)} <= ${ceilTo('month', t)} - ${t} then ${floorTo('month', t)} else ${ceilTo('month', t)} end)`;

/**
 * `snapped(i, lo, hi, start_at, end_at)`: each bucket's bounds moved to the nearest month boundary
 * or, for a bucket still running, its end to the end of its `runningTo` (nothing is answered ahead
 * of now); `edges(i, t_from, t_to, sign)`: the spans between, whose answers are added (+1) or taken away (-1).
 */
function snapCtes(snapped: string, edges: string, runningTo: 'month' | 'year'): string {
  return `${snapped} as (
    select i, lo, hi, ${nearestMonth('lo')} as start_at,
      case when hi >= now() then ${ceilTo(runningTo, 'hi')} else ${nearestMonth('hi')} end as end_at
    from bounds
  ), ${edges} as (
    select i, least(lo, start_at) as t_from, greatest(lo, start_at) as t_to, case when start_at < lo then -1 else 1 end as sign from ${snapped} where start_at <> lo
    union all
    select i, least(hi, end_at), greatest(hi, end_at), case when end_at > hi then -1 else 1 end from ${snapped} where end_at <> hi
  )`;
}

/**
 * `pieces` from the monthly and yearly counts, with the answers at the edges (see statsCtes); for
 * some sources only (`filter`), from each source's.
 */
function countedPieces(dir: string, viaMembers: boolean, filter: ((source: string) => string) | null, latest: boolean): string {
  const sources = filter ? ` and ${filter('c.source')}` : '';
  const rollups = filter
    ? [
        { table: 'nps_source_monthly_counts', column: 'month', span: 'month', where: sources },
        { table: 'nps_source_yearly_counts', column: 'year', span: 'year', where: sources },
      ]
    : [
        { table: 'nps_monthly_counts', column: 'month', span: 'month', where: '' },
        { table: 'nps_yearly_counts', column: 'year', span: 'year', where: '' },
      ];
  const answerSource = filter ? ` and ${filter('nps_source(r.survey_id)')}` : '';
  // Via members, one range of rows per member, from the first bucket's start to the last one's
  // end, is read first (materialized, or Postgres reads it again per bucket), and each row then
  // finds its buckets: a probe per member, not one per member and bucket. Postgres guesses a
  // recursive CTE a hundred times too large and would read every account's rows; "offset 0" keeps
  // the lateral read per member, through the primary key.
  const memberRows = viaMembers
    ? rollups.map(({ table, column, span, where }) => `, ${span}_rows as materialized (
        select m.root, c.at, c.promoters, c.passives, c.detractors
        from members m join range_limits l on l.span = '${span}'
        cross join lateral (select c.${column} as at, c.promoters, c.passives, c.detractors from ${table} c
          where c.directory_id = ${dir} and c.account_external_id = m.member and c.${column} >= l.d_from and c.${column} < l.d_to${where} offset 0) c
      )`).join('')
    : '';
  const counted = rollups.map(({ table, column, span, where }) =>
    viaMembers
      ? `select c.root, g.i, g.sign * c.promoters as promoters, g.sign * c.passives as passives, g.sign * c.detractors as detractors
        from ${span}_rows c join ranges g on g.span = '${span}' and c.at >= g.d_from and c.at < g.d_to`
      : `select c.account_external_id as root, g.i, g.sign * c.promoters as promoters, g.sign * c.passives as passives, g.sign * c.detractors as detractors
        from ranges g join ${table} c on g.span = '${span}' and c.directory_id = ${dir}
          and c.${column} >= g.d_from and c.${column} < g.d_to${where}`,
  );
  return `${snapCtes('snapped', 'edges', 'year')}, spans as (
    select i, start_at, end_at,
      case when ${ceilTo('year', 'start_at')} < ${floorTo('year', 'end_at')} then ${ceilTo('year', 'start_at')} else end_at end as years_from,
      case when ${ceilTo('year', 'start_at')} < ${floorTo('year', 'end_at')} then ${floorTo('year', 'end_at')} else end_at end as years_to
    from snapped
  ), plain_ranges as (
    select i, 'month' as span, start_at as r_from, years_from as r_to from spans where start_at < years_from
    union all select i, 'year', years_from, years_to from spans where years_from < years_to
    union all select i, 'month', years_to, end_at from spans where years_to < end_at
  ), month_runs as (
    -- More than six months of one year cost fewer rows as the year less the months left out.
    select i, r_from, r_to, ${floorTo('year', 'r_from')} as y_from, ${floorTo('year', 'r_from')} + interval '1 year' as y_to,
      r_to <= ${floorTo('year', 'r_from')} + interval '1 year' and r_to > r_from + interval '6 months' as as_year
    from plain_ranges where span = 'month'
  ), ranges as materialized (
    select i, span, ${utcDate('r_from')} as d_from, ${utcDate('r_to')} as d_to, sign from (
      select i, span, r_from, r_to, 1 as sign from plain_ranges where span = 'year'
      union all select i, 'month', r_from, r_to, 1 from month_runs where not as_year
      union all select i, 'year', y_from, y_to, 1 from month_runs where as_year
      union all select i, 'month', y_from, r_from, -1 from month_runs where as_year and y_from < r_from
      union all select i, 'month', r_to, y_to, -1 from month_runs where as_year and r_to < y_to
    ) r
  ), range_limits as materialized (
    select span, min(d_from) as d_from, max(d_to) as d_to from ranges group by span
  )${memberRows}, pieces as (
    ${counted.join(' union all ')}
    union all
    select ${viaMembers ? 'm.root' : 'r.account_external_id'}, e.i, e.sign * (r.score >= 9)::int, e.sign * (r.score between 7 and 8)::int, e.sign * (r.score <= 6)::int
    from edges e
    ${viaMembers
      ? `join nps_responses r on r.directory_id = ${dir} and r.responded_at >= e.t_from and r.responded_at < e.t_to${answerSource}
        join members m on m.member = r.account_external_id`
      : // Per edge, through the time index: a source filter alone would tempt Postgres to scan every answer.
        `cross join lateral (select r.account_external_id, r.score from nps_responses r
          where r.directory_id = ${dir} and r.responded_at >= e.t_from and r.responded_at < e.t_to${answerSource} offset 0) r`}
    ${latest ? supersededPieces(dir) : ''}
  )`;
}


/**
 * The answers of each bucket that the same contact's next answer for the same account, given
 * before the bucket's end, superseded, taken away (a `pieces` branch): what is left of the bucket's
 * answers is each contact's latest. Read per bucket from nps_superseded_answers (078).
 */
function supersededPieces(dir: string): string {
  return `union all
    select s.account_external_id, b.i, -(s.score >= 9)::int, -(s.score between 7 and 8)::int, -(s.score <= 6)::int
    from bounds b cross join lateral (select r.account_external_id, r.score from nps_superseded_answers r
      where r.directory_id = ${dir} and r.next_at >= b.lo and r.next_at < b.hi and r.responded_at >= b.lo offset 0) s`;
}

/** A survey metric to read, in every bucket (the chart's) or in the current one only (a key metric's). */
export type WantedSurveyMetric = SurveyMetric & { everyBucket: boolean };

/**
 * The survey metrics of the members' answers (after `bounds` and `members`): `wanted(k, survey,
 * question, statistic, every_bucket)`, k from 1 in the order of `metrics`; `survey_sums(root, i,
 * survey, question, answers, total)` of each bucket and question summed, from whole UTC months (survey_answer_months, one range read per
 * member) with the answers between each true boundary and the nearest month boundary added or
 * taken away, as the NPS counts are; and `survey_latest(root, i, k, value)`: the newest answer given
 * before the bucket's end, of any member. A key metric's are read for the current bucket only.
 */
function surveyCtes(metrics: WantedSurveyMetric[], p: Params, dir: string, last: string): string {
  const wanted = `wanted as (
    select k::int, survey, question, statistic, every_bucket
    from unnest(${p.add(metrics.map((m) => m.surveyId))}::bigint[], ${p.add(metrics.map((m) => m.question))}::text[],
      ${p.add(metrics.map((m) => m.statistic))}::text[], ${p.add(metrics.map((m) => m.everyBucket))}::boolean[])
      with ordinality as w (survey, question, statistic, every_bucket, k)
  )`;
  const inBucket = (i: string) => `(w.every_bucket or ${i} = ${last})`;
  // Month dates computed once, not per month row read.
  return `${wanted}, ${snapCtes('survey_snapped', 'survey_edges', 'month')}, survey_months as materialized (
    select i, ${utcDate('start_at')} as m_from, ${utcDate('end_at')} as m_to from survey_snapped
  ), summed as (
    -- An average and a count of one question sum the same answers: read once.
    select survey, question, bool_or(every_bucket) as every_bucket from wanted w where w.statistic <> 'latest' group by survey, question
  ), survey_ranges as (
    select w.survey, w.question, min(s.m_from) as m_from, max(s.m_to) as m_to
    from summed w join survey_months s on ${inBucket('s.i')} group by w.survey, w.question
  ), survey_pieces as (
    -- The buckets' months follow one another, so a month's bucket is found by its start among theirs.
    select m.root, c.i, g.survey, g.question, c.answers, c.total
    from members m cross join survey_ranges g
    cross join lateral (select width_bucket(c.month, (select array_agg(m_from order by i) from survey_months)) as i, sum(c.answers) as answers, sum(c.total) as total
      from survey_answer_months c
      where c.directory_id = ${dir} and c.account_external_id = m.member and c.survey_id = g.survey and c.question = g.question
        and c.month >= g.m_from and c.month < g.m_to group by 1) c
    union all
    select m.root, e.i, w.survey, w.question, e.sign, e.sign * v.value
    from members m cross join survey_edges e join summed w on ${inBucket('e.i')}
    cross join lateral (select r.score, r.answers from nps_responses r
      where r.directory_id = ${dir} and r.account_external_id = m.member and r.survey_id = w.survey and r.responded_at >= e.t_from and r.responded_at < e.t_to offset 0) r
    cross join lateral survey_answer_values(r.score, r.answers) v
    where v.question = w.question
  ), survey_sums as (
    select root, i, survey, question, sum(answers)::int as answers, sum(total) as total from survey_pieces group by root, i, survey, question
  ), survey_latest as (
    select distinct on (m.root, b.i, w.k) m.root, b.i, w.k, l.value
    from members m cross join bounds b join wanted w on w.statistic = 'latest' and ${inBucket('b.i')}
    cross join lateral (select v.value, r.responded_at, r.id from nps_responses r cross join lateral survey_answer_values(r.score, r.answers) v
      where r.directory_id = ${dir} and r.account_external_id = m.member and r.survey_id = w.survey and r.responded_at < b.hi and v.question = w.question
      order by r.responded_at desc, r.id desc limit 1) l
    order by m.root, b.i, w.k, l.responded_at desc, l.id desc
  ), survey_figures as materialized (
    -- Once for the page's accounts, not once per account.
    select r.root, json_build_object('answers', array_agg(coalesce(ss.answers, 0) order by w.k, b.i),
        'totals', array_agg(ss.total::text order by w.k, b.i), 'latest', array_agg(sl.value::text order by w.k, b.i)) as figures
    from (select distinct root from members) r cross join wanted w cross join bounds b
    left join survey_sums ss on ss.root = r.root and ss.i = b.i and ss.survey = w.survey and ss.question = w.question
    left join survey_latest sl on sl.root = r.root and sl.i = b.i and sl.k = w.k
    group by r.root
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

/**
 * `paired(root, cur_responses, nps, previous_nps)`: each account's answers in the current and the
 * previous period and the NPS of each. Every account of the directory is counted, then, rolled up,
 * added into its root through `members`, which the caller defines.
 */
function pairedCtes(settings: WidgetSettings, current: { previous: Bucket; current: Bucket }, p: Params, dir: string, rollUp: boolean): string[] {
  const ctes: string[] = [];
  // Every account of the directory is counted, then, rolled up, added into its top account.
  // Without the per-period stats, pieces has one reader and Postgres streams it instead of storing it.
  ctes.push(statsCtes([current.previous, current.current], settings, p, dir, false, false));
  // Both periods of an account on one row, their NPS computed once: materialized, so nps_health
  // gets plain columns and Postgres inlines it (an inlined function is ten times cheaper per row).
  const sums = (i: number, prefix: string) =>
    `sum(promoters) filter (where i = ${i})::int as ${prefix}_promoters, sum(detractors) filter (where i = ${i})::int as ${prefix}_detractors,
    sum(promoters + passives + detractors) filter (where i = ${i})::int as ${prefix}_responses`;
  ctes.push(`per_account as (select root, ${sums(2, 'cur')}, ${sums(1, 'prev')} from pieces group by root)`);
  // Rolled up, each account's counts are added into its top account's (ten thousand rows, not fifty).
  const counts = rollUp
    ? `(select m.root, ${['cur', 'prev'].flatMap((t) => ['promoters', 'detractors', 'responses'].map((c) => `sum(${t}_${c})::int as ${t}_${c}`)).join(', ')}
        from per_account x join members m on m.member = x.root group by m.root)`
    : 'per_account';
  ctes.push(`paired as materialized (select root, cur_responses,
      nps_score(cur_promoters, cur_detractors, cur_responses) as nps, nps_score(prev_promoters, prev_detractors, prev_responses) as previous_nps
    from ${counts} counts)`);
  return ctes;
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
  // Attributes are carried only when the order needs them: ten thousand of them cost time to copy.
  const ctes = [listedCte(scope, p, dir, order.key === 'arr' || order.key.startsWith('attribute:'))];
  const direction = order.descending ? 'desc' : 'asc';
  let keys: string[];
  let from = 'listed a';
  const needsMembers = (statSortKeys as readonly string[]).includes(order.key) || (order.key === 'arr' && scope.rollUp);
  if (needsMembers && scope.rollUp) ctes.push(membersCte('listed', scope, p, dir));
  if ((statSortKeys as readonly string[]).includes(order.key)) {
    ctes.push(...pairedCtes(settings, current, p, dir, scope.rollUp));
    from = 'listed a left join paired s on s.root = a.external_id';
    const nps = 's.nps';
    const previous = 's.previous_nps';
    // Only the chosen key's parameters may be added: Postgres refuses a parameter the text never uses.
    const stat = order.key as (typeof statSortKeys)[number];
    if (stat === 'nps') keys = [nps];
    else if (stat === 'change') keys = [`${nps} - ${previous}`];
    else if (stat === 'responses') keys = ['coalesce(s.cur_responses, 0)'];
    else {
      const health = healthCall(settings, p, 'coalesce(s.cur_responses, 0)', nps, previous);
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
  /** Per survey metric in the order asked, then per bucket, oldest first: its answers, their sum and the latest answer. */
  surveyFigures: SurveyFigures | null;
};

export type SurveyFigures = { answers: number[]; totals: (string | null)[]; latest: (string | null)[] };

/** The page's accounts, in the order of `ids`, with their counts per bucket. */
export async function readAccounts(
  db: Queryable,
  scope: AccountScope,
  settings: WidgetSettings,
  ids: string[],
  buckets: Bucket[],
  roles: string[],
  surveyMetrics: WantedSurveyMetric[],
): Promise<AccountRow[]> {
  if (ids.length === 0) return [];
  const p = new Params();
  const dir = p.add(scope.directoryId);
  const page = `page as (select external_id, ord from unnest(${p.add(ids)}::text[]) with ordinality as p (external_id, ord))`;
  const stats = statsCtes(buckets, settings, p, dir);
  const last = p.add(buckets.length);
  const arrInputs = settings.arr
    ? `(select json_agg(json_build_array(ma.attributes ->> ${p.add(settings.arr.amountAttribute)}, ma.attributes ->> ${p.add(settings.arr.termAttribute)}))
        from members m join accounts ma on ma.directory_id = ${dir} and ma.external_id = m.member where m.root = a.external_id)`
    : 'null';
  const wanted = p.add(roles);
  const surveys = surveyMetrics.length > 0 ? `, ${surveyCtes(surveyMetrics, p, dir, last)}` : '';
  const surveyFigures = surveyMetrics.length > 0 ? '(select sf.figures from survey_figures sf where sf.root = a.external_id)' : 'null';
  return db.query<AccountRow>(
    `with ${page}, ${membersCte('page', scope, p, dir)}, ${stats}${surveys}
    select a.external_id as id, a.display_name as name, a.attributes, ${liveParentName(dir)} as parent,
      (select json_object_agg(want.role, ${holders('want.role', dir)}) from unnest(${wanted}::text[]) as want (role)) as roles,
      (select json_agg(json_build_object('promoters', coalesce(s.promoters, 0), 'passives', coalesce(s.passives, 0),
          'detractors', coalesce(s.detractors, 0), 'responses', coalesce(s.responses, 0), 'nps', nps_score(s.promoters, s.detractors, s.responses)) order by b.i)
        from bounds b left join stats s on s.root = a.external_id and s.i = b.i) as buckets,
      ${healthCall(settings, p, 'coalesce(cur.responses, 0)', 'nps_score(cur.promoters, cur.detractors, cur.responses)', 'nps_score(prev.promoters, prev.detractors, prev.responses)')} as health,
      ${arrInputs} as "arrInputs", ${surveyFigures} as "surveyFigures"
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

/** What the widget shows of one account for the current period: NPS, its change, health, answers, and when it was last answered. */
export type AccountFigures = { id: string; nps: number | null; change: number | null; health: Health; responses: number; lastAnswerAt: Date | null };

/**
 * Every live account's figures, as the widget computes them under `settings` (period, time zone,
 * health rules, roll-up): the same statement parts that order the widget's page by NPS or health.
 * The last answer is the newest of the account's (rolled up: of it and the accounts below it).
 */
export async function accountFigures(db: Queryable, directoryId: number, settings: WidgetSettings, current: { previous: Bucket; current: Bucket }): Promise<AccountFigures[]> {
  const p = new Params();
  const dir = p.add(directoryId);
  const scope: AccountScope = { directoryId, pattern: null, userEmail: null, rollUp: settings.rollUp };
  const ctes = [`listed as (select external_id from accounts where directory_id = ${dir} and not is_deleted)`];
  if (settings.rollUp) ctes.push(membersCte('listed', scope, p, dir));
  ctes.push(...pairedCtes(settings, current, p, dir, settings.rollUp));
  ctes.push(`own_last as (select account_external_id as root, max(responded_at) as at from nps_responses where directory_id = ${dir} and account_external_id is not null group by 1)`);
  ctes.push(settings.rollUp ? 'last_answers as (select m.root, max(o.at) as at from members m join own_last o on o.root = m.member group by m.root)' : 'last_answers as (select root, at from own_last)');
  const health = healthCall(settings, p, 'coalesce(s.cur_responses, 0)', 's.nps', 's.previous_nps');
  return db.query<AccountFigures>(
    `with ${ctes.join(', ')}
    select a.external_id as id, s.nps, s.nps - s.previous_nps as change, ${health} as health,
      coalesce(s.cur_responses, 0) as responses, l.at as "lastAnswerAt"
    from listed a left join paired s on s.root = a.external_id left join last_answers l on l.root = a.external_id
    order by a.external_id`,
    p.values,
  );
}
