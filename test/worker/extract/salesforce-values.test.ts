import assert from 'node:assert/strict';
import type { Db } from '../../../core/db.ts';
import { salesforceObjects } from '../../../core/connections/salesforce-objects.ts';
import type { MappingInput } from '../../../core/directory/mapping-input.ts';
import { runSync } from '../../../worker/jobs/run-sync.ts';
import type { SalesforceExtract, SalesforceTuning } from '../../../worker/extract/salesforce/salesforce-extract.ts';
import { runErrors } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { connectStandIn, seedCompany, testBox } from '../../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../../helpers/salesforce/stand-in.ts';

const quick = { pollIntervalMs: 10, resilience: { giveUpAfterMs: 1500, firstDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 5000 } };

/*
 * One value, one text: REST's JSON writes a currency of 100 as 100 and Bulk API 2.0's CSV as
 * 100.0 (ten million as 1.0E7), a datetime with +0000 in one and Z in the other. Whichever API
 * reads the org, the directory stores the same texts, and a switch between them changes nothing.
 */
describe('Salesforce values read through REST or Bulk', function () {
  this.timeout(30_000);
  let db: Db;
  let standIn: SalesforceStandIn;
  let ids: ReturnType<typeof seedCompany>;
  let connectionId: number;

  const accountFields = [...salesforceObjects.accounts.required, 'Revenue__c', 'Seats__c', 'Discount__c', 'Employees__c', 'Exact__c', 'Renewal__c', 'Signed__c'];
  const contactFields = [...salesforceObjects.contacts.required, 'Headcount__c', 'LastSeen__c', 'Vip__c', 'Account.Revenue__c'];
  const mapping: MappingInput = {
    accounts: {
      attributes: {
        revenue: { source: 'Revenue__c', type: 'Decimal' },
        seats: { source: 'Seats__c', type: 'Integer' },
        discount: { source: 'Discount__c', type: 'String' },
        employees: { source: 'Employees__c', type: 'String' },
        exact: { source: 'Exact__c', type: 'Decimal' },
        renewal: { source: 'Renewal__c', type: 'String' },
        signed: { source: 'Signed__c', type: 'String' },
      },
    },
    contacts: { extra: { headcount: 'Headcount__c', lastSeen: 'LastSeen__c', vip: 'Vip__c', accountRevenue: 'Account.Revenue__c' } },
    clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR', '': 'ACCOUNT_MEMBER' } },
  };

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    standIn = await startStandIn();
    ids = seedCompany(standIn);
    const org = standIn.org;
    org.addField('Account', 'Revenue__c', 'currency');
    org.addField('Account', 'Seats__c', 'double');
    org.addField('Account', 'Discount__c', 'percent');
    org.addField('Account', 'Employees__c', 'int');
    org.addField('Account', 'Exact__c', 'currency');
    org.addField('Account', 'Renewal__c', 'datetime');
    org.addField('Account', 'Signed__c', 'date');
    org.addField('Contact', 'Headcount__c', 'double');
    org.addField('Contact', 'LastSeen__c', 'datetime');
    org.addField('Contact', 'Vip__c', 'boolean');
    // Values written without a change to SystemModstamp's meaning: the seeded records as they are, with numbers.
    Object.assign(org.records.get('Account')!.get(ids.acme)!, {
      Revenue__c: 100, Seats__c: 23, Discount__c: 12.5, Employees__c: 4200, Exact__c: '1234567890123456.78', Renewal__c: '2026-03-01T09:30:00.000Z', Signed__c: '2025-12-31',
    });
    Object.assign(org.records.get('Account')!.get(ids.beta)!, { Revenue__c: 12_000_000.5, Seats__c: 0, Discount__c: 0.0005, Employees__c: null, Exact__c: 0.1, Renewal__c: null, Signed__c: null });
    Object.assign(org.records.get('Contact')!.get(ids.ada)!, { Headcount__c: 12_000_000, LastSeen__c: '2026-02-02T08:00:00.000Z', Vip__c: true });
    Object.assign(org.records.get('Contact')!.get(ids.bob)!, { Headcount__c: -0.25, LastSeen__c: null, Vip__c: false });
    connectionId = await connectStandIn(db, standIn);
  });
  afterEach(async () => {
    await standIn.close();
  });

  const sync = (fullExtract: SalesforceTuning['fullExtract'], fullResync = false) => {
    const objects: SalesforceExtract['objects'] = { accounts: { fields: accountFields, fullResync }, contacts: { fields: contactFields, fullResync } };
    return runSync({ db, secretBox: async () => testBox, salesforce: { ...quick, fullExtract } }, { directoryId: 1, mapping, salesforce: { connectionId, objects } });
  };

  const stored = async () => ({
    accounts: await db.query(`select external_id, attributes, source_hash, updated_at, last_run_id from accounts order by 1`),
    contacts: await db.query(`select external_id, attributes, source_hash, updated_at, last_run_id from contacts order by 1`),
  });

  const expected = () => ({
    accounts: [
      {
        external_id: ids.acme,
        attributes: { revenue: '100', seats: 23, discount: '12.5', employees: '4200', exact: '1234567890123456.78', renewal: '2026-03-01T09:30:00.000Z', signed: '2025-12-31' },
      },
      { external_id: ids.beta, attributes: { revenue: '12000000.5', seats: 0, discount: '0.0005', employees: null, exact: '0.1', renewal: null, signed: null } },
    ],
    contacts: [
      { external_id: ids.ada, attributes: { headcount: '12000000', lastSeen: '2026-02-02T08:00:00.000Z', vip: 'true', accountRevenue: '100' } },
      { external_id: ids.bob, attributes: { headcount: '-0.25', lastSeen: null, vip: 'false', accountRevenue: '12000000.5' } },
    ],
  });

  for (const [first, second] of [['rest', 'bulk'], ['bulk', 'rest']] as const) {
    it(`stores the same texts read through ${first} and then ${second}, and a resync through ${second} updates nothing`, async () => {
      const loaded = await sync(first);
      assert.equal(loaded.state, 'succeeded', loaded.error?.message);
      assert.deepEqual(await runErrors(db, loaded.runId), []);
      assert.deepEqual(loaded.salesforcePlans.map((p) => p.method), [first, first]);
      const before = await stored();
      assert.deepEqual({
        accounts: before.accounts.map(({ external_id, attributes }) => ({ external_id, attributes })),
        contacts: before.contacts.map(({ external_id, attributes }) => ({ external_id, attributes })),
      }, expected());

      const switched = await sync(second, true);
      assert.equal(switched.state, 'succeeded', switched.error?.message);
      assert.deepEqual(await runErrors(db, switched.runId), []);
      assert.deepEqual(switched.salesforcePlans.map((p) => p.method), [second, second]);
      assert.deepEqual([switched.counts.accounts, switched.counts.contacts], [
        { inserted: 0, updated: 0, unchanged: 2, deleted: 0, rejected: 0 },
        { inserted: 0, updated: 0, unchanged: 2, deleted: 0, rejected: 0 },
      ]);
      // Not a row rewritten: the same texts and hashes, from the first run.
      assert.deepEqual(await stored(), before);

      const back = await sync(first, true);
      assert.equal(back.state, 'succeeded', back.error?.message);
      assert.deepEqual([back.counts.accounts?.updated, back.counts.contacts?.updated], [0, 0]);
      assert.deepEqual(await stored(), before);
    });
  }

  it('reads the overlap window again through Bulk after a REST load and finds only what the org changed', async () => {
    assert.equal((await sync('rest')).state, 'succeeded');
    const before = await stored();
    standIn.org.update('Account', ids.beta, { Name: 'Beta Renamed' });
    standIn.org.update('Contact', ids.bob, { LastName: 'Builder-Smith' });
    const again = await runSync(
      { db, secretBox: async () => testBox, salesforce: { ...quick, bulkThreshold: 0 } },
      { directoryId: 1, mapping, salesforce: { connectionId, objects: { accounts: { fields: accountFields }, contacts: { fields: contactFields } } } },
    );
    assert.equal(again.state, 'succeeded', again.error?.message);
    // The window holds every record here: all are read again, the Bulk way.
    assert.deepEqual(again.salesforcePlans.map((p) => [p.method, p.records]), [['bulk', 2], ['bulk', 2]]);
    assert.deepEqual([again.counts.accounts, again.counts.contacts], [
      { inserted: 0, updated: 1, unchanged: 1, deleted: 0, rejected: 0 },
      { inserted: 0, updated: 1, unchanged: 1, deleted: 0, rejected: 0 },
    ]);
    // Acme and Ada, read through Bulk after REST, are not rewritten.
    const after = await stored();
    assert.deepEqual([after.accounts[0], after.contacts[0]], [before.accounts[0], before.contacts[0]]);
  });

  it('refuses a relationship path to a field its object does not have, naming it', async () => {
    const objects: SalesforceExtract['objects'] = { contacts: { fields: [...salesforceObjects.contacts.required, 'Account.Nope__c'] } };
    const result = await runSync({ db, secretBox: async () => testBox, salesforce: quick }, { directoryId: 1, mapping: {}, salesforce: { connectionId, objects } });
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.code, 'SALESFORCE_CONFIG_INVALID');
    assert.match(result.error?.message ?? '', /Contact: Account\.Nope__c: Account has no field Nope__c/);
  });
});
