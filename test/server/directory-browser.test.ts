import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { survey } from './directory-fixture.ts';
import { loadAcme } from './fixture.ts';
import { serve, type Served } from './serve.ts';

type Item = { externalId: string; displayName: string; hasChildren: boolean };
const nodes = (body: unknown) => (body as { items: Item[] }).items.map((a) => [a.externalId, a.displayName, a.hasChildren]);
const ids = (body: unknown) => (body as { items: { externalId: string }[] }).items.map((a) => a.externalId);

describe('the directory browser API', () => {
  let api: Served;
  let db: Db;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    await loadAcme(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  describe('GET /api/accounts?top=true', () => {
    it('lists the top of the hierarchy, each saying whether it has live children', async () => {
      const reply = await api.get('/api/accounts?top=true');
      // Gone Ltd, Acme Holding's deleted child, does not make Zeta or 100% Cotton expandable, nor appear.
      assert.deepEqual([reply.status, nodes(reply.body), (reply.body as { total: number }).total], [
        200,
        [['001P', '100% Cotton_Co', false], ['001A', 'Acme Holding', true], ['001E', 'Zeta Corp', false]],
        3,
      ]);
    });
  });

  describe('GET /api/accounts?sort=', () => {
    it('orders by name, external id or last change, either way', async () => {
      const byName = await api.get('/api/accounts?sort=-name');
      const byId = await api.get('/api/accounts?sort=externalId&limit=3');
      const byIdReversed = await api.get('/api/accounts?sort=-externalId&limit=3');
      assert.deepEqual(
        [ids(byName.body), ids(byId.body), ids(byIdReversed.body)],
        [['001E', '001D', '001A', '001B', '001C', '001P'], ['001A', '001B', '001C'], ['001P', '001E', '001D']],
      );
      await db.query(`update accounts set updated_at = now() + interval '1 hour' where external_id = '001C'`);
      const latest = await api.get('/api/accounts?sort=-updated&limit=1');
      assert.deepEqual(ids(latest.body), ['001C']);
    });

    it('refuses an order it does not know, naming the choices', async () => {
      const reply = await api.get('/api/accounts?sort=nps');
      assert.deepEqual([reply.status, reply.body], [400, {
        error: { code: 'BAD_REQUEST', message: 'query parameter "sort" must be name, -name, externalId, -externalId, updated or -updated' },
      }]);
    });
  });

  describe('GET /api/accounts/:externalId/children', () => {
    it("pages an account's live children by name, each expandable when it has children", async () => {
      const top = await api.get('/api/accounts/001A/children');
      const second = await api.get('/api/accounts/001B/children?limit=1&offset=1');
      const leaf = await api.get('/api/accounts/001C/children');
      assert.deepEqual(
        [nodes(top.body), nodes(second.body), (second.body as { total: number }).total, leaf.body],
        [[['001B', 'Acme Europe', true]], [['001D', 'acme Paris', false]], 2, { items: [], total: 0, limit: 50, offset: 0, capped: false }],
      );
    });

    it('responds 404 for an account that was deleted or never was', async () => {
      const deleted = await api.get('/api/accounts/001X/children');
      const unknown = await api.get('/api/accounts/nope/children?directory=1');
      const noDirectory = await api.get('/api/accounts/001A/children?directory=7');
      assert.deepEqual([deleted.status, deleted.body, unknown.status, noDirectory.body], [
        404,
        { error: { code: 'NOT_FOUND', message: 'account 001X is not in directory 1 (or was deleted)' } },
        404,
        { error: { code: 'DIRECTORY_NOT_FOUND', message: 'directory 7 does not exist' } },
      ]);
    });
  });

  describe('an account with answers', () => {
    beforeEach(() => survey(db));

    it('shows its NPS over every answer, and the answers newest first with their survey', async () => {
      const account = await api.get('/api/accounts/001A');
      const answers = await api.get('/api/accounts/001A/answers');
      const { items, ...window } = answers.body as { items: Record<string, unknown>[] };
      assert.deepEqual((account.body as { nps: unknown }).nps, { score: 0, promoters: 1, passives: 0, detractors: 1 });
      assert.deepEqual(window, { total: 2, limit: 50, offset: 0 });
      assert.deepEqual(items.map((a) => [a.contactExternalId, a.score, a.comment, a.surveyName, a.respondedAt]), [
        ['003A', 9, 'Great support', 'Q4 pulse', '2026-11-03T10:00:00.000Z'],
        ['003B', 3, null, null, '2025-05-01T08:00:00.000Z'],
      ]);
    });

    it('answers 404 for the answers of an account not in the directory', async () => {
      const reply = await api.get('/api/accounts/001X/answers');
      assert.deepEqual([reply.status, (reply.body as { error: { code: string } }).error.code], [404, 'NOT_FOUND']);
    });
  });

  describe('GET /api/contacts/:externalId', () => {
    let listId: number;
    beforeEach(async () => {
      listId = await survey(db);
    });

    it('shows the contact with its account and role, mailing lists, invitations and answers', async () => {
      const reply = await api.get('/api/contacts/003A');
      const { createdAt: _c, updatedAt: _u, answers, ...contact } = reply.body as { createdAt: string; updatedAt: string; answers: Record<string, unknown>[] };
      assert.equal(reply.status, 200);
      assert.deepEqual(contact, {
        externalId: '003A',
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@acme.example',
        attributes: {},
        account: { externalId: '001A', displayName: 'Acme Holding', roleName: 'EXECUTIVE_SPONSOR' },
        optedOut: false,
        mailingLists: [{ id: listId, name: 'Acme contacts' }],
        invitations: [{
          distributionId: (contact as { invitations: { distributionId: number }[] }).invitations[0]!.distributionId,
          surveyName: 'Q4 pulse', mailingList: 'Acme contacts', email: 'ada@acme.example', state: 'sent', skipReason: null,
          sendAt: '2026-11-02T09:00:00.000Z', sentAt: '2026-11-02T09:00:05.000Z',
        }],
      });
      assert.deepEqual(answers.map((a) => [a.score, a.comment, a.surveyName]), [[9, 'Great support', 'Q4 pulse']]);
    });

    it('shows a contact opted out by its address under another contact id, and the invitation it skipped', async () => {
      const detail = await api.get('/api/contacts/003B');
      const list = await api.get('/api/contacts?q=builder');
      const { optedOut, invitations } = detail.body as { optedOut: boolean; invitations: { state: string; skipReason: string }[] };
      assert.deepEqual([optedOut, invitations.map((i) => [i.state, i.skipReason]), (list.body as { items: { optedOut: boolean }[] }).items.map((c) => c.optedOut)], [
        true,
        [['skipped', 'opted_out']],
        [true],
      ]);
    });

    it('responds 404 naming a contact that is not there', async () => {
      const reply = await api.get('/api/contacts/003H');
      assert.deepEqual([reply.status, reply.body], [404, { error: { code: 'NOT_FOUND', message: 'contact 003H is not in directory 1 (or was deleted)' } }]);
    });
  });

  describe('mailing lists', () => {
    it('lists them with their sizes, and pages a list by contact id, naming members no longer in the directory', async () => {
      const id = await survey(db);
      const lists = await api.get('/api/mailing-lists');
      const members = await api.get(`/api/mailing-lists/${id}/members?limit=2&offset=1`);
      const { items } = lists.body as { items: { createdAt: string }[] };
      assert.deepEqual(lists.body, { items: [{ id, name: 'Acme contacts', members: 3, createdAt: items[0]!.createdAt }] });
      assert.deepEqual(members.body, {
        items: [
          { contactExternalId: '003B', contact: { firstName: 'Bob', lastName: 'Builder', email: 'bob@acme.example' } },
          { contactExternalId: '003Z', contact: null },
        ],
        name: 'Acme contacts',
        total: 3,
        limit: 2,
        offset: 1,
      });
    });

    it('responds 404 for a list of another directory, and for a directory that does not exist', async () => {
      const id = await survey(db);
      await db.query(`insert into directories (name) values ('Other')`);
      const elsewhere = await api.get(`/api/mailing-lists/${id}/members?directory=2`);
      const noDirectory = await api.get('/api/mailing-lists?directory=9');
      assert.deepEqual([elsewhere.status, elsewhere.body, noDirectory.status], [
        404,
        { error: { code: 'NOT_FOUND', message: `mailing list ${id} is not in directory 2` } },
        404,
      ]);
    });
  });

  describe('GET /api/attribute-definitions', () => {
    it("lists the directory's custom attributes by name with their types", async () => {
      const reply = await api.get('/api/attribute-definitions');
      const { items } = reply.body as { items: { name: string; dataType: string; enumValues: string[] | null }[] };
      assert.deepEqual(items.map(({ name, dataType, enumValues }) => [name, dataType, enumValues]), [
        ['contractAmount', 'Decimal', null],
        ['seats', 'Integer', null],
      ]);
    });
  });

  describe('a list of more than 10,000 matches', () => {
    it('counts up to 10,000, or 1,000 when searched, and says the count is capped, while every page is still there', async () => {
      await db.query(`insert into contacts (directory_id, external_id, last_name) select 1, 'N' || lpad(i::text, 5, '0'), 'Many' from generate_series(1, 10050) as i`);
      const all = await api.get('/api/contacts?limit=1');
      const searched = await api.get('/api/contacts?q=many&limit=1');
      const last = await api.get('/api/contacts?q=many&limit=10&offset=10040');
      const window = (reply: { body: unknown }) => {
        const { items: _, ...rest } = reply.body as { items: unknown[] };
        return rest;
      };
      assert.deepEqual([window(all), window(searched), ids(last.body).at(-1)], [
        { total: 10_000, limit: 1, offset: 0, capped: true },
        { total: 1_000, limit: 1, offset: 0, capped: true },
        'N10050',
      ]);
    });
  });
});
