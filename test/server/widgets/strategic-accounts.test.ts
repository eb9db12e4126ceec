import assert from 'node:assert/strict';
import type { Db } from '../../../core/db.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { serve, type Served } from '../serve.ts';
import { addResponses, answers, loadWidgetDirectory, saveConfig } from './fixture.ts';

type Account = { id: string; name: string; health: string; nps: number | null; responses: number; change: number | null; arr: string | null } & Record<string, unknown>;
type Data = { accounts: Account[]; total: number; current: unknown; previous: unknown } & Record<string, unknown>;

async function widget(api: Served, query: string): Promise<Data> {
  const reply = await api.get(`/api/widgets/strategic-accounts?${query}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body as Data;
}

/** Each account as [name, nps, change, responses]. */
function scores(data: Data) {
  return data.accounts.map((a) => [a.name, a.nps, a.change, a.responses]);
}

function chart(account: Account) {
  return (account.chart as { points: { label: string; value: number | null }[] }).points.map((p) => [p.label, p.value]);
}

/** Beta AG's answers around the turn of 2025 (times in UTC). */
const turnOfYear: [string, string, number][] = [
  ['A2', '2025-11-30T23:30:00Z', 6], // Berlin: Dec 1
  ['A2', '2025-12-31T12:00:00Z', 10],
  ['A2', '2025-12-31T23:30:00Z', 0], // Berlin: Jan 1
  ['A2', '2026-01-01T00:30:00Z', 9],
  ['A2', '2026-01-10T12:00:00Z', 9],
  ['A2', '2026-01-15T12:00:00Z', 5],
  ['A2', '2026-01-20T23:30:00Z', 10], // Berlin: Jan 21, after the as-of date
  ['A2', '2026-01-21T12:00:00Z', 0], // after the as-of date everywhere
];

/** Answers that give each health value under the default rules, in February 2026 (January before it). */
const healthMix: [string, string, number][] = [
  ...answers('A1', '2026-01-10', [10, 10, 10, 8, 8]),
  ...answers('A1', '2026-02-10', [10, 10, 10, 8, 8]),
  ...answers('A2', '2026-02-10', [0, 0, 10, 8, 8]),
  ...answers('A3', '2026-01-10', [10, 10, 10, 10, 10]),
  ...answers('A3', '2026-02-10', [10, 10, 10, 8, 0]),
  ...answers('A4', '2026-02-10', [10, 8, 8, 8, 8]),
  ...answers('A5', '2026-02-10', [10, 10, 10, 10]),
];

const arrSetting = { amountAttribute: 'contractAmount', termAttribute: 'termMonths', termUnit: 'months' };

describe('GET /api/widgets/strategic-accounts', () => {
  let api: Served;
  let db: Db;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    await loadWidgetDirectory(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  describe('NPS per period', () => {
    it('counts an answer on Dec 31 or Jan 1 by the calendar of the configured time zone, up to the as-of date', async () => {
      await addResponses(db, turnOfYear);
      const utc = await saveConfig(api, { name: 'UTC', period: 'MoM', timeZone: 'UTC', chartPeriods: 3 });
      const berlin = await saveConfig(api, { name: 'Berlin', period: 'MoM', timeZone: 'Europe/Berlin', chartPeriods: 3 });

      const monthly = await widget(api, `config=${utc}&asOf=2026-01-20&search=Beta`);
      assert.deepEqual([monthly.period, monthly.asOf, monthly.timeZone, monthly.current, monthly.previous], [
        'MoM',
        '2026-01-20',
        'UTC',
        { label: 'Jan 2026', start: '2026-01-01', end: '2026-01-31' },
        { label: 'Dec 2025', start: '2025-12-01', end: '2025-12-31' },
      ]);
      // Jan: 9, 9, 5, 10 = 3 promoters, 1 detractor of 4: 50. Dec: 10, 0: 0. Nov: 6: -100.
      assert.deepEqual(scores(monthly), [['Beta AG', 50, 50, 4]]);
      assert.deepEqual(chart(monthly.accounts[0]!), [['Nov 2025', -100], ['Dec 2025', 0], ['Jan 2026', 50]]);

      // In Berlin the 0 of Dec 31 23:30 UTC falls on Jan 1, the 6 of Nov 30 on Dec 1, and the 10 of Jan 20 23:30 after the as-of date.
      const berlinMonthly = await widget(api, `config=${berlin}&asOf=2026-01-20&search=Beta`);
      assert.deepEqual(scores(berlinMonthly), [['Beta AG', 0, 0, 4]]);
      assert.deepEqual(chart(berlinMonthly.accounts[0]!), [['Nov 2025', null], ['Dec 2025', 0], ['Jan 2026', 0]]);

      // Q4 2025: 6, 10, 0 = 1 promoter, 2 detractors of 3: -33.3 -> -33. Q1 2026: 50.
      const quarterly = await widget(api, `config=${utc}&asOf=2026-01-20&search=Beta&period=QoQ`);
      assert.deepEqual([quarterly.current, scores(quarterly), chart(quarterly.accounts[0]!)], [
        { label: 'Q1 2026', start: '2026-01-01', end: '2026-03-31' },
        [['Beta AG', 50, 83, 4]],
        [['Q3 2025', null], ['Q4 2025', -33], ['Q1 2026', 50]],
      ]);

      const yearly = await widget(api, `config=${utc}&asOf=2026-01-20&search=Beta&period=YoY`);
      assert.deepEqual([yearly.current, yearly.previous, scores(yearly)], [
        { label: '2026', start: '2026-01-01', end: '2026-12-31' },
        { label: '2025', start: '2025-01-01', end: '2025-12-31' },
        [['Beta AG', 50, 83, 4]],
      ]);
      const berlinYearly = await widget(api, `config=${berlin}&asOf=2026-01-20&search=Beta&period=YoY`);
      assert.deepEqual(scores(berlinYearly), [['Beta AG', 0, 0, 4]]);
    });

    it('counts a period still running up to now, leaving out an answer dated ahead', async () => {
      const at = (ms: number) => new Date(Date.now() + ms).toISOString();
      await addResponses(db, [
        ['A1', at(-1_000), 10],
        ['A1', at(-2_000), 0],
        ['A1', at(40 * 86_400_000), 10],
      ]);
      const id = await saveConfig(api, { chartPeriods: 2 });
      const figures = [];
      for (const period of ['MoM', 'QoQ', 'YoY']) {
        const data = await widget(api, `config=${id}&period=${period}&search=Alpha`);
        figures.push([period, data.asOf === new Date().toISOString().slice(0, 10), ...scores(data)[0]!]);
      }
      assert.deepEqual(figures, [
        ['MoM', true, 'Alpha GmbH', 0, null, 2],
        ['QoQ', true, 'Alpha GmbH', 0, null, 2],
        ['YoY', true, 'Alpha GmbH', 0, null, 2],
      ]);
    });

    it('counts a year up to a past as-of date, leaving out the answers of the rest of that year', async () => {
      await addResponses(db, [
        ['A2', '2024-03-01T12:00:00Z', 10],
        ['A2', '2024-05-01T12:00:00Z', 0],
        ['A2', '2024-10-01T12:00:00Z', 0], // the previous period is the whole year
        ['A2', '2025-02-10T12:00:00Z', 10],
        ['A2', '2025-09-20T12:00:00Z', 9],
        ['A2', '2025-09-25T12:00:00Z', 0], // after the as-of date, in its month
        ['A2', '2025-11-05T12:00:00Z', 0],
        ['A2', '2025-12-31T12:00:00Z', 5],
      ]);
      const id = await saveConfig(api, { period: 'YoY', chartPeriods: 2 });
      // 2025 to Sep 20: 10, 9 = 100 of 2. 2024: 10, 0, 0 = -33.3 -> -33.
      const byClient = await widget(api, `config=${id}&asOf=2025-09-20&search=Beta`);
      assert.deepEqual([scores(byClient), chart(byClient.accounts[0]!)], [[['Beta AG', 100, 133, 2]], [['2024', -33], ['2025', 100]]]);
      const byNps = await widget(api, `config=${id}&asOf=2025-09-20&sort=nps&order=desc&pageSize=1`);
      assert.deepEqual(scores(byNps), [['Beta AG', 100, 133, 2]]);
    });

    it('ends February 2024 on the 29th and rounds NPS half away from zero', async () => {
      await addResponses(db, [
        ['A2', '2024-02-01T00:00:00Z', 7],
        ['A2', '2024-02-29T10:00:00Z', 9],
        ['A2', '2024-02-29T23:59:59Z', 8],
        ['A2', '2024-03-01T00:00:00Z', 3],
        ...answers('A1', '2024-03-05', [10, 8, 8, 8, 8, 8, 8, 8]),
        ...answers('A3', '2024-03-05', [0, 8, 8, 8, 8, 8, 8, 8]),
      ]);
      const id = await saveConfig(api, { period: 'MoM', chartPeriods: 2 });
      const data = await widget(api, `config=${id}&asOf=2024-03-15`);
      assert.deepEqual(data.previous, { label: 'Feb 2024', start: '2024-02-01', end: '2024-02-29' });
      // Feb: 7, 9, 8 = 1 promoter of 3: 33. Mar: 3: -100. Alpha 1 of 8: 12.5 -> 13; Gamma -12.5 -> -13.
      assert.deepEqual(scores(data), [
        ['Alpha GmbH', 13, null, 8],
        ['Beta AG', -100, -133, 1],
        ['Delta Inc', null, null, 0],
        ['Epsilon SA', null, null, 0],
        ['Gamma Ltd', -13, null, 8],
      ]);
      const quarter = await widget(api, `config=${id}&asOf=2024-03-31&period=QoQ&search=Beta`);
      assert.deepEqual(scores(quarter), [['Beta AG', 0, null, 4]]);
    });
  });

  describe('health, ARR and order', () => {
    it('gives each health value by the default rules and orders by health, NPS and change', async () => {
      await addResponses(db, healthMix);
      const id = await saveConfig(api, { period: 'MoM', chartPeriods: 2 });
      const byHealth = await widget(api, `config=${id}&asOf=2026-02-15&sort=health`);
      assert.deepEqual(
        byHealth.accounts.map((a) => [a.name, a.health, a.nps, a.change, a.responses]),
        [
          ['Beta AG', 'At Risk', -20, null, 5], // NPS below 0
          ['Gamma Ltd', 'At Risk', 40, -60, 5], // fell 60 points from 100
          ['Delta Inc', 'Neutral', 20, null, 5],
          ['Alpha GmbH', 'Opportunity', 60, 0, 5],
          ['Epsilon SA', 'Not enough data', 100, null, 4], // 4 answers, fewer than 5
        ],
      );
      const byNps = await widget(api, `config=${id}&asOf=2026-02-15&sort=nps&order=desc`);
      assert.deepEqual(byNps.accounts.map((a) => a.name), ['Epsilon SA', 'Alpha GmbH', 'Gamma Ltd', 'Delta Inc', 'Beta AG']);
      const byChange = await widget(api, `config=${id}&asOf=2026-02-15&sort=change&order=desc`);
      assert.deepEqual(byChange.accounts.map((a) => a.name), ['Alpha GmbH', 'Gamma Ltd', 'Beta AG', 'Delta Inc', 'Epsilon SA']);
    });

    it('follows health thresholds of the configuration', async () => {
      await addResponses(db, healthMix);
      const id = await saveConfig(api, { period: 'MoM', chartPeriods: 2, health: { minResponses: 4, atRiskBelow: -50, atRiskDrop: 70, opportunityFrom: 50 } });
      const data = await widget(api, `config=${id}&asOf=2026-02-15`);
      assert.deepEqual(data.accounts.map((a) => [a.name, a.health]), [
        ['Alpha GmbH', 'Opportunity'],
        ['Beta AG', 'Neutral'],
        ['Delta Inc', 'Neutral'],
        ['Epsilon SA', 'Opportunity'],
        ['Gamma Ltd', 'Neutral'],
      ]);
    });

    it('computes ARR from a term in months, shows key metrics in their format and orders by ARR', async () => {
      await addResponses(db, healthMix);
      const id = await saveConfig(api, {
        period: 'MoM',
        chartPeriods: 2,
        arr: arrSetting,
        currencyAttribute: 'currency',
        keyMetrics: [
          { label: 'ARR', field: 'arr', format: 'currency', decimals: 0 },
          { label: 'Seats', field: 'attribute:seats', format: 'number' },
          { label: 'NPS', field: 'nps', format: 'percent', decimals: 1 },
        ],
      });
      const data = await widget(api, `config=${id}&asOf=2026-02-15&sort=arr&order=desc`);
      // 120000.00 / 2 years; 50000.00 / 1 year; 100000 / 3 years.
      assert.deepEqual(data.accounts.map((a) => [a.name, a.arr, a.currency]), [
        ['Alpha GmbH', '60000.00', 'EUR'],
        ['Gamma Ltd', '50000.00', 'EUR'],
        ['Beta AG', '33333.33', 'CHF'],
        ['Delta Inc', null, 'USD'],
        ['Epsilon SA', null, null],
      ]);
      assert.deepEqual(data.accounts[0]!.metrics, [
        { label: 'ARR', value: '60000', format: 'currency', decimals: 0, currency: 'EUR' },
        { label: 'Seats', value: '250', format: 'number', decimals: 0, currency: null },
        { label: 'NPS', value: '60.0', format: 'percent', decimals: 1, currency: null },
      ]);
      const years = await api.request(`/api/widget-configs/${id}`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer test-admin-key-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ arr: { ...arrSetting, termUnit: 'years' } }),
      });
      assert.equal(years.status, 200);
      const yearly = await widget(api, `config=${id}&asOf=2026-02-15&search=Beta`);
      assert.equal(yearly.accounts[0]!.arr, '2777.78'); // 100000 / 36 years
    });

    it('rolls subsidiaries up into their parent: answers and ARR', async () => {
      await addResponses(db, healthMix);
      const id = await saveConfig(api, { period: 'MoM', chartPeriods: 2, arr: arrSetting, rollUp: true });
      const data = await widget(api, `config=${id}&asOf=2026-02-15`);
      // Alpha + Gamma: Feb 6 promoters, 1 detractor of 10 = 50; Jan 8 of 10 = 80.
      assert.deepEqual(data.accounts.map((a) => [a.name, a.health, a.nps, a.change, a.responses, a.arr]), [
        ['Alpha GmbH', 'At Risk', 50, -30, 10, '110000.00'],
        ['Beta AG', 'At Risk', -20, null, 5, '33333.33'],
        ['Delta Inc', 'Neutral', 20, null, 5, null],
        ['Epsilon SA', 'Not enough data', 100, null, 4, null],
      ]);
      assert.equal(data.total, 4);
      const byArr = await widget(api, `config=${id}&asOf=2026-02-15&sort=arr&order=desc&pageSize=2`);
      assert.deepEqual(byArr.accounts.map((a) => a.name), ['Alpha GmbH', 'Beta AG']);
    });
  });

  describe('columns, paging and search', () => {
    it('shows extra columns from attributes, the hierarchy and roles, and orders by one', async () => {
      const id = await saveConfig(api, {
        period: 'QoQ',
        columns: [
          { field: 'attribute:industry' },
          { field: 'parent' },
          { field: 'role:ACCOUNT_OWNER', label: 'Owner' },
          { field: 'role:EXECUTIVE_SPONSOR' },
          { field: 'externalId' },
          { field: 'attribute:seats' },
        ],
      });
      const data = await widget(api, `config=${id}&asOf=2026-02-15&sort=role:ACCOUNT_OWNER`);
      assert.deepEqual(data.columns, [
        { key: 'client', label: 'Client' },
        { key: 'health', label: 'Health' },
        { key: 'arr', label: 'ARR' },
        { key: 'nps', label: 'NPS' },
        { key: 'change', label: 'QoQ change (NPS points)' },
        { key: 'attribute:industry', label: 'industry' },
        { key: 'parent', label: 'Parent account' },
        { key: 'role:ACCOUNT_OWNER', label: 'Owner' },
        { key: 'role:EXECUTIVE_SPONSOR', label: 'Executive Sponsor' },
        { key: 'externalId', label: 'Account ID' },
        { key: 'attribute:seats', label: 'seats' },
      ]);
      assert.deepEqual(data.accounts.map((a) => [a.name, a.values]), [
        ['Alpha GmbH', { 'attribute:industry': 'Manufacturing', parent: null, 'role:ACCOUNT_OWNER': 'alice@seller.example', 'role:EXECUTIVE_SPONSOR': 'Ada Lovelace', externalId: 'A1', 'attribute:seats': 250 }],
        ['Gamma Ltd', { 'attribute:industry': 'Manufacturing', parent: 'Alpha GmbH', 'role:ACCOUNT_OWNER': 'bob@seller.example', 'role:EXECUTIVE_SPONSOR': null, externalId: 'A3', 'attribute:seats': 1200 }],
        ['Beta AG', { 'attribute:industry': 'Retail', parent: null, 'role:ACCOUNT_OWNER': null, 'role:EXECUTIVE_SPONSOR': null, externalId: 'A2', 'attribute:seats': 40 }],
        ['Delta Inc', { 'attribute:industry': null, parent: null, 'role:ACCOUNT_OWNER': null, 'role:EXECUTIVE_SPONSOR': null, externalId: 'A4', 'attribute:seats': null }],
        ['Epsilon SA', { 'attribute:industry': 'Retail', parent: null, 'role:ACCOUNT_OWNER': null, 'role:EXECUTIVE_SPONSOR': null, externalId: 'A5', 'attribute:seats': 7 }],
      ]);
      // Seats compare as numbers: 7 < 40 < 250 < 1200.
      const bySeats = await widget(api, `config=${id}&sort=attribute:seats`);
      assert.deepEqual(bySeats.accounts.map((a) => a.name), ['Epsilon SA', 'Beta AG', 'Alpha GmbH', 'Gamma Ltd', 'Delta Inc']);
    });

    it('pages and searches by client name', async () => {
      const id = await saveConfig(api, {});
      const page = await widget(api, `config=${id}&page=2&pageSize=2`);
      assert.deepEqual([page.accounts.map((a) => a.name), page.total, page.page, page.pageSize], [['Delta Inc', 'Epsilon SA'], 5, 2, 2]);
      const found = await widget(api, `config=${id}&search=TA`);
      assert.deepEqual([found.accounts.map((a) => a.name), found.total], [['Beta AG', 'Delta Inc'], 2]);
      const descending = await widget(api, `config=${id}&order=desc&pageSize=2`);
      assert.deepEqual(descending.accounts.map((a) => a.name), ['Gamma Ltd', 'Epsilon SA']);
    });

    it('refuses an unknown sort key, a date that does not exist, an unknown configuration and a NUL in the search', async () => {
      const id = await saveConfig(api, {});
      const replies = await Promise.all([
        api.get(`/api/widgets/strategic-accounts?config=${id}&sort=comment`),
        api.get(`/api/widgets/strategic-accounts?config=${id}&asOf=2025-02-29`),
        api.get('/api/widgets/strategic-accounts?config=999'),
        api.get('/api/widgets/strategic-accounts'),
        api.get(`/api/widgets/strategic-accounts?config=${id}&search=%00`),
      ]);
      assert.deepEqual(replies.map((r) => [r.status, r.body]), [
        [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "sort" must be one of client, health, arr, nps, change, responses' } }],
        [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "asOf" must be a calendar date as YYYY-MM-DD, got "2025-02-29"' } }],
        [404, { error: { code: 'NOT_FOUND', message: 'widget configuration 999 does not exist' } }],
        [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "config" names the widget configuration (its id)' } }],
        [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "search" must not contain a NUL character' } }],
      ]);
    });
  });
});
