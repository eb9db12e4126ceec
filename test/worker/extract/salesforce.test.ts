import assert from 'node:assert/strict';
import type { Db } from '../../../core/db.ts';
import { findRun } from '../../../core/runs/queries.ts';
import { runSync } from '../../../worker/jobs/run-sync.ts';
import type { SyncJob } from '../../../worker/jobs/sync-job.ts';
import { syncJobsOf } from '../../../worker/jobs/workflow-jobs.ts';
import { workflowDefinitionSchema } from '../../../core/workflows/definition.ts';
import type { SalesforceExtract } from '../../../worker/extract/salesforce/salesforce-extract.ts';
import { directorySnapshot, runErrors, tempDir } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { allObjects, companyMapping, connectStandIn, seedCompany, testBox } from '../../helpers/salesforce/fixture.ts';
import { errorBodies, startStandIn, type SalesforceStandIn } from '../../helpers/salesforce/stand-in.ts';

const quick = { pollIntervalMs: 10, resilience: { giveUpAfterMs: 1500, firstDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 5000 } };

describe('Salesforce extract (stand-in org, jsforce over HTTP)', function () {
  this.timeout(30_000);
  let db: Db;
  let standIn: SalesforceStandIn;
  let ids: ReturnType<typeof seedCompany>;
  let connectionId: number;
  let run: (objects?: SalesforceExtract['objects'], job?: Partial<SyncJob>, tuning?: object) => ReturnType<typeof runSync>;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    standIn = await startStandIn();
    ids = seedCompany(standIn);
    connectionId = await connectStandIn(db, standIn);
    run = (objects = allObjects, job = {}, tuning = {}) =>
      runSync({ db, secretBox: async () => testBox, salesforce: { ...quick, ...tuning } }, { directoryId: 1, mapping: companyMapping, salesforce: { connectionId, objects }, ...job });
  });
  afterEach(async () => {
    await standIn.close();
  });

  const live = async () => {
    const snapshot = await directorySnapshot(db);
    return {
      accounts: snapshot.accounts.filter((a) => !a.is_deleted).map((a) => a.display_name),
      hierarchy: snapshot.hierarchy.filter((h) => !h.is_deleted && h.parent_external_id).map((h) => `${h.account_external_id}>${h.parent_external_id}`),
      contacts: snapshot.contacts.filter((c) => !c.is_deleted).map((c) => c.email),
      managementRoles: snapshot.managementRoles.filter((r) => !r.is_deleted).map((r) => `${r.account_external_id}:${r.user_email}:${r.role_name}`),
    };
  };

  it('extracts accounts, contacts and account teams through Bulk API 2.0 on the first run, and stores the API calls with the run', async () => {
    const result = await run();
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.deepEqual(await live(), {
      accounts: ['Acme', 'Beta'],
      hierarchy: [`${ids.beta}>${ids.acme}`],
      contacts: ['ada@acme.example', 'bob@beta.example'],
      managementRoles: [`${ids.acme}:olive@us.example:ACCOUNT_OWNER`, `${ids.beta}:sam@us.example:ACCOUNT_EXECUTIVE`],
    });
    assert.deepEqual(result.salesforcePlans.map((p) => [p.object, p.method, p.since]), [
      ['Account', 'bulk', null],
      ['Contact', 'bulk', null],
      ['AccountTeamMember', 'bulk', null],
    ]);
    const stored = await findRun(db, String(result.runId), { limit: 1, offset: 0 });
    assert.deepEqual([stored?.source, stored?.apiCalls], [`salesforce:${connectionId}`, standIn.apiCalls]);
    // Per object: describe, open the job, poll it, one result page.
    assert.equal(result.apiCalls, 12);
  });

  it('extracts only what changed since the last run, deletions included, and nothing when nothing changed', async () => {
    assert.equal((await run()).state, 'succeeded');
    standIn.org.update('Account', ids.acme, { Name: 'Acme Holdings' });
    standIn.org.delete('Contact', ids.bob);
    standIn.org.delete('AccountTeamMember', ids.sellerRole);
    standIn.org.insert('Contact', { FirstName: 'Cy', LastName: 'Clerk', Email: 'cy@acme.example', Title: '', AccountId: ids.acme });

    const changed = await run();
    assert.equal(changed.state, 'succeeded', changed.error?.message);
    // Everything since ten minutes before the watermark: here, every record.
    assert.deepEqual(changed.salesforcePlans.map((p) => [p.object, p.method, p.estimate]), [
      ['Account', 'rest', 2],
      ['Contact', 'rest', 3],
      ['AccountTeamMember', 'rest', 2],
    ]);
    assert.deepEqual(await live(), {
      accounts: ['Acme Holdings', 'Beta'],
      hierarchy: [`${ids.beta}>${ids.acme}`],
      contacts: ['ada@acme.example', 'cy@acme.example'],
      managementRoles: [`${ids.acme}:olive@us.example:ACCOUNT_OWNER`],
    });
    assert.deepEqual(
      [changed.counts.accounts?.updated, changed.counts.contacts?.inserted, changed.counts.contacts?.deleted, changed.counts.managementRoles?.deleted],
      [1, 1, 1, 1],
    );

    const before = standIn.apiCalls;
    const unchanged = await run();
    assert.equal(unchanged.state, 'succeeded', unchanged.error?.message);
    assert.deepEqual(unchanged.salesforcePlans.map((p) => [p.object, p.method, p.estimate]), [
      ['Account', 'none', 0],
      ['Contact', 'none', 0],
      ['AccountTeamMember', 'none', 0],
    ]);
    // Per object: describe and the count.
    assert.equal(standIn.apiCalls - before, 6);
    assert.equal(unchanged.apiCalls, 6);
  });

  it('reads again from ten minutes before the watermark, so a record committed late with an older SystemModstamp is loaded', async () => {
    assert.equal((await run()).state, 'succeeded');
    // Stamped five seconds before the newest record the first run read, visible only now.
    standIn.org.insertLate('Contact', { FirstName: 'Lu', LastName: 'Late', Email: 'lu@acme.example', Title: '', AccountId: ids.acme }, 5);
    const late = await run();
    assert.equal(late.state, 'succeeded', late.error?.message);
    assert.deepEqual((await live()).contacts, ['ada@acme.example', 'bob@beta.example', 'lu@acme.example']);
    // The window's other records are read again and found unchanged.
    assert.deepEqual(late.counts.contacts, { inserted: 1, updated: 0, unchanged: 2, deleted: 0, rejected: 0 });
    assert.deepEqual(late.salesforcePlans.map((p) => [p.object, p.method, p.estimate]), [
      ['Account', 'none', 0],
      ['Contact', 'rest', 3],
      ['AccountTeamMember', 'none', 0],
    ]);

    const unchanged = await run();
    assert.deepEqual(unchanged.salesforcePlans.map((p) => p.method), ['none', 'none', 'none']);
    // Per object: describe and the count, as without the window.
    assert.equal(unchanged.apiCalls, 6);
  });

  it('reconciles on demand: reads only the Ids and removes what was hard deleted or left the list view, as deletions of the run', async () => {
    standIn.org.addListView('Account', 'Not_Mining', "Industry != 'Mining'");
    const objects = { accounts: { listView: 'Not_Mining' }, contacts: {}, teamMembers: {} };
    assert.equal((await run(objects)).state, 'succeeded');
    standIn.org.purge('Contact', ids.bob);
    standIn.org.purge('AccountTeamMember', ids.sellerRole);
    standIn.org.update('Account', ids.beta, { Industry: 'Mining' });
    const missed = await run(objects);
    assert.deepEqual([missed.state, (await live()).accounts, (await live()).contacts.length], ['succeeded', ['Acme', 'Beta'], 2]);

    const before = standIn.apiCalls;
    const reconciled = await run(objects, { salesforce: { connectionId, objects, reconcile: true } });
    assert.equal(reconciled.state, 'succeeded', reconciled.error?.message);
    assert.deepEqual(await live(), {
      accounts: ['Acme'],
      hierarchy: [],
      contacts: ['ada@acme.example'],
      managementRoles: [`${ids.acme}:olive@us.example:ACCOUNT_OWNER`],
    });
    assert.deepEqual(reconciled.removedAbsent, { accounts: 1, contacts: 1, managementRoles: 1 });
    assert.deepEqual([reconciled.counts.accounts?.deleted, reconciled.counts.contacts?.deleted, reconciled.counts.managementRoles?.deleted], [1, 1, 1]);
    assert.deepEqual(reconciled.salesforcePlans.map((p) => [p.object, p.method, p.reconcile]), [
      ['Account', 'none', true],
      ['Contact', 'none', true],
      ['AccountTeamMember', 'none', true],
    ]);
    // The list view's lookup and describe, then per object: describe and count, and an Ids job opened, polled and read.
    assert.equal(standIn.apiCalls - before, 2 + 3 * 2 + 3 * 3);
  });

  it('reconciles every seventh run of an object by itself', async () => {
    assert.equal((await run()).state, 'succeeded');
    standIn.org.purge('Contact', ids.bob);
    const plans: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await run();
      plans.push(result.salesforcePlans[1]!.reconcile);
    }
    assert.deepEqual(plans, [false, false, false, false, false, true]);
    assert.deepEqual((await live()).contacts, ['ada@acme.example']);
  });

  it('reports a row error with the record Id and its line in the Bulk CSV, read by Bulk or by REST', async () => {
    const zed = standIn.org.insert('Contact', { FirstName: 'Zed', LastName: 'Z', Email: 'not-an-email', Title: '', AccountId: ids.acme });
    const bulk = await run();
    assert.deepEqual((await runErrors(db, bulk.runId)).map((e) => [e.record_id, e.line, e.code]), [[zed, 4, 'INVALID_EMAIL']]);
    standIn.org.update('Contact', zed, { LastName: 'Zz' });
    const rest = await run({ contacts: {} });
    assert.deepEqual(rest.salesforcePlans.map((p) => p.method), ['rest']);
    // REST reads the overlap window too (Ada, Bob, then Zed), so Zed is the third record: line 4, as in a Bulk CSV of the same query.
    assert.deepEqual((await runErrors(db, rest.runId)).map((e) => [e.record_id, e.line, e.code]), [[zed, 4, 'INVALID_EMAIL']]);
  });

  it('uses a Bulk job for an incremental change set above the threshold', async () => {
    assert.equal((await run()).state, 'succeeded');
    for (let i = 0; i < 5; i++) standIn.org.insert('Contact', { FirstName: `F${i}`, LastName: 'L', Email: `f${i}@acme.example`, Title: '', AccountId: ids.acme });
    const result = await run({ contacts: {} }, {}, { bulkThreshold: 3 });
    // The five new contacts and the two of the overlap window.
    assert.deepEqual(result.salesforcePlans.map((p) => [p.method, p.estimate]), [['bulk', 7]]);
    assert.equal(result.counts.contacts?.inserted, 5);
  });

  it('extracts everything again on a full resync', async () => {
    assert.equal((await run()).state, 'succeeded');
    const result = await run({ accounts: { fullResync: true } });
    assert.deepEqual(result.salesforcePlans.map((p) => [p.method, p.since]), [['bulk', null]]);
    assert.deepEqual(result.counts.accounts, { inserted: 0, updated: 0, unchanged: 2, deleted: 0, rejected: 0 });
  });

  it('limits the records to a list view, named by its API name, using the filter from its describe', async () => {
    standIn.org.addListView('Account', 'Banking_Accounts', "Industry = 'Banking'");
    const result = await run({ accounts: { listView: 'Banking_Accounts' } });
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.deepEqual((await live()).accounts, ['Acme']);
    const unknown = await run({ accounts: { listView: 'Nope' } });
    assert.deepEqual(unknown.error, { code: 'SALESFORCE_CONFIG_INVALID', message: 'Account: there is no list view "Nope"; its list views are: Banking_Accounts' });
  });

  it('adds a custom field from the describe result, which the mapping turns into an account attribute', async () => {
    standIn.org.addField('Account', 'Tier__c');
    standIn.org.update('Account', ids.acme, { Tier__c: 'Strategic' });
    const result = await run(
      { accounts: { fields: ['Id', 'IsDeleted', 'Name', 'Parent.Id', 'Tier__c'] } },
      { mapping: { accounts: { attributes: { tier: { source: 'Tier__c', type: 'String' } } } } },
    );
    assert.equal(result.state, 'succeeded', result.error?.message);
    const rows = await db.query<{ display_name: string; attributes: unknown }>('select display_name, attributes from accounts order by display_name');
    assert.deepEqual(rows, [
      { display_name: 'Acme', attributes: { tier: 'Strategic' } },
      { display_name: 'Beta', attributes: { tier: null } },
    ]);
  });

  it('refuses a compound field, naming its components, an unknown field, and a field list without a required field', async () => {
    const compound = await run({ accounts: { fields: ['Id', 'IsDeleted', 'Name', 'Parent.Id', 'BillingAddress', 'Rating__c'] } });
    assert.deepEqual(compound.error, {
      code: 'SALESFORCE_CONFIG_INVALID',
      message:
        'Account: BillingAddress is a compound field and cannot be extracted; select its components instead: BillingStreet, BillingCity, BillingState, BillingPostalCode, BillingCountry; ' +
        'Rating__c: Account has no such field',
    });
    const dropped = await run({ contacts: { fields: ['Id', 'IsDeleted', 'Title', 'Account.Id', 'FirstName', 'LastName'] } });
    assert.deepEqual(dropped.error, { code: 'SALESFORCE_CONFIG_INVALID', message: 'Contact: the required field Email cannot be left out' });
    assert.deepEqual(await live(), { accounts: [], hierarchy: [], contacts: [], managementRoles: [] });
  });

  it('logs in again when the session expires mid-run and retries the request once', async () => {
    standIn.inject({ path: /\/jobs\/query\/\w+\/results/ }, { kind: 'expireSessions' });
    const result = await run();
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.equal((await live()).contacts.length, 2);
    assert.deepEqual(standIn.requests.filter((r) => r.status === 401).map((r) => r.path.replace(/750\w+/, 'JOB')), ['/services/data/v62.0/jobs/query/JOB/results']);
    assert.equal(result.apiCalls, standIn.apiCalls);
  });

  it('backs off through 503 answers, counting every attempt', async () => {
    standIn.inject({ path: /\/describe$/ }, { kind: 'status', status: 503, body: errorBodies.unavailable }, 2);
    standIn.inject({ path: /\/jobs\/query$/ }, { kind: 'status', status: 503, body: errorBodies.unavailable }, 1);
    const result = await run();
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.equal(result.apiCalls, 12 + 3);
    assert.equal(result.apiCalls, standIn.apiCalls);
  });

  it('gives up with a clear error after the bounded time, changing nothing', async () => {
    standIn.inject({ path: /\/jobs\/query\/\w+\/results/ }, { kind: 'status', status: 503, body: errorBodies.unavailable }, 1000);
    const result = await run();
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.code, 'SALESFORCE_UNAVAILABLE');
    assert.match(result.error!.message, /^Account: Salesforce connection "Production": GET \/jobs\/query\/\w+\/results kept failing for 1\.\d s over \d+ attempts; last: SERVER_UNAVAILABLE: Server Unavailable$/);
    assert.deepEqual(await live(), { accounts: [], hierarchy: [], contacts: [], managementRoles: [] });
    const [stored] = await db.query<{ state: string; api_calls: number }>('select state, api_calls from sync_runs where id = $1', [result.runId]);
    assert.deepEqual(stored, { state: 'failed', api_calls: standIn.apiCalls });
  });

  it("stops before opening a Bulk job when the run would take more than a quarter of the org's remaining daily API requests", async () => {
    // 40 requests left: the run may take 10; describing three objects and three Bulk jobs of three calls each take 12.
    standIn.dailyApiRequests = { max: 15_000, usedByOthers: 15_000 - 40 };
    const refused = await run();
    assert.deepEqual(refused.error, {
      code: 'SALESFORCE_BUDGET',
      message: 'Salesforce connection "Production": this run would take about 12 API requests, more than 25% of the 40 the org had left today (14,963 of 15,000 used in the last 24 hours); the run stopped and the directory is unchanged',
    });
    assert.deepEqual(standIn.requests.filter((r) => r.path.includes('/jobs/')), []);
    assert.deepEqual(await live(), { accounts: [], hierarchy: [], contacts: [], managementRoles: [] });
    assert.equal((await run({ accounts: {} })).state, 'succeeded');
    assert.equal((await run({ accounts: {} }, {}, { apiShare: 0.5 })).state, 'succeeded');
  });

  it('stops mid-run once the org has counted more than its share since the run began', async () => {
    // 60 left: the run may take 15 and plans 12; another integration spends 30 while the run waits on its first job.
    standIn.dailyApiRequests = { max: 15_000, usedByOthers: 15_000 - 60 };
    standIn.inject({ method: 'GET', path: /\/jobs\/query\/\w+$/ }, { kind: 'othersSpend', requests: 30 });
    const result = await run();
    assert.deepEqual(result.error, {
      code: 'SALESFORCE_BUDGET',
      message: 'Account: Salesforce connection "Production": the org has counted 37 API requests since this run began, more than 25% of the 60 the org had left today (14,977 of 15,000 used in the last 24 hours); the run stopped and the directory is unchanged',
    });
    assert.deepEqual(await live(), { accounts: [], hierarchy: [], contacts: [], managementRoles: [] });
  });

  it("fails at once on REQUEST_LIMIT_EXCEEDED, with the org's numbers, instead of backing off against a daily limit", async () => {
    standIn.dailyApiRequests = { max: 15_000, usedByOthers: 15_000 };
    const result = await run();
    assert.deepEqual(result.error, {
      code: 'SALESFORCE_BUDGET',
      message:
        'Salesforce connection "Production": the org is over its daily API request limit (15,000 of 15,000 used in the last 24 hours) (GET /sobjects/Account/describe: REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.); ' +
        "the sync waits until the org's rolling 24 hours have room",
    });
    assert.equal(result.apiCalls, 1);
  });

  it('survives a connection dropped in the middle of a Bulk result page and of a REST query page', async () => {
    for (let i = 0; i < 300; i++) standIn.org.insert('Contact', { FirstName: `F${i}`, LastName: 'L', Email: `f${i}@acme.example`, Title: '', AccountId: ids.acme });
    // Account's page comes first; Contact's, 302 records, breaks off.
    standIn.inject({ path: /\/jobs\/query\/\w+\/results/, skip: 1 }, { kind: 'drop', afterBytes: 5000 });
    standIn.inject({ path: /\/describe$/ }, { kind: 'drop', afterBytes: 50 });
    const full = await run();
    assert.equal(full.state, 'succeeded', full.error?.message);
    assert.equal(full.counts.contacts?.inserted, 302);
    assert.deepEqual(await runErrors(db, full.runId), []);
    // The describe and the result page that broke off were asked for again.
    assert.equal(full.apiCalls, 12 + 2);

    for (let i = 0; i < 300; i++) standIn.org.update('Contact', ids.ada, { Title: `CEO ${i % 2 ? '' : 'x'}`.trim() });
    standIn.org.update('Contact', ids.bob, { LastName: 'Builder-Smith' });
    // The first queryAll is the count; the second, the first page.
    standIn.inject({ path: /\/queryAll$/, skip: 1 }, { kind: 'drop', afterBytes: 100 });
    const incremental = await run({ contacts: {} });
    assert.equal(incremental.state, 'succeeded', incremental.error?.message);
    assert.deepEqual(incremental.salesforcePlans.map((p) => p.method), ['rest']);
    const [bob] = await db.query<{ last_name: string }>('select last_name from contacts where external_id = $1', [ids.bob]);
    assert.equal(bob!.last_name, 'Builder-Smith');
    // describe, count and one page, plus the page asked for again.
    assert.equal(incremental.apiCalls, 4);
  });

  it('opens a new Bulk job when one ends Failed or Aborted, and names the object and the reason once when they all do', async () => {
    standIn.inject({ method: 'GET', path: /\/jobs\/query\/\w+$/ }, { kind: 'jobEnds', state: 'Failed', errorMessage: 'InternalServerError : retry later' });
    standIn.inject({ method: 'GET', path: /\/jobs\/query\/\w+$/, skip: 1 }, { kind: 'jobEnds', state: 'Aborted', errorMessage: 'Aborted by the org' });
    const retried = await run();
    assert.equal(retried.state, 'succeeded', retried.error?.message);
    assert.equal((await live()).contacts.length, 2);
    // Per object: describe, open, poll, a page; twice more an open and a poll for the jobs that ended early.
    assert.equal(retried.apiCalls, 12 + 4);

    standIn.inject({ method: 'GET', path: /\/jobs\/query\/\w+$/ }, { kind: 'jobEnds', state: 'Failed', errorMessage: 'InvalidBatch : Failed to process query: too complicated' }, 3);
    const failed = await run({ accounts: { fullResync: true } });
    assert.deepEqual(failed.error, {
      code: 'SALESFORCE_API_ERROR',
      message: 'Account: the Bulk API query job ended Failed 3 times, a new job each time: InvalidBatch : Failed to process query: too complicated',
    });
  });

  it('asks for smaller Bulk result pages when records are wide, so a page stays within its byte budget', async () => {
    standIn.org.addField('Contact', 'Notes__c', 'textarea');
    for (let i = 0; i < 200; i++) standIn.org.insert('Contact', { FirstName: `F${i}`, LastName: 'L', Email: `f${i}@acme.example`, Title: '', AccountId: ids.acme, Notes__c: 'n'.repeat(2000) });
    const fields = ['Id', 'IsDeleted', 'Title', 'Account.Id', 'Email', 'FirstName', 'LastName', 'Notes__c'];
    const result = await run({ accounts: {}, contacts: { fields } }, {}, { bulkPageBytes: 100_000 });
    assert.equal(result.state, 'succeeded', result.error?.message);
    assert.equal(result.counts.contacts?.inserted, 202);
    const pages = standIn.requests.filter((r) => r.path.endsWith('/results')).length;
    // Accounts fit one page; 202 contacts of about 2 KB each (400 KB) take at least three of 100 KB or so.
    assert.ok(pages >= 1 + 3, `${pages} result pages`);
  });

  it('fails cleanly when the org refuses a query, leaving the directory and the watermarks as they were', async () => {
    assert.equal((await run()).state, 'succeeded');
    const snapshot = await directorySnapshot(db);
    const watermarks = await db.query('select * from salesforce_watermarks order by object');
    standIn.org.update('Account', ids.acme, { Name: 'Acme Renamed' });
    standIn.org.update('Contact', ids.ada, { LastName: 'Byron' });
    // The counts of both objects and the accounts' page pass; the contacts' page is refused.
    standIn.inject({ path: /\/queryAll$/, skip: 3 }, { kind: 'status', status: 400, body: [{ message: 'Your query request was running for too long.', errorCode: 'QUERY_TIMEOUT' }] });
    const result = await run({ accounts: {}, contacts: {} });
    assert.equal(result.state, 'failed');
    assert.match(result.error!.message, /^Contact: Salesforce connection "Production": GET \/queryAll failed: QUERY_TIMEOUT: Your query request was running for too long\.$/);
    assert.deepEqual(await directorySnapshot(db), snapshot);
    assert.deepEqual(await db.query('select * from salesforce_watermarks order by object'), watermarks);
  });

  it('runs a workflow whose extract tasks read the org: one run with one outcome, the task options applied', async () => {
    standIn.org.addListView('Account', 'Banking_Accounts', "Industry = 'Banking'");
    const definition = workflowDefinitionSchema.parse({
      tasks: [
        { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId, listView: 'Banking_Accounts' },
        { type: 'extract', name: 'Contacts', object: 'contacts', source: 'salesforce', connectionId, fields: ['Id', 'IsDeleted', 'Title', 'Account.Id', 'Email', 'FirstName', 'LastName', 'Department'] },
        { type: 'load', name: 'Load', extracts: { accounts: 'Accounts', contacts: 'Contacts' }, mapping: { ...companyMapping, contacts: { extra: { department: 'Department' } } } },
      ],
    });
    const jobs = syncJobsOf(definition, { id: 7, version: 1 }, await tempDir());
    assert.deepEqual(jobs.map((j) => j.salesforce), [
      { connectionId, objects: { accounts: { listView: 'Banking_Accounts' }, contacts: { fields: ['Id', 'IsDeleted', 'Title', 'Account.Id', 'Email', 'FirstName', 'LastName', 'Department'] } } },
    ]);
    const { workflow: _, ...job } = jobs[0]!;
    const result = await runSync({ db, secretBox: async () => testBox, salesforce: quick }, job);
    assert.equal(result.state, 'succeeded', result.error?.message);
    // Beta is outside the list view, so its contact's account is unknown: the contact loads, its client role is rejected.
    assert.deepEqual([(await live()).accounts, (await live()).contacts, result.counts.clientRoles?.rejected], [['Acme'], ['ada@acme.example', 'bob@beta.example'], 1]);
  });
});
