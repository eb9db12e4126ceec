// The API's share of bench:widget: latency of GET /api/widgets/strategic-accounts over 10,000
// accounts and 5,000,000 answers (times BENCH_SCALE), against a naive aggregate query that computes
// the same page in one GROUP BY over every answer, measured in the same run on the same database.
// Both answers are compared: the run fails when they differ.
import type { Server } from 'node:http';
import { Db } from '../../core/db.ts';
import { migrate } from '../../core/migrate.ts';
import { benchScale, freshDatabase, openBenchServer, serveBenchApp, table, timed, withClient, withDatabase } from '../shared.ts';

export const latencyTargets = { p95Ms: 100 };

const database = 'bellwether_bench_widget';
const adminKey = 'bench-admin-key-0123456789';
const asOf = '2026-11-25';
const tokenKey = new TextEncoder().encode('bench-embed-token-key-of-32-characters');

export type Scenario = { name: string; p50: number; p95: number; naive: { p50: number; p95: number } | null; requests: number };
export type LatencyFigures = { accounts: number; responses: number; server: string; generateSeconds: number; scenarios: Scenario[] };

type Log = (message: string) => void;

/**
 * The data set, generated in SQL from a fixed seed: accounts in a two-level hierarchy (a tenth at
 * the top), each with a contract, a currency, an industry and an owner (one user per 50 accounts);
 * answers spread evenly over accounts and over Jan 2024 - Nov 2026, scores skewed per account so
 * NPS varies.
 */
async function generate(url: string, accounts: number, responses: number): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`insert into account_attribute_definitions (directory_id, name, data_type, enum_values) values
      (1, 'contractAmount', 'Decimal', null), (1, 'termMonths', 'Integer', null), (1, 'currency', 'String', null),
      (1, 'industry', 'Enum', array['Manufacturing', 'Logistics', 'Utilities', 'Healthcare', 'Retail'])`);
    await c.query(
      `insert into accounts (directory_id, external_id, display_name, parent_external_id, attributes)
       select 1, 'A' || lpad(i::text, 6, '0'),
         'Account ' || lpad(i::text, 5, '0') || ' ' || (array['Manufacturing', 'Logistics', 'Utilities', 'Healthcare', 'Retail'])[1 + i % 5],
         case when i > $2 then 'A' || lpad((1 + i % $2)::text, 6, '0') end,
         jsonb_build_object('contractAmount', ((i * 7919) % 4990000 + 10000)::text || '.50', 'termMonths', 12 * (1 + i % 5),
           'currency', (array['EUR', 'USD', 'CHF'])[1 + i % 3], 'industry', (array['Manufacturing', 'Logistics', 'Utilities', 'Healthcare', 'Retail'])[1 + i % 5])
       from generate_series(1, $1) as i`,
      [accounts, Math.max(1, Math.floor(accounts / 10))],
    );
    await c.query(
      `insert into management_roles (directory_id, account_external_id, user_email, role_name)
       select 1, external_id, 'owner' || (row_number() over (order by external_id) % greatest($1::int / 50, 1)) || '@seller.example', 'ACCOUNT_OWNER' from accounts`,
      [accounts],
    );
    await c.query(
      `insert into surveys (id, name, title, question, extra_questions, thank_you) overriding system value values
        (1, 'Relationship', 'Your feedback', 'How likely are you to recommend us?',
         '[{"key": "csat", "text": "How satisfied are you with our support?", "min": 1, "max": 5}]', 'Thank you.')`,
    );
    await c.query('select setseed(0.42)');
    // Every other answer is to the relationship survey, with a 1-5 CSAT skewed per account; the rest is imported history.
    // Each account's answers come from 50 contacts, about one answer per contact a quarter, so some answer twice in one.
    await c.query(
      `insert into nps_responses (directory_id, contact_external_id, account_external_id, score, responded_at, survey_id, answers)
       select 1, 'C' || account || '-' || (n % 50), 'A' || lpad(account::text, 6, '0'), score, at,
         case when n % 2 = 0 then 1 end,
         case when n % 2 = 0 then jsonb_build_object('csat', least(5, greatest(1, floor(random() * 5 + 1 + (account % 3) - 1)))::int) else '{}' end
       from (select n, account, least(10, greatest(0, floor(random() * 11 + (account % 7) - 3)))::smallint as score,
           timestamptz '2024-01-01 00:00:00+00' + random() * (timestamptz '2026-11-25 00:00:00+00' - timestamptz '2024-01-01 00:00:00+00') as at
         from (select n, 1 + floor(random() * $2)::int as account from generate_series(1, $1) as n) a) r`,
      [responses, accounts],
    );
  });
}

