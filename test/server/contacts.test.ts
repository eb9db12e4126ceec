import assert from 'node:assert/strict';
import { testDatabase } from '../helpers/hooks.ts';
import { loadAcme } from './fixture.ts';
import { serve, type Served } from './serve.ts';

const ada = { externalId: '003A', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.example', attributes: {}, accounts: [{ externalId: '001A', roleName: 'EXECUTIVE_SPONSOR' }], optedOut: false };
const bob = { externalId: '003B', firstName: 'Bob', lastName: 'Builder', email: 'bob@acme.example', attributes: {}, accounts: [{ externalId: '001A', roleName: 'PROCUREMENT_FINANCE_PERSON' }], optedOut: false };
const cy = { externalId: '003C', firstName: 'Cy', lastName: 'Young', email: 'cy@acme.example', attributes: {}, accounts: [{ externalId: '001B', roleName: 'ACCOUNT_MEMBER' }], optedOut: false };
const dee = { externalId: '003D', firstName: 'Dee', lastName: 'Adams', email: 'dee@zeta.example', attributes: {}, accounts: [{ externalId: '001E', roleName: 'EXECUTIVE_SPONSOR' }], optedOut: false };
// Gus's only account, Gone Ltd, was deleted: he stays in the directory without one.
const gus = { externalId: '003G', firstName: 'Gus', lastName: 'Gone', email: 'gus@gone.example', attributes: {}, accounts: [], optedOut: false };
// Fay names an account the directory does not have: she is a contact all the same, without a client role.
const fay = { externalId: '003F', firstName: 'Fay', lastName: 'Smith', email: 'fay@acme.example', attributes: {}, accounts: [], optedOut: false };

describe('GET /api/contacts', () => {
  let api: Served;

  beforeEach(async function () {
    const { db } = await testDatabase(this);
    await loadAcme(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  describe('without a key', () => {
    it('responds 401', async () => {
      const reply = await api.get('/api/contacts', { key: null });
      assert.deepEqual([reply.status, reply.headers.get('www-authenticate'), (reply.body as { error: { code: string } }).error.code], [401, 'Bearer', 'UNAUTHORIZED']);
    });
  });

  describe('with the key', () => {
    it('lists the live contacts by last name with their live client roles', async () => {
      const reply = await api.get('/api/contacts');
      assert.deepEqual([reply.status, reply.body], [200, { items: [dee, bob, gus, ada, fay, cy], total: 6, limit: 50, offset: 0, capped: false }]);
    });

    it('pages with limit and offset', async () => {
      const reply = await api.get('/api/contacts?limit=2&offset=1');
      assert.deepEqual(reply.body, { items: [bob, gus], total: 6, limit: 2, offset: 1, capped: false });
    });

    it('finds a contact by email, case-insensitively', async () => {
      const reply = await api.get('/api/contacts?q=ZETA.example');
      assert.deepEqual(reply.body, { items: [dee], total: 1, limit: 50, offset: 0, capped: false });
    });

    it('finds a contact by an address typed in part or in full, the domain checked as well as the name', async () => {
      for (const q of ['bob@acme', 'BOB@ACME.EXAMPLE', 'ob@acme.ex']) {
        const reply = await api.get(`/api/contacts?q=${encodeURIComponent(q)}`);
        assert.deepEqual(reply.body, { items: [bob], total: 1, limit: 50, offset: 0, capped: false }, q);
      }
      // The same name at another domain is not the address asked for; a domain alone finds all its contacts.
      assert.deepEqual((await api.get(`/api/contacts?q=${encodeURIComponent('dee@acme')}`)).body, { items: [], total: 0, limit: 50, offset: 0, capped: false });
      assert.equal(((await api.get(`/api/contacts?q=${encodeURIComponent('@acme.example')}`)).body as { total: number }).total, 4);
    });

    it('finds a contact by full name', async () => {
      const reply = await api.get(`/api/contacts?q=${encodeURIComponent('ada love')}`);
      assert.deepEqual(reply.body, { items: [ada], total: 1, limit: 50, offset: 0, capped: false });
    });
  });

  describe('with a q given twice', () => {
    it('responds 400 naming q', async () => {
      const reply = await api.get('/api/contacts?q=a&q=b');
      assert.deepEqual([reply.status, reply.body], [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "q" must be given once, as text' } }]);
    });
  });
});
