import assert from 'node:assert/strict';
import { testDatabase } from '../helpers/hooks.ts';
import { loadAcme } from './fixture.ts';
import { serve, type Served } from './serve.ts';

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The list items as [externalId, displayName, parentExternalId]: what a reader of the list sees first. */
function names(body: unknown) {
  const { items } = body as { items: { externalId: string; displayName: string; parentExternalId: string | null }[] };
  return items.map((a) => [a.externalId, a.displayName, a.parentExternalId]);
}

describe('GET /api/accounts', () => {
  let api: Served;

  beforeEach(async function () {
    const { db } = await testDatabase(this);
    await loadAcme(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  describe('without a key', () => {
    it('responds 401 asking for a bearer token', async () => {
      const reply = await api.get('/api/accounts', { key: null });
      assert.deepEqual([reply.status, reply.headers.get('www-authenticate'), reply.body], [
        401,
        'Bearer',
        { error: { code: 'UNAUTHORIZED', message: 'sign in, or send the admin API key as "Authorization: Bearer <key>"' } },
      ]);
    });
  });

  describe('with a wrong key', () => {
    it('responds 401', async () => {
      const reply = await api.get('/api/accounts', { key: 'not-the-admin-key-at-all' });
      assert.deepEqual([reply.status, reply.headers.get('www-authenticate'), reply.body], [
        401,
        'Bearer',
        { error: { code: 'UNAUTHORIZED', message: 'the admin API key is not valid' } },
      ]);
    });
  });

  describe('with the key', () => {
    it('lists the live accounts by name, case-insensitively, each with its live parent', async () => {
      const reply = await api.get('/api/accounts');
      assert.equal(reply.status, 200);
      const body = reply.body as { items: { attributes: unknown; updatedAt: string }[]; total: number; limit: number; offset: number };
      assert.deepEqual(names(body), [
        ['001P', '100% Cotton_Co', null],
        ['001C', 'Acme Berlin', '001B'],
        ['001B', 'Acme Europe', '001A'],
        ['001A', 'Acme Holding', null],
        ['001D', 'acme Paris', '001B'],
        ['001E', 'Zeta Corp', null],
      ]);
      assert.deepEqual([body.total, body.limit, body.offset], [6, 50, 0]);
      assert.deepEqual(body.items[3], {
        externalId: '001A',
        displayName: 'Acme Holding',
        parentExternalId: null,
        parentName: null,
        hasChildren: true,
        attributes: { contractAmount: '98765432109876543.21', seats: 120 },
        updatedAt: body.items[3]!.updatedAt,
      });
      assert.match(body.items[3]!.updatedAt, isoTime);
      assert.equal((body.items[1] as { parentName?: string }).parentName, 'Acme Europe');
    });

    it('pages with limit and offset, keeping the total', async () => {
      const reply = await api.get('/api/accounts?limit=2&offset=2');
      const { items: _, ...window } = reply.body as { items: unknown[] };
      assert.deepEqual(names(reply.body), [['001B', 'Acme Europe', '001A'], ['001A', 'Acme Holding', null]]);
      assert.deepEqual(window, { total: 6, limit: 2, offset: 2, capped: false });
    });

    it('answers an empty page past the end with the total', async () => {
      const reply = await api.get('/api/accounts?offset=6');
      assert.deepEqual([reply.status, reply.body], [200, { items: [], total: 6, limit: 50, offset: 6, capped: false }]);
    });

    it('searches name and external id as a case-insensitive substring', async () => {
      const byName = await api.get('/api/accounts?q=ACME%20e');
      assert.deepEqual(names(byName.body), [['001B', 'Acme Europe', '001A']]);
      assert.equal((byName.body as { total: number }).total, 1);
      const byId = await api.get('/api/accounts?q=01e');
      assert.deepEqual(names(byId.body), [['001E', 'Zeta Corp', null]]);
    });

    it('takes % and _ in the search literally', async () => {
      const percent = await api.get('/api/accounts?q=%25');
      const underscore = await api.get('/api/accounts?q=_');
      assert.deepEqual([names(percent.body), names(underscore.body)], [[['001P', '100% Cotton_Co', null]], [['001P', '100% Cotton_Co', null]]]);
    });
  });

  describe('with a bad limit', () => {
    it('responds 400 naming limit', async () => {
      for (const limit of ['0', '501', 'ten', '1.5']) {
        const reply = await api.get(`/api/accounts?limit=${limit}`);
        assert.deepEqual([limit, reply.status, reply.body], [
          limit,
          400,
          { error: { code: 'BAD_REQUEST', message: 'query parameter "limit" must be an integer from 1 to 500' } },
        ]);
      }
    });
  });

  describe('with a bad offset', () => {
    it('responds 400 naming offset', async () => {
      const reply = await api.get('/api/accounts?offset=-1');
      assert.deepEqual([reply.status, reply.body], [
        400,
        { error: { code: 'BAD_REQUEST', message: 'query parameter "offset" must be an integer of 0 or more' } },
      ]);
    });
  });

  describe('with a NUL character in a parameter', () => {
    it('responds 400 naming the parameter', async () => {
      const replies = await Promise.all([api.get('/api/accounts?q=%00'), api.get('/api/accounts?q=a&q=b%00'), api.get('/api/accounts/001A%00')]);
      assert.deepEqual(replies.map((r) => [r.status, r.body]), [
        [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "q" must not contain a NUL character' } }],
        [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "q" must not contain a NUL character' } }],
        [400, { error: { code: 'BAD_REQUEST', message: 'the path must not contain a NUL character (%00)' } }],
      ]);
    });
  });

  describe('in a directory that does not exist', () => {
    it('responds 404 naming the directory', async () => {
      const reply = await api.get('/api/accounts?directory=9');
      assert.deepEqual([reply.status, reply.body], [404, { error: { code: 'DIRECTORY_NOT_FOUND', message: 'directory 9 does not exist' } }]);
    });
  });
});

describe('GET /api/accounts/:externalId', () => {
  let api: Served;

  beforeEach(async function () {
    const { db } = await testDatabase(this);
    await loadAcme(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  describe('without a key', () => {
    it('responds 401', async () => {
      const reply = await api.get('/api/accounts/001A', { key: null });
      assert.deepEqual([reply.status, (reply.body as { error: { code: string } }).error.code], [401, 'UNAUTHORIZED']);
    });
  });

  describe('of a live account', () => {
    it('shows its live children, both kinds of roles, and its Decimal exactly as stored', async () => {
      const reply = await api.get('/api/accounts/001A');
      const { createdAt, updatedAt, ...account } = reply.body as { createdAt: string; updatedAt: string };
      assert.equal(reply.status, 200);
      assert.match(createdAt, isoTime);
      assert.match(updatedAt, isoTime);
      assert.deepEqual(account, {
        externalId: '001A',
        displayName: 'Acme Holding',
        attributes: { contractAmount: '98765432109876543.21', seats: 120 },
        parent: null,
        // Gone Ltd was a child too, until the second run deleted it.
        children: [{ externalId: '001B', displayName: 'Acme Europe' }],
        clientRoles: [
          { contactExternalId: '003B', firstName: 'Bob', lastName: 'Builder', email: 'bob@acme.example', roleName: 'PROCUREMENT_FINANCE_PERSON' },
          { contactExternalId: '003A', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.example', roleName: 'EXECUTIVE_SPONSOR' },
        ],
        managementRoles: [
          { userEmail: 'owner@seller.example', roleName: 'ACCOUNT_OWNER' },
          { userEmail: 'ae@seller.example', roleName: 'ACCOUNT_EXECUTIVE' },
          { userEmail: 'csm@seller.example', roleName: 'CUSTOMER_SUCCESS_MANAGER' },
        ],
        nps: { score: null, promoters: 0, passives: 0, detractors: 0 },
      });
    });

    it('shows its parent and its children by name', async () => {
      const reply = await api.get('/api/accounts/001B');
      const { parent, children, clientRoles, managementRoles } = reply.body as Record<string, unknown>;
      assert.deepEqual(
        { parent, children, clientRoles, managementRoles },
        {
          parent: { externalId: '001A', displayName: 'Acme Holding' },
          children: [{ externalId: '001C', displayName: 'Acme Berlin' }, { externalId: '001D', displayName: 'acme Paris' }],
          clientRoles: [{ contactExternalId: '003C', firstName: 'Cy', lastName: 'Young', email: 'cy@acme.example', roleName: 'ACCOUNT_MEMBER' }],
          managementRoles: [],
        },
      );
    });
  });

  describe('of a deleted account', () => {
    it('responds 404 naming the id', async () => {
      const reply = await api.get('/api/accounts/001X');
      assert.deepEqual([reply.status, reply.body], [
        404,
        { error: { code: 'NOT_FOUND', message: 'account 001X is not in directory 1 (or was deleted)' } },
      ]);
    });
  });

  describe('of an unknown id', () => {
    it('responds 404 naming the id', async () => {
      const reply = await api.get('/api/accounts/001Q');
      assert.deepEqual([reply.status, reply.body], [
        404,
        { error: { code: 'NOT_FOUND', message: 'account 001Q is not in directory 1 (or was deleted)' } },
      ]);
    });
  });
});
