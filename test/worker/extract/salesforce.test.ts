import assert from 'node:assert/strict';
import type { Db } from '../../../core/db.ts';
import { runSync, type SyncJob } from '../../../worker/jobs/run-sync.ts';
import type { SalesforceExtract } from '../../../worker/extract/salesforce/salesforce-extract.ts';
import { directorySnapshot, runErrors } from '../../helpers/files.ts';
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
    const [stored] = await db.query<{ source: string; api_calls: number }>('select source, api_calls from sync_runs where id = $1', [result.runId]);
    assert.deepEqual(stored, { source: `salesforce:${connectionId}`, api_calls: standIn.apiCalls });
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
    assert.deepEqual(changed.salesforcePlans.map((p) => [p.object, p.method, p.estimate]), [
      ['Account', 'rest', 1],
      ['Contact', 'rest', 2],
      ['AccountTeamMember', 'rest', 1],
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

  it('uses a Bulk job for an incremental change set above the threshold', async () => {
    assert.equal((await run()).state, 'succeeded');
    for (let i = 0; i < 5; i++) standIn.org.insert('Contact', { FirstName: `F${i}`, LastName: 'L', Email: `f${i}@acme.example`, Title: '', AccountId: ids.acme });
    const result = await run({ contacts: {} }, {}, { bulkThreshold: 3 });
    assert.deepEqual(result.salesforcePlans.map((p) => [p.method, p.estimate]), [['bulk', 5]]);
    assert.equal(result.counts.contacts?.inserted, 5);
  });

  it('extracts everything again on a full resync', async () => {
    assert.equal((await run()).state, 'succeeded');
    const result = await run({ accounts: { fullResync: true } });
    assert.deepEqual(result.salesforcePlans.map((p) => [p.method, p.since]), [['bulk', null]]);
    assert.deepEqual(result.counts.accounts, { inserted: 0, updated: 0, unchanged: 2, deleted: 0, rejected: 0 });
  });
});
