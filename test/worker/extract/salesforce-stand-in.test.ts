import assert from 'node:assert/strict';
import { Connection } from 'jsforce';
import { salesforceApiVersion } from '../../../core/connections/salesforce-auth.ts';
import { seedCompany } from '../../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../../helpers/salesforce/stand-in.ts';

// The stand-in is only worth its tests if jsforce, unmodified, takes it for Salesforce.
describe('Salesforce stand-in, as jsforce sees it', () => {
  let standIn: SalesforceStandIn;
  let conn: Connection;
  let ids: ReturnType<typeof seedCompany>;

  beforeEach(async () => {
    standIn = await startStandIn({ queryBatchSize: 200 });
    ids = seedCompany(standIn);
    conn = new Connection({ loginUrl: standIn.url, version: salesforceApiVersion });
    await conn.login(standIn.user.username, standIn.user.password + standIn.user.securityToken);
  });
  afterEach(() => standIn.close());

  it('pages a query by nextRecordsUrl, includes deleted records with scanAll, and nests relationship fields', async () => {
    for (let i = 0; i < 450; i++) standIn.org.insert('Contact', { LastName: `L${i}`, Email: `c${i}@acme.example`, AccountId: ids.acme });
    standIn.org.delete('Contact', ids.bob);
    const live = await conn.query('SELECT Id, Account.Id FROM Contact').run({ autoFetch: true, maxFetch: 10_000 });
    assert.deepEqual([live.totalSize, live.records.length], [451, 451]);
    assert.deepEqual((live.records[0] as { Account: { Id: string } }).Account.Id, ids.acme);
    const all = await conn.query('SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true', { scanAll: true });
    assert.deepEqual(all.records.map((r) => r.Id), [ids.bob]);
  });

  it('describes objects with their compound fields, and answers updated and deleted', async () => {
    const described = await conn.sobject('Account').describe();
    assert.deepEqual(described.fields.filter((f) => f.compoundFieldName === 'BillingAddress').map((f) => f.name), ['BillingStreet', 'BillingCity', 'BillingState', 'BillingPostalCode', 'BillingCountry']);
    standIn.org.delete('Account', ids.beta);
    const start = new Date('2026-01-01T00:00:00Z');
    const end = new Date(standIn.org.clock + 60_000);
    assert.deepEqual((await conn.sobject('Account').deleted(start, end)).deletedRecords.map((r) => r.id), [ids.beta]);
    assert.deepEqual((await conn.sobject('Account').updated(start, end)).ids, [ids.acme]);
  });

  it('answers with Salesforce error bodies that jsforce turns into its errors', async () => {
    await assert.rejects(async () => conn.query('SELECT Id, Nope__c FROM Account'), (error: Error & { errorCode: string }) => {
      assert.equal(error.errorCode, 'INVALID_FIELD');
      assert.match(error.message, /No such column 'Nope__c' on entity 'Account'/);
      return true;
    });
  });
});
