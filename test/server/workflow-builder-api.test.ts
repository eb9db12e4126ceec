import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { accountHeader } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { connectStandIn, seedCompany } from '../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { adminKey, serve, type Served } from './serve.ts';

/** What the console's workflow builder reads: an org object's fields and list views, an uploaded file's first rows, a workflow's versions. */
describe('the API behind the workflow builder', () => {
  let db: Db;
  let api: Served;
  let standIn: SalesforceStandIn | undefined;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    api = await serve(db);
  });
  afterEach(async () => {
    await api.close();
    await standIn?.close();
    standIn = undefined;
  });

  const call = async (method: string, path: string, body?: string | object, type = 'application/json') => {
    const reply = await api.request(path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return reply;
  };

  it("answers an org object's fields with the required ones, compound fields refused naming their parts, custom and updateable fields marked; and its list views", async () => {
    standIn = await startStandIn();
    seedCompany(standIn);
    standIn.org.addField('Account', 'Tier__c', 'picklist');
    standIn.org.addField('Account', 'Score_Formula__c', 'double', { updateable: false });
    standIn.org.addListView('Account', 'Key_Accounts', `Name = 'Acme'`);
    const id = await connectStandIn(db, standIn);

    const fields = await call('GET', `/api/salesforce-connections/${id}/objects/accounts/fields`);
    assert.equal(fields.status, 200, JSON.stringify(fields.body));
    const body = fields.body as { object: string; required: string[]; fields: { name: string; custom: boolean; updateable: boolean; refusal: string | null }[] };
    assert.deepEqual([body.object, body.required], ['Account', ['Id', 'IsDeleted', 'Name', 'Parent.Id']]);
    const byName = new Map(body.fields.map((f) => [f.name, f]));
    assert.equal(byName.get('BillingAddress')!.refusal, 'a compound field, which cannot be extracted: select its parts (BillingStreet, BillingCity, BillingState, BillingPostalCode, BillingCountry) instead');
    assert.deepEqual([byName.get('BillingCity')!.refusal, byName.get('Tier__c')!.custom, byName.get('Industry')!.custom], [null, true, false]);
    // What a write-back may write to: not a formula, not the record's Id.
    assert.deepEqual(['Tier__c', 'Score_Formula__c', 'Id'].map((f) => byName.get(f)!.updateable), [true, false, false]);

    const contacts = await call('GET', `/api/salesforce-connections/${id}/objects/contacts/fields`);
    assert.match((contacts.body as typeof body).fields.find((f) => f.name === 'Name')!.refusal!, /select its parts \(FirstName, LastName\)/);

    const views = await call('GET', `/api/salesforce-connections/${id}/objects/accounts/list-views`);
    assert.deepEqual(views.body, { items: [{ id: '00B5g0000000001AAA', developerName: 'Key_Accounts', label: 'Key Accounts' }] });

    const unknown = await call('GET', `/api/salesforce-connections/${id}/objects/leads/fields`);
    assert.deepEqual([unknown.status, (unknown.body as { error: { message: string } }).error.message], [400, 'the directory source is accounts, contacts or teamMembers, not "leads"']);
  });

  it('answers the first 20 rows of the newest upload of a name, parsed with the settings given, each bad row with its reason', async () => {
    const rows = [accountHeader.join(';'), ...Array.from({ length: 25 }, (_, i) => `0${i};false;"Name; ${i}";`)];
    rows[3] = '"unclosed;false;x;';
    assert.equal((await call('POST', '/api/uploads?name=accounts.csv', `${rows.join('\n')}\n`, 'text/csv')).status, 201);
    const preview = await call('GET', '/api/uploads/preview?name=accounts.csv&delimiter=%3B');
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    const body = preview.body as { name: string; columns: string[]; rows: { line: number; values: string[] | null; error: string | null }[] };
    assert.deepEqual([body.name, body.columns, body.rows.length], ['accounts.csv', accountHeader, 20]);
    assert.deepEqual(body.rows[0], { line: 2, values: ['00', 'false', 'Name; 0', ''], error: null });
    assert.equal(body.rows[2]!.values, null);
    assert.match(body.rows[2]!.error!, /quote/);
    // With the default comma, the whole line is one column.
    const commas = await call('GET', '/api/uploads/preview?name=accounts.csv');
    assert.deepEqual((commas.body as typeof body).columns, [accountHeader.join(';')]);
    const missing = await call('GET', '/api/uploads/preview?name=nothing.csv');
    assert.deepEqual([missing.status, (missing.body as { error: { code: string } }).error.code], [400, 'SOURCE_UNREADABLE']);
  });

  it("lists a workflow's versions, newest first, each with its definition", async () => {
    const tasks = (file: string) => [{ type: 'extract', name: 'A', object: 'accounts', source: 'upload', file }, { type: 'load', name: 'L', extracts: { accounts: 'A' } }];
    const created = await call('POST', '/api/workflows', { name: 'Nightly', definition: { tasks: tasks('a.csv') } });
    const id = (created.body as { id: number }).id;
    await call('PATCH', `/api/workflows/${id}`, { definition: { tasks: tasks('b.csv') } });
    const versions = await call('GET', `/api/workflows/${id}/versions`);
    const items = (versions.body as { items: { version: number; definition: { tasks: { file?: string }[] } }[] }).items;
    assert.deepEqual(items.map((v) => [v.version, v.definition.tasks[0]!.file]), [[2, 'b.csv'], [1, 'a.csv']]);
    assert.equal((await call('GET', '/api/workflows/99/versions')).status, 404);
  });
});
