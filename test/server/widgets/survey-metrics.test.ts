import assert from 'node:assert/strict';
import type { Db } from '../../../core/db.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { adminKey, serve, type Served } from '../serve.ts';
import { addResponses, addSurveyAnswers, createSurvey, loadWidgetDirectory, saveConfig } from './fixture.ts';

type Metric = { label: string; value: string | null; format: string; decimals: number; currency: string | null };
type Account = { id: string; name: string; nps: number | null; responses: number; metrics: Metric[]; chart: { label: string; decimals: number; points: { label: string; value: number | null }[] } };
type Data = { accounts: Account[] };

const json = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

async function widget(api: Served, query: string): Promise<Data> {
  const reply = await api.get(`/api/widgets/strategic-accounts?${query}`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body as Data;
}

const metricValues = (account: Account) => account.metrics.map((m) => [m.label, m.value]);
const points = (account: Account) => account.chart.points.map((p) => [p.label, p.value]);

describe('survey metrics and the NPS source of the Strategic Accounts widget', () => {
  let api: Served;
  let db: Db;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    await loadWidgetDirectory(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  it("shows an account's latest CSAT: of two answers, the later one, as of the as-of date", async () => {
    const survey = await createSurvey(api, 'Relationship');
    await addSurveyAnswers(db, survey, [
      ['A1', 'C1', '2026-01-10T09:00:00Z', 9, 2],
      ['A1', 'C9', '2026-02-10T09:00:00Z', 7, 5],
      // An answer without the CSAT question does not hide the latest CSAT.
      ['A1', 'C1', '2026-02-11T09:00:00Z', 10, null],
    ]);
    const id = await saveConfig(api, {
      period: 'MoM',
      chartPeriods: 3,
      keyMetrics: [
        { label: 'CSAT', field: `survey:${survey}:csat:latest`, format: 'number', decimals: 1 },
        { label: 'Last NPS answer', field: `survey:${survey}:NPS:latest`, format: 'number' },
      ],
      chartMetric: { field: `survey:${survey}:csat:latest` },
    });
    const now = await widget(api, `config=${id}&asOf=2026-02-20&search=Alpha`);
    assert.deepEqual(metricValues(now.accounts[0]!), [['CSAT', '5.0'], ['Last NPS answer', '10']]);
    // Each period's point is the latest answer given by its end; December had none yet.
    assert.deepEqual([now.accounts[0]!.chart.label, points(now.accounts[0]!)], ['csat (latest)', [['Dec 2025', null], ['Jan 2026', 2], ['Feb 2026', 5]]]);

    const before = await widget(api, `config=${id}&asOf=2026-01-31&search=Alpha`);
    assert.deepEqual(metricValues(before.accounts[0]!), [['CSAT', '2.0'], ['Last NPS answer', '9']]);
  });

  it("averages an account's CSAT per calendar month of the configuration's time zone, and charts it", async () => {
    const survey = await createSurvey(api, 'Relationship');
    await addSurveyAnswers(db, survey, [
      ['A2', 'C2', '2025-11-30T23:30:00Z', 8, 2], // Berlin: Dec 1
      ['A2', 'C2', '2025-12-15T12:00:00Z', 8, 3],
      ['A2', 'C2', '2025-12-31T23:30:00Z', 8, 1], // Berlin: Jan 1
      ['A2', 'C2', '2026-01-15T12:00:00Z', 8, 4],
      ['A2', 'C2', '2026-01-20T12:00:00Z', 8, 2],
      ['A2', 'C2', '2026-01-25T12:00:00Z', 8, null], // no CSAT given
      ['A2', 'C2', '2026-01-31T23:30:00Z', 8, 5], // Berlin: Feb 1
      ['A2', 'C2', '2026-02-12T12:00:00Z', 8, 1], // after the as-of date
    ]);
    const settings = {
      period: 'MoM',
      chartPeriods: 3,
      keyMetrics: [
        { label: 'CSAT', field: `survey:${survey}:csat:average`, format: 'number', decimals: 2 },
        { label: 'CSAT answers', field: `survey:${survey}:csat:count`, format: 'number' },
        { label: 'CSAT %', field: `survey:${survey}:csat:average`, format: 'percent', decimals: 1 },
      ],
      chartMetric: { field: `survey:${survey}:csat:average`, label: 'CSAT' },
    };
    const berlin = await saveConfig(api, { name: 'Berlin', timeZone: 'Europe/Berlin', ...settings });
    const utc = await saveConfig(api, { name: 'UTC', timeZone: 'UTC', ...settings });

    // Berlin: Dec 2, 3 = 2.5; Jan 1, 4, 2 = 7 / 3 = 2.33; Feb (to the 10th) 5.
    const inBerlin = (await widget(api, `config=${berlin}&asOf=2026-02-10&search=Beta`)).accounts[0]!;
    assert.deepEqual(metricValues(inBerlin), [['CSAT', '5.00'], ['CSAT answers', '1'], ['CSAT %', '5.0']]);
    assert.deepEqual([inBerlin.chart.label, inBerlin.chart.decimals, points(inBerlin)], ['CSAT', 2, [['Dec 2025', 2.5], ['Jan 2026', 2.33], ['Feb 2026', 5]]]);

    // UTC: Nov 2; Dec 3, 1 = 2; Jan 4, 2, 5 = 11 / 3 = 3.67; Feb none up to the 10th.
    const inUtc = (await widget(api, `config=${utc}&asOf=2026-02-10&search=Beta`)).accounts[0]!;
    assert.deepEqual(metricValues(inUtc), [['CSAT', null], ['CSAT answers', '0'], ['CSAT %', null]]);
    assert.deepEqual(points(inUtc), [['Dec 2025', 2], ['Jan 2026', 3.67], ['Feb 2026', null]]);

    // A quarter in Berlin: Jan 1 to Feb 10 = 1, 4, 2, 5 = 3.
    const quarter = (await widget(api, `config=${berlin}&asOf=2026-02-10&search=Beta&period=QoQ`)).accounts[0]!;
    assert.deepEqual(metricValues(quarter), [['CSAT', '3.00'], ['CSAT answers', '4'], ['CSAT %', '3.0']]);
  });

  it('adds the answers of the accounts below a rolled-up account into its average and latest answer', async () => {
    const survey = await createSurvey(api, 'Relationship');
    await addSurveyAnswers(db, survey, [
      ['A1', 'C1', '2026-01-10T09:00:00Z', 9, 4],
      ['A3', 'C3', '2026-01-12T09:00:00Z', 9, 1],
    ]);
    const id = await saveConfig(api, {
      period: 'MoM',
      chartPeriods: 2,
      rollUp: true,
      keyMetrics: [
        { label: 'CSAT', field: `survey:${survey}:csat:average`, format: 'number', decimals: 1 },
        { label: 'Latest CSAT', field: `survey:${survey}:csat:latest`, format: 'number' },
      ],
    });
    const data = await widget(api, `config=${id}&asOf=2026-01-31&search=Alpha`);
    assert.deepEqual(metricValues(data.accounts[0]!), [['CSAT', '2.5'], ['Latest CSAT', '1']]);
  });

  it('refuses a column naming a survey field, and a survey metric of a question the survey does not ask', async () => {
    const survey = await createSurvey(api, 'Relationship');
    const reply = await api.request('/api/widget-configs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        name: 'Survey columns',
        columns: [{ field: `survey:${survey}:csat:latest` }],
        keyMetrics: [{ label: 'Effort', field: `survey:${survey}:effort:average`, format: 'number' }],
        chartMetric: { field: 'survey:99:NPS:count' },
        npsSource: { surveys: [survey, 98] },
      }),
    });
    // One problem per path, as "<path>: <problem>"; a problem may hold a "; " itself.
    assert.deepEqual([reply.status, (reply.body as { error: { message: string } }).error.message.split(/; (?=[a-zA-Z]+\.\w)/)], [
      400,
      [
        `invalid widget configuration: columns.0.field: "survey:${survey}:csat:latest" is not a field of the B2B dataset: a column shows attribute:<name>, parent, externalId or role:<ROLE>; survey answers and embedded data are never columns (a survey metric is shown as a key metric or the chart metric)`,
        `keyMetrics.0.field: "survey:${survey}:effort:average": survey ${survey} ("Relationship") asks no question "effort" (it has: NPS, csat)`,
        'chartMetric.field: "survey:99:NPS:count" names survey 99, which does not exist',
        'npsSource.surveys.1: survey 98 does not exist',
      ],
    ]);
  });

  it('counts only the surveys (and imported history) of the NPS source', async () => {
    const relationship = await createSurvey(api, 'Relationship');
    const onboarding = await createSurvey(api, 'Onboarding');
    await addResponses(db, [
      ['A1', '2026-01-05T09:00:00Z', 10],
      ['A1', '2026-01-06T09:00:00Z', 10],
    ]);
    await addSurveyAnswers(db, relationship, [
      ['A1', 'C1', '2026-01-10T09:00:00Z', 0, null],
      ['A1', 'C7', '2026-01-11T09:00:00Z', 8, null],
      ['A2', 'C2', '2026-01-11T09:00:00Z', 9, null],
    ]);
    await addSurveyAnswers(db, onboarding, [['A1', 'C8', '2026-01-12T09:00:00Z', 10, null]]);
    const nps = async (npsSource: unknown) => {
      const id = await saveConfig(api, { name: JSON.stringify(npsSource), period: 'MoM', chartPeriods: 2, ...(npsSource ? { npsSource } : {}) });
      const byNps = await widget(api, `config=${id}&asOf=2026-01-31&sort=nps&order=desc`);
      return byNps.accounts.map((a) => [a.name, a.nps, a.responses]);
    };
    // Every source: 10, 10, 0, 8, 10 = 3 promoters, 1 detractor of 5: 40. Beta: 9 = 100.
    assert.deepEqual(await nps(null), [['Beta AG', 100, 1], ['Alpha GmbH', 40, 5], ['Delta Inc', null, 0], ['Epsilon SA', null, 0], ['Gamma Ltd', null, 0]]);
    // The relationship survey alone: 0, 8 = -50.
    assert.deepEqual(await nps({ surveys: [relationship], importedHistory: false }), [['Beta AG', 100, 1], ['Alpha GmbH', -50, 2], ['Delta Inc', null, 0], ['Epsilon SA', null, 0], ['Gamma Ltd', null, 0]]);
    // With the history: 10, 10, 0, 8 = 25.
    assert.deepEqual(await nps({ surveys: [relationship] }), [['Beta AG', 100, 1], ['Alpha GmbH', 25, 4], ['Delta Inc', null, 0], ['Epsilon SA', null, 0], ['Gamma Ltd', null, 0]]);
    // Every survey, no history: 0, 8, 10 = 0.
    assert.deepEqual(await nps({ importedHistory: false }), [['Beta AG', 100, 1], ['Alpha GmbH', 0, 3], ['Delta Inc', null, 0], ['Epsilon SA', null, 0], ['Gamma Ltd', null, 0]]);
  });

  it("counts each contact's latest answer in the period when the configuration says so", async () => {
    const survey = await createSurvey(api, 'Relationship');
    await addSurveyAnswers(db, survey, [
      ['A1', 'C1', '2026-01-05T09:00:00Z', 0, null],
      ['A1', 'C1', '2026-01-20T09:00:00Z', 10, null],
      ['A1', 'C2', '2026-01-10T09:00:00Z', 8, null],
      ['A1', 'C3', '2025-12-20T09:00:00Z', 10, null],
      ['A1', 'C3', '2026-01-02T09:00:00Z', 0, null],
      ['A3', 'C4', '2026-01-03T09:00:00Z', 10, null],
      ['A3', 'C4', '2026-01-04T09:00:00Z', 6, null],
    ]);
    const figures = async (settings: Record<string, unknown>) => {
      const id = await saveConfig(api, { name: JSON.stringify(settings), period: 'MoM', chartPeriods: 2, ...settings });
      const data = await widget(api, `config=${id}&asOf=2026-01-31&sort=nps&order=desc`);
      return data.accounts.filter((a) => a.responses > 0).map((a) => [a.name, a.nps, a.responses, points(a)]);
    };
    // Every answer: Alpha 0, 10, 8, 0 = 1 promoter, 2 detractors of 4: -25; Gamma 10, 6 = 0.
    assert.deepEqual(await figures({}), [
      ['Gamma Ltd', 0, 2, [['Dec 2025', null], ['Jan 2026', 0]]],
      ['Alpha GmbH', -25, 4, [['Dec 2025', 100], ['Jan 2026', -25]]],
    ]);
    // Latest of each contact: Alpha C1 10, C2 8, C3 0 = 0; Gamma C4 6 = -100.
    assert.deepEqual(await figures({ npsCounting: 'latestPerContact' }), [
      ['Alpha GmbH', 0, 3, [['Dec 2025', 100], ['Jan 2026', 0]]],
      ['Gamma Ltd', -100, 1, [['Dec 2025', null], ['Jan 2026', -100]]],
    ]);
    // The same through the answers themselves, when only some sources count (here every answer is the survey's).
    assert.deepEqual(await figures({ npsCounting: 'latestPerContact', npsSource: { surveys: [survey], importedHistory: false } }), [
      ['Alpha GmbH', 0, 3, [['Dec 2025', 100], ['Jan 2026', 0]]],
      ['Gamma Ltd', -100, 1, [['Dec 2025', null], ['Jan 2026', -100]]],
    ]);
    // Rolled up, Alpha holds Gamma's contact too: 10, 8, 0, 6 = 1 promoter, 2 detractors of 4: -25.
    assert.deepEqual(await figures({ npsCounting: 'latestPerContact', rollUp: true }), [['Alpha GmbH', -25, 4, [['Dec 2025', 100], ['Jan 2026', -25]]]]);
  });
});
