import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Db } from '../../../core/db.ts';
import { createLogger } from '../../../core/log.ts';
import { findRun } from '../../../core/runs/queries.ts';
import { createWidgetConfig } from '../../../core/widgets/config-queries.ts';
import { periodsUpTo } from '../../../core/widgets/periods.ts';
import { todayIn } from '../../../core/widgets/strategic-accounts-queries.ts';
import { createWorkflow } from '../../../core/workflows/queries.ts';
import type { WriteBackTask } from '../../../core/workflows/write-back.ts';
import { runSync } from '../../../worker/jobs/run-sync.ts';
import { writeBack } from '../../../worker/writeback/write-back.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { allObjects, companyMapping, connectStandIn, seedCompany, testBox } from '../../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../../helpers/salesforce/stand-in.ts';

const fields = { nps: 'NPS__c', change: 'NPS_Change__c', health: 'Health__c', responses: 'NPS_Answers__c', lastAnswerAt: 'Last_NPS_Answer__c' };

describe('writeBack: account figures into Salesforce Account fields (stand-in org, jsforce over HTTP)', function () {
  this.timeout(60_000);
  let db: Db;
  let standIn: SalesforceStandIn;
  let connectionId: number;
  let accountIds: string[];
  let task: WriteBackTask;

  /** An org of `count` accounts with the five write-back fields, loaded into directory 1, and a widget configuration of it. */
  async function setUp(context: Mocha.Context, count: number) {
    return setUpIn((await testDatabase(context)).db, count);
  }

  async function setUpIn(database: Db, count = 3) {
    db = database;
    standIn = await startStandIn();
    const org = standIn.org;
    org.addField('Account', 'NPS__c', 'double');
    org.addField('Account', 'NPS_Change__c', 'double');
    org.addField('Account', 'Health__c', 'picklist');
    org.addField('Account', 'NPS_Answers__c', 'double');
    org.addField('Account', 'Last_NPS_Answer__c', 'datetime');
    org.addField('Account', 'Health_Score__c', 'double', { updateable: false });
    org.addField('Account', 'Health_Note__c', 'string');
    accountIds = Array.from({ length: count }, (_, i) => org.insert('Account', { Name: `Account ${String(i).padStart(4, '0')}`, ParentId: null }));
    connectionId = await connectStandIn(db, standIn);
    const load = await runSync({ db, secretBox: async () => testBox, salesforce: { pollIntervalMs: 10 } }, { directoryId: 1, salesforce: { connectionId, objects: { accounts: {} } } });
    assert.equal(load.state, 'succeeded', load.error?.message);
    const config = await createWidgetConfig(db, { name: 'Strategic accounts', directoryId: 1 });
    task = { type: 'writeBack', name: 'Health to Salesforce', load: 'Load', connectionId, widgetConfigId: config.id, fields };
    return load.runId;
  }

  afterEach(async () => {
    await standIn?.close();
  });

  /**
   * Answers this quarter and last: the first account 10, 10, 9, 9, 3 now (NPS 60, Opportunity); the
   * second 2, 3, 4, 9, 10 now (NPS -20, At Risk) after five 10s last quarter (a change of -120); the
   * third one 8 (NPS 0, Not enough data). The others have none.
   */
  async function answer(): Promise<{ now: Date }> {
    const today = await todayIn(db, 'UTC');
    const [previous] = periodsUpTo('QoQ', today, 2);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const rows: [string, Date, number][] = [
      ...[10, 10, 9, 9, 3].map((s, i): [string, Date, number] => [accountIds[0]!, new Date(now.getTime() - i * 1000), s]),
      ...[2, 3, 4, 9, 10].map((s, i): [string, Date, number] => [accountIds[1]!, new Date(now.getTime() - i * 1000), s]),
      ...[10, 10, 10, 10, 10].map((s, i): [string, Date, number] => [accountIds[1]!, new Date(Date.parse(`${previous!.start}T12:00:00Z`) + i * 1000), s]),
      [accountIds[2]!, now, 8],
    ];
    await db.query(
      `insert into nps_responses (directory_id, contact_external_id, account_external_id, responded_at, score)
       select 1, 'R' || n, account, at, score from unnest($1::text[], $2::timestamptz[], $3::smallint[]) with ordinality as r (account, at, score, n)`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
    return { now };
  }

  const written = (id: string) => {
    const record = standIn.org.records.get('Account')!.get(id)!;
    return Object.fromEntries(Object.values(fields).map((f) => [f, record[f] ?? null]));
  };
  const deps = () => ({ db, secretBox: async () => testBox, logger: createLogger('silent', 'test'), writeBack: { pollIntervalMs: 10 } });

  it('writes 1,000 accounts through one Bulk API 2.0 ingest job, with the figures the widget shows, and counts its API calls on the run', async function () {
    const runId = await setUp(this, 1000);
    const { now } = await answer();
    const callsBefore = standIn.apiCalls;
    const report = await writeBack(deps(), task, runId);
    assert.deepEqual(report, { task: 'Health to Salesforce', method: 'bulk', accounts: 1000, changed: 1000, succeeded: 1000, failed: 0, apiCalls: standIn.apiCalls - callsBefore, jobId: standIn.ingestJobs[0]!.id, tasksCreated: 0, tasksFailed: 0, error: null });
    assert.deepEqual([standIn.ingestJobs.length, standIn.ingestJobs[0]!.successful.length, standIn.collectionRequests], [1, 1000, []]);
    const last = now.toISOString();
    assert.deepEqual([written(accountIds[0]!), written(accountIds[1]!), written(accountIds[2]!), written(accountIds[999]!)], [
      { NPS__c: 60, NPS_Change__c: null, Health__c: 'Opportunity', NPS_Answers__c: 5, Last_NPS_Answer__c: last },
      { NPS__c: -20, NPS_Change__c: -120, Health__c: 'At Risk', NPS_Answers__c: 5, Last_NPS_Answer__c: last },
      { NPS__c: 0, NPS_Change__c: null, Health__c: 'Not enough data', NPS_Answers__c: 1, Last_NPS_Answer__c: last },
      { NPS__c: null, NPS_Change__c: null, Health__c: 'Not enough data', NPS_Answers__c: 0, Last_NPS_Answer__c: null },
    ]);
    // Describe, open, upload, close, two polls, failed results.
    assert.equal(report.apiCalls, 7);
    const run = await findRun(db, String(runId), { limit: 10, offset: 0 });
    assert.deepEqual([run?.apiCalls, run?.errorCount], [standIn.apiCalls, 0]);
  });

  it('sends nothing on a second run when no figure changed, and only the changed account when one did', async function () {
    const runId = await setUp(this, 1000);
    await answer();
    assert.equal((await writeBack(deps(), task, runId)).succeeded, 1000);
    const requestsBefore = standIn.requests.length;

    const again = await writeBack(deps(), task, runId);
    assert.deepEqual([again.method, again.accounts, again.changed, again.succeeded, again.apiCalls], ['none', 1000, 0, 0, 1]);
    assert.deepEqual(standIn.requests.slice(requestsBefore).filter((r) => r.path.startsWith('/services/data/')).map((r) => `${r.method} ${r.path.replace(/^\/services\/data\/v[\d.]+/, '')}`), ['GET /sobjects/Account/describe']);
    assert.equal(standIn.ingestJobs.length, 1);

    await db.query(`insert into nps_responses (directory_id, contact_external_id, account_external_id, responded_at, score) values (1, 'R-new', $1, now() - interval '1 second', 10)`, [accountIds[500]]);
    const changed = await writeBack(deps(), task, runId);
    assert.deepEqual([changed.method, changed.changed, changed.succeeded, standIn.collectionRequests], ['collections', 1, 1, [1]]);
    assert.deepEqual(written(accountIds[500]!).NPS__c, 100);
  });

  it('reports a record Salesforce refuses with its error, writes the rest, and sends the refused one again next run', async function () {
    const runId = await setUp(this, 1000);
    await answer();
    const refused = accountIds[1]!;
    standIn.org.addValidationRule('Account', (r) => (r.Health__c === 'At Risk' && r.Health_Note__c == null ? 'An account at risk needs a health note' : null), 'Health__c');

    const first = await writeBack(deps(), task, runId);
    assert.deepEqual([first.method, first.changed, first.succeeded, first.failed], ['bulk', 1000, 999, 1]);
    const run = await findRun(db, String(runId), { limit: 10, offset: 0 });
    assert.deepEqual(run?.errors, [
      { object: 'accounts', source: 'writeBack Health to Salesforce', line: null, recordId: refused, field: 'Health__c', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'An account at risk needs a health note' },
    ]);
    assert.deepEqual(written(refused), { NPS__c: null, NPS_Change__c: null, Health__c: null, NPS_Answers__c: null, Last_NPS_Answer__c: null });
    assert.equal(written(accountIds[0]!).Health__c, 'Opportunity');

    // Still refused through sObject Collections: reported again, nothing stored as written.
    const second = await writeBack(deps(), task, runId);
    assert.deepEqual([second.method, second.changed, second.succeeded, second.failed], ['collections', 1, 0, 1]);
    const errors = (await findRun(db, String(runId), { limit: 10, offset: 0 }))!.errors;
    assert.deepEqual(errors.map((e) => [e.recordId, e.field, e.code]), [[refused, 'Health__c', 'FIELD_CUSTOM_VALIDATION_EXCEPTION'], [refused, 'Health__c', 'FIELD_CUSTOM_VALIDATION_EXCEPTION']]);

    standIn.org.update('Account', refused, { Health_Note__c: 'Escalated to the CSM' });
    const third = await writeBack(deps(), task, runId);
    assert.deepEqual([third.method, third.changed, third.succeeded, third.failed], ['collections', 1, 1, 0]);
    assert.equal(written(refused).Health__c, 'At Risk');
  });

  it('runs after its load in a workflow (npm run workflow), and shows on the run what it wrote', async function () {
    const { url } = await testDatabase(this).then(async (database) => {
      await setUpIn(database.db);
      return database;
    });
    const workflow = await createWorkflow(db, {
      name: 'Accounts and health',
      definition: {
        tasks: [
          { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId },
          { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
          task,
        ],
      },
    }, '/tmp', async () => testBox);
    const root = path.join(import.meta.dirname, '..', '..', '..');
    const callsBefore = standIn.apiCalls;
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'bin', 'workflow.ts'), 'run', String(workflow.id)], {
      env: { ...process.env, DATABASE_URL: url, SECRET_KEY: 'a-test-secret-key-of-32-characters!', LOG_LEVEL: 'silent' },
    });
    assert.ok(stdout.includes('Write-back "Health to Salesforce": 3 of 3 accounts changed; 3 written, 0 refused (sObject Collections), 2 API calls'), stdout);
    const [{ id }] = (await db.query<{ id: number }>('select id::int from sync_runs where workflow_id = $1', [workflow.id])) as [{ id: number }];
    const run = await findRun(db, String(id), { limit: 10, offset: 0 });
    assert.deepEqual(run?.writeBacks, [
      { task: 'Health to Salesforce', method: 'collections', accounts: 3, changed: 3, succeeded: 3, failed: 0, apiCalls: 2, jobId: null, tasksCreated: 0, tasksFailed: 0, errorCode: null, errorMessage: null },
    ]);
    // The extract's calls and the write-back's, as the org counted them.
    assert.equal(run?.apiCalls, standIn.apiCalls - callsBefore);
    assert.deepEqual(accountIds.map((a) => written(a).Health__c), ['Not enough data', 'Not enough data', 'Not enough data']);
  });

  it('opens one Task per recent detractor answer, on the contact and account, for the account owner, and never a second', async function () {
    ({ db } = await testDatabase(this));
    standIn = await startStandIn();
    const ids = seedCompany(standIn);
    standIn.org.addField('Account', 'NPS__c', 'double');
    connectionId = await connectStandIn(db, standIn);
    const load = await runSync({ db, secretBox: async () => testBox, salesforce: { pollIntervalMs: 10 } }, { directoryId: 1, mapping: companyMapping, salesforce: { connectionId, objects: allObjects } });
    assert.equal(load.state, 'succeeded', load.error?.message);
    const config = await createWidgetConfig(db, { name: 'Strategic accounts', directoryId: 1 });
    const answered = new Date(Date.now() - 60_000);
    await db.query(
      `insert into nps_responses (directory_id, contact_external_id, account_external_id, responded_at, score, comment) values
        (1, $1, $2, $4, 3, 'Support never called back'), (1, $3, $5, $4, 9, null), (1, $1, $2, now() - interval '30 days', 2, 'An old complaint')`,
      [ids.ada, ids.acme, ids.bob, answered, ids.beta],
    );
    const detractors: WriteBackTask = { type: 'writeBack', name: 'Health', load: 'Load', connectionId, widgetConfigId: config.id, fields: { nps: 'NPS__c' }, detractorTasks: { scoreAtMost: 6, withinDays: 7 } };
    const tasks = () => [...standIn.org.records.get('Task')!.values()].map(({ Subject, Description, Status, Priority, ActivityDate, WhoId, WhatId, OwnerId }) => ({ Subject, Description, Status, Priority, ActivityDate, WhoId, WhatId, OwnerId }));

    const first = await writeBack(deps(), detractors, load.runId);
    assert.deepEqual([first.tasksCreated, first.tasksFailed, first.error], [1, 0, null]);
    assert.deepEqual(tasks(), [{
      Subject: 'Detractor: Ada Lovelace answered 3',
      Description: `Ada Lovelace answered 3 of 10 on ${answered.toISOString().slice(0, 10)}.\n\nSupport never called back`,
      Status: 'Not Started', Priority: 'High', ActivityDate: new Date().toISOString().slice(0, 10), WhoId: ids.ada, WhatId: ids.acme, OwnerId: ids.owner,
    }]);
    const second = await writeBack(deps(), detractors, load.runId);
    assert.deepEqual([second.tasksCreated, second.tasksFailed, tasks().length], [0, 0, 1]);
  });

  it('refuses to save a workflow whose write-back maps a field of the wrong type, a read-only field or no field, naming each', async function () {
    await setUp(this, 2);
    const save = (mapping: Record<string, string>) =>
      createWorkflow(db, {
        name: `Write-back ${Object.values(mapping).join(' ')}`,
        definition: {
          tasks: [
            { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId },
            { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
            { ...task, fields: mapping },
          ],
        },
      }, '/tmp', async () => testBox);
    await assert.rejects(save({ nps: 'Health_Note__c', health: 'Health_Score__c', lastAnswerAt: 'Last_Answer__c' }), {
      code: 'BAD_REQUEST',
      message:
        'invalid workflow definition: tasks.2.fields.nps: Health_Note__c is a string field; NPS needs a number field (double, int, percent, currency); ' +
        'tasks.2.fields.health: Health_Score__c is a double field; Health needs a text or picklist field (string, picklist, textarea); ' +
        'tasks.2.fields.lastAnswerAt: Account has no field Last_Answer__c',
    });
    standIn.org.addField('Account', 'NPS_Formula__c', 'double', { updateable: false });
    await assert.rejects(save({ nps: 'NPS_Formula__c' }), {
      message: "invalid workflow definition: tasks.2.fields.nps: NPS_Formula__c is not updateable (a formula or system field, or read-only for the connection's user)",
    });
    const levels = ['Opportunity', 'Neutral', 'At Risk'].map((value) => ({ value, label: value, active: true, defaultValue: false }));
    standIn.org.addField('Account', 'Health_Level__c', 'picklist', { restrictedPicklist: true, picklistValues: levels });
    await assert.rejects(save({ health: 'Health_Level__c' }), {
      message: 'invalid workflow definition: tasks.2.fields.health: Health_Level__c is a restricted picklist without the value "Not enough data": add it, or unrestrict it',
    });
    const saved = await save(fields);
    assert.deepEqual(saved.definition.tasks[2], task);
  });
});