/** Vacuumed, so index-only scans see an up-to-date visibility map, and analyzed, as autovacuum keeps a live database. */
async function settle(url: string): Promise<void> {
  await withClient(url, (c) =>
    c.query('vacuum (analyze) accounts, management_roles, nps_responses, nps_monthly_counts, nps_yearly_counts, nps_source_monthly_counts, nps_source_yearly_counts, nps_superseded_answers, survey_answer_months, account_attribute_definitions'),
  );
}

/** Whether a previous run's database holds this run's data set (BENCH_REUSE=1 then skips generating it). */
async function holdsDataset(url: string, accounts: number, responses: number): Promise<boolean> {
  try {
    return await withClient(url, async (c) => {
      const { rows } = await c.query<{ accounts: number; responses: number; repeats: boolean }>(
        'select (select count(*) from accounts)::int as accounts, (select count(*) from nps_responses)::int as responses, exists (select 1 from nps_superseded_answers) as repeats',
      );
      // A data set from before contacts answered more than once is not this one.
      return rows[0]!.accounts === accounts && rows[0]!.responses === responses && rows[0]!.repeats;
    });
  } catch {
    return false;
  }
}

/** One page of the widget (current and previous quarter, to compare) by a GROUP BY over every answer of every account. */
async function naivePage(db: Db, order: 'client' | 'nps'): Promise<{ id: string; nps: number | null; change: number | null; responses: number }[]> {
  return db.query(
    `select id, nps, nps - previous as change, responses from (
      select a.external_id as id, a.display_name as name,
        nps_score(count(*) filter (where r.score >= 9 and r.responded_at >= '2026-10-01Z' and r.responded_at < '2026-11-26Z')::int,
                  count(*) filter (where r.score <= 6 and r.responded_at >= '2026-10-01Z' and r.responded_at < '2026-11-26Z')::int,
                  count(*) filter (where r.responded_at >= '2026-10-01Z' and r.responded_at < '2026-11-26Z')::int) as nps,
        nps_score(count(*) filter (where r.score >= 9 and r.responded_at >= '2026-07-01Z' and r.responded_at < '2026-10-01Z')::int,
                  count(*) filter (where r.score <= 6 and r.responded_at >= '2026-07-01Z' and r.responded_at < '2026-10-01Z')::int,
                  count(*) filter (where r.responded_at >= '2026-07-01Z' and r.responded_at < '2026-10-01Z')::int) as previous,
        count(*) filter (where r.responded_at >= '2026-10-01Z' and r.responded_at < '2026-11-26Z')::int as responses
      from accounts a left join nps_responses r on r.directory_id = a.directory_id and r.account_external_id = a.external_id
      where a.directory_id = 1 and not a.is_deleted
      group by a.external_id, a.display_name
    ) t order by ${order === 'nps' ? 'nps desc nulls last, ' : ''}lower(name), id limit 50`,
  );
}

/** The first page by client's CSAT average in the current quarter (to the as-of date), by a GROUP BY over every answer. */
async function naiveCsat(db: Db): Promise<{ id: string; csat: string | null }[]> {
  return db.query(
    `select a.external_id as id, to_char(avg((r.answers ->> 'csat')::numeric), 'FM0.00') as csat
     from accounts a left join nps_responses r on r.directory_id = a.directory_id and r.account_external_id = a.external_id
       and r.survey_id = 1 and r.answers ? 'csat' and r.responded_at >= '2026-10-01Z' and r.responded_at < '2026-11-26Z'
     where a.directory_id = 1 and not a.is_deleted
     group by a.external_id, a.display_name order by lower(a.display_name), a.external_id limit 50`,
  );
}

