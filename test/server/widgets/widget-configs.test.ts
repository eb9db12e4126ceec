import assert from 'node:assert/strict';
import { testDatabase } from '../../helpers/hooks.ts';
import { adminKey, serve, type Served } from '../serve.ts';
import type { Db } from '../../../core/db.ts';
import type { SalesforceStandIn } from '../../helpers/salesforce/stand-in.ts';
import { loadWidgetDirectory, writeBackWorkflow } from './fixture.ts';

const json = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

describe('/api/widget-configs', () => {
  let db: Db;
  let api: Served;
  let standIn: SalesforceStandIn | undefined;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    await loadWidgetDirectory(db);
    api = await serve(db);
  });
  afterEach(async () => {
    await api.close();
    await standIn?.close();
    standIn = undefined;
  });

  const post = (body: unknown) => api.request('/api/widget-configs', { method: 'POST', headers: json, body: JSON.stringify(body) });

  it('saves a configuration with the documented defaults, lists, changes and removes it', async () => {
    const created = await post({ name: 'Board view', columns: [{ field: 'attribute:industry', label: 'Industry' }] });
    const { createdAt, updatedAt, ...config } = created.body as Record<string, unknown>;
    assert.deepEqual([created.status, config], [
      201,
      {
        id: 1,
        name: 'Board view',
        directoryId: 1,
        period: 'QoQ',
        timeZone: 'UTC',
        chartPeriods: 8,
        columns: [{ field: 'attribute:industry', label: 'Industry' }],
        keyMetrics: [],
        chartMetric: { field: 'nps' },
        arr: null,
        currencyAttribute: null,
        health: { minResponses: 5, atRiskBelow: 0, atRiskDrop: 15, opportunityFrom: 30 },
        rollUp: false,
        npsSource: { surveys: 'all', importedHistory: true },
        npsCounting: 'everyAnswer',
      },
    ]);
    const changed = await api.request('/api/widget-configs/1', { method: 'PATCH', headers: json, body: JSON.stringify({ period: 'YoY', timeZone: 'Europe/Berlin' }) });
    const listed = await api.get('/api/widget-configs');
    assert.deepEqual(
      [changed.status, (listed.body as { items: { name: string; period: string; timeZone: string }[] }).items.map((c) => [c.name, c.period, c.timeZone])],
      [200, [['Board view', 'YoY', 'Europe/Berlin']]],
    );
    const removed = await api.request('/api/widget-configs/1', { method: 'DELETE', headers: json });
    const gone = await api.get('/api/widget-configs/1');
    assert.deepEqual([removed.status, gone.status], [204, 404]);
  });

  it("refuses to remove a configuration a workflow's write-back uses, naming the workflow, and removes it when forced", async () => {
    const { id } = (await post({ name: 'Health rules' })).body as { id: number };
    let workflowId: number;
    ({ workflowId, standIn } = await writeBackWorkflow(db, id, 'Nightly health'));
    const refused = await api.request(`/api/widget-configs/${id}`, { method: 'DELETE', headers: json });
    assert.deepEqual([refused.status, refused.body], [
      409,
      { error: { code: 'CONFLICT', message: `widget configuration ${id} ("Health rules") is used by workflow "Nightly health" (${workflowId}): removing it breaks them; add ?force=true to remove it anyway` } },
    ]);
    assert.equal((await api.get(`/api/widget-configs/${id}`)).status, 200);
    const forced = await api.request(`/api/widget-configs/${id}?force=true`, { method: 'DELETE', headers: json });
    assert.deepEqual([forced.status, (await api.get(`/api/widget-configs/${id}`)).status], [204, 404]);
  });

  it('refuses a column that is not in the B2B dataset, naming it', async () => {
    const reply = await post({ name: 'Survey comments', columns: [{ field: 'attribute:industry' }, { field: 'survey:comment' }] });
    assert.deepEqual([reply.status, reply.body], [
      400,
      {
        error: {
          code: 'BAD_REQUEST',
          message:
            'invalid widget configuration: columns.1.field: "survey:comment" is not a field of the B2B dataset: a column shows attribute:<name>, parent, externalId or role:<ROLE>; survey answers and embedded data are never columns',
        },
      },
    ]);
  });

  it('names every attribute, role, metric and time zone the directory does not have', async () => {
    const reply = await post({
      name: 'Broken',
      timeZone: 'Mars/Olympus',
      columns: [{ field: 'attribute:revenue' }, { field: 'role:CHIEF_WIZARD' }],
      keyMetrics: [
        { label: 'Industry', field: 'attribute:industry', format: 'number' },
        { label: 'ARR', field: 'arr', format: 'currency' },
      ],
    });
    assert.deepEqual([reply.status, (reply.body as { error: { message: string } }).error.message.split('; ')], [
      400,
      [
        'invalid widget configuration: timeZone: "Mars/Olympus" is not an IANA time zone name (e.g. Europe/Berlin)',
        'columns.0.field: "attribute:revenue" names no account attribute of this directory (it has: contractAmount, currency, industry, seats, termMonths)',
        'columns.1.field: "role:CHIEF_WIZARD" names no role: use one of ACCOUNT_EXECUTIVE, ACCOUNT_OWNER, CUSTOMER_SUCCESS_MANAGER, TECHNICAL_SALES_PROFESSIONAL, SALES_ENGINEER, CUSTOMER_SUPPORT_PROFESSIONAL, OTHER_ACCOUNT_TEAM_MEMBER, DECISION_MAKER, INFLUENCER, PROCUREMENT_FINANCE_PERSON, PROGRAM_MANAGER, EXECUTIVE_SPONSOR, END_USER, ACCOUNT_MEMBER',
        'keyMetrics.0.field: "industry" is an Enum attribute, and a key metric needs an Integer or Decimal one',
        'keyMetrics.1.field: "arr" needs the arr setting (which attributes hold the contract amount and term)',
      ],
    ]);
  });

  it('refuses a fourth key metric and an unknown setting', async () => {
    const metric = { label: 'NPS', field: 'nps', format: 'number' };
    const reply = await post({ name: 'Too much', keyMetrics: [metric, metric, metric, metric], colour: 'red' });
    assert.deepEqual([reply.status, reply.body], [
      400,
      { error: { code: 'BAD_REQUEST', message: 'invalid widget configuration: keyMetrics: at most 3 key metrics; (body): Unrecognized key: "colour"' } },
    ]);
  });

  it('needs the admin key', async () => {
    const reply = await api.get('/api/widget-configs', { key: null });
    assert.equal(reply.status, 401);
  });
});