export async function measureApiLatency({ log }: { log: Log }): Promise<LatencyFigures> {
  const scale = benchScale();
  const accounts = Math.round(10_000 * scale);
  const responses = Math.round(5_000_000 * scale);
  const requests = Number(process.env.BENCH_REQUESTS ?? '100');
  const server = await openBenchServer();
  let http: Server | undefined;
  let db: Db | undefined;
  try {
    const started = performance.now();
    let url = withDatabase(server.adminUrl, database);
    if (process.env.BENCH_REUSE === '1' && (await holdsDataset(url, accounts, responses))) {
      await migrate(url);
      await withClient(url, (c) => c.query('delete from widget_configs'));
      log(`reusing ${database} on ${server.label}`);
    } else {
      url = await freshDatabase(server.adminUrl, database);
      await migrate(url);
      log(`generating ${accounts} accounts and ${responses} answers in ${database} on ${server.label}`);
      await generate(url, accounts, responses);
    }
    await settle(url);
    const generateSeconds = (performance.now() - started) / 1000;
    log(`ready in ${generateSeconds.toFixed(1)} s`);

    db = new Db(url, { max: 4, applicationName: 'bellwether-bench-widget' });
    const served = await serveBenchApp(db, url, adminKey, tokenKey);
    http = served.server;
    const base = served.base;
    const call = async (path: string, key = adminKey, method = 'GET', body?: unknown) => {
      const response = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const config = {
      period: 'QoQ',
      chartPeriods: 8,
      columns: [{ field: 'attribute:industry', label: 'Industry' }, { field: 'role:ACCOUNT_OWNER', label: 'Owner' }],
      keyMetrics: [
        { label: 'ARR', field: 'arr', format: 'currency' },
        { label: 'Responses', field: 'responses', format: 'number' },
        { label: 'NPS', field: 'nps', format: 'number' },
      ],
      arr: { amountAttribute: 'contractAmount', termAttribute: 'termMonths', termUnit: 'months' },
      currencyAttribute: 'currency',
    };
    const { id } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench', ...config })) as { id: number };
    const { id: rolledId } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench roll-up', ...config, rollUp: true })) as { id: number };
    const { id: berlinId } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench Berlin', ...config, timeZone: 'Europe/Berlin' })) as { id: number };
    const surveyMetrics = {
      ...config,
      keyMetrics: [
        { label: 'CSAT', field: 'survey:1:csat:latest', format: 'number' },
        { label: 'CSAT this period', field: 'survey:1:csat:average', format: 'number', decimals: 2 },
        { label: 'CSAT answers', field: 'survey:1:csat:count', format: 'number' },
      ],
      chartMetric: { field: 'survey:1:csat:average', label: 'CSAT' },
    };
    const { id: csatId } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench CSAT', ...surveyMetrics })) as { id: number };
    const { id: csatRolledId } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench CSAT roll-up', ...surveyMetrics, rollUp: true })) as { id: number };
    const { id: csatBerlinId } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench CSAT Berlin', ...surveyMetrics, timeZone: 'Europe/Berlin' })) as { id: number };
    const { id: sourceId } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench one survey', ...config, npsSource: { surveys: [1], importedHistory: false } })) as { id: number };
    const { id: latestId } = (await call('/api/widget-configs', adminKey, 'POST', { name: 'Bench latest answers', ...config, npsCounting: 'latestPerContact' })) as { id: number };
    const { token } = (await call('/api/embed-tokens', adminKey, 'POST', { configId: id, userEmail: 'owner7@seller.example' })) as { token: string };

    type Page = { accounts: { id: string; nps: number | null; change: number | null; responses: number }[] };
    const same = async (query: string, order: 'client' | 'nps') => {
      const api = ((await call(`/api/widgets/strategic-accounts?${query}`)) as Page).accounts.map(({ id: a, nps, change, responses: n }) => ({ id: a, nps, change, responses: n }));
      const naive = await naivePage(db!, order);
      if (JSON.stringify(api) !== JSON.stringify(naive)) throw new Error(`the API and the naive query disagree on ${query}:\n${JSON.stringify(api.slice(0, 3))}\n${JSON.stringify(naive.slice(0, 3))}`);
    };
    const base_ = `config=${id}&asOf=${asOf}`;
    await same(base_, 'client');
    await same(`${base_}&sort=nps&order=desc`, 'nps');
    type CsatPage = { accounts: { id: string; metrics: { value: string | null }[] }[] };
    const csat = ((await call(`/api/widgets/strategic-accounts?config=${csatId}&asOf=${asOf}`)) as CsatPage).accounts.map((a) => ({ id: a.id, csat: a.metrics[1]!.value }));
    const naiveAverages = await naiveCsat(db);
    if (JSON.stringify(csat) !== JSON.stringify(naiveAverages)) {
      throw new Error(`the API and the naive query disagree on the CSAT averages:\n${JSON.stringify(csat.slice(0, 3))}\n${JSON.stringify(naiveAverages.slice(0, 3))}`);
    }
    log('the API and the naive query agree on the first page by client and by NPS, and on its CSAT averages');

    const naiveRuns = Math.max(5, Math.round(requests / 10));
    const naiveByClient = await timed(naiveRuns, 1, () => naivePage(db!, 'client'));
    const naiveByNps = await timed(naiveRuns, 1, () => naivePage(db!, 'nps'));
    const naiveCsatPage = await timed(naiveRuns, 1, () => naiveCsat(db!));
    const scenarios: [string, string, string | undefined, { p50: number; p95: number } | null][] = [
      ['QoQ by client, page 1', base_, undefined, naiveByClient],
      ['QoQ by client, page 40', `${base_}&page=40`, undefined, naiveByClient],
      ['QoQ by client, Europe/Berlin', `config=${berlinId}&asOf=${asOf}`, undefined, naiveByClient],
      ['QoQ by NPS, descending', `${base_}&sort=nps&order=desc`, undefined, naiveByNps],
      ['QoQ by health', `${base_}&sort=health`, undefined, naiveByNps],
      ['MoM by change, descending', `${base_}&period=MoM&sort=change&order=desc`, undefined, naiveByNps],
      ['QoQ by NPS, Europe/Berlin', `config=${berlinId}&asOf=${asOf}&sort=nps&order=desc`, undefined, naiveByNps],
      ['YoY by NPS, descending', `${base_}&period=YoY&sort=nps&order=desc`, undefined, naiveByNps],
      ['YoY, search "Retail"', `${base_}&period=YoY&search=Retail`, undefined, naiveByClient],
      ['QoQ by ARR, rolled up', `config=${rolledId}&asOf=${asOf}&sort=arr&order=desc`, undefined, naiveByClient],
      ['QoQ by NPS, rolled up', `config=${rolledId}&asOf=${asOf}&sort=nps&order=desc`, undefined, naiveByNps],
      ["QoQ, one user's accounts (token)", base_, token, naiveByClient],
      ['QoQ survey metrics (latest CSAT, average, its chart)', `config=${csatId}&asOf=${asOf}`, undefined, naiveCsatPage],
      ['QoQ survey metrics, by NPS', `config=${csatId}&asOf=${asOf}&sort=nps&order=desc`, undefined, naiveCsatPage],
      ['QoQ survey metrics, Europe/Berlin', `config=${csatBerlinId}&asOf=${asOf}`, undefined, naiveCsatPage],
      ['YoY survey metrics', `config=${csatId}&asOf=${asOf}&period=YoY`, undefined, naiveCsatPage],
      ['QoQ survey metrics, rolled up', `config=${csatRolledId}&asOf=${asOf}`, undefined, naiveCsatPage],
      ['QoQ by NPS of one survey (npsSource)', `config=${sourceId}&asOf=${asOf}&sort=nps&order=desc`, undefined, naiveByNps],
      ['YoY by NPS of one survey (npsSource)', `config=${sourceId}&asOf=${asOf}&period=YoY&sort=nps&order=desc`, undefined, naiveByNps],
      ["QoQ by client, each contact's latest answer", `config=${latestId}&asOf=${asOf}`, undefined, naiveByClient],
      ["QoQ by NPS, each contact's latest answer", `config=${latestId}&asOf=${asOf}&sort=nps&order=desc`, undefined, naiveByNps],
    ];
    const figures: Scenario[] = [];
    for (const [name, query, key, naive] of scenarios) {
      log(name);
      const t = await timed(requests, 5, () => call(`/api/widgets/strategic-accounts?${query}`, key));
      figures.push({ name, ...t, naive, requests });
    }
    return { accounts, responses, server: server.label, generateSeconds, scenarios: figures };
  } finally {
    if (http) {
      http.closeAllConnections();
      http.close();
    }
    await db?.close();
    await server.stop();
  }
}

export function latencyTable(f: LatencyFigures): string {
  const ms = (n: number) => n.toFixed(1);
  const rows = f.scenarios.map((s) => [
    s.name,
    ms(s.p50),
    ms(s.p95),
    s.naive ? ms(s.naive.p50) : '-',
    s.naive ? ms(s.naive.p95) : '-',
    s.naive ? (s.p95 / s.naive.p95).toFixed(3) : '-',
    s.p95 <= latencyTargets.p95Ms ? 'yes' : 'NO',
  ]);
  return table(['request', 'p50 ms', 'p95 ms', 'naive p50', 'naive p95', 'p95 / naive', `p95 <= ${latencyTargets.p95Ms} ms`], rows, new Set([1, 2, 3, 4, 5]));
}

export function latencyTargetsMet(f: LatencyFigures): boolean {
  return f.scenarios.every((s) => s.p95 <= latencyTargets.p95Ms);
}
