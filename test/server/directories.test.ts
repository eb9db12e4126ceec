import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { adminKey, serve, type Reply, type Served } from './serve.ts';
import { loadWidgetDirectory, saveConfig } from './widgets/fixture.ts';

describe('/api/directories', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    api = await serve(db);
  });
  afterEach(() => api.close());

  const send = (method: string, path: string, json?: unknown): Promise<Reply> =>
    api.request(path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  const names = async () => ((await api.get('/api/directories')).body as { items: { name: string }[] }).items.map((d) => d.name);

  it('lists, creates and renames directories; a name is unique', async () => {
    await loadWidgetDirectory(db);
    const created = await send('POST', '/api/directories', { name: ' Europe ' });
    assert.equal(created.status, 201);
    const { id, createdAt, ...europe } = created.body as { id: number; createdAt: string };
    assert.deepEqual(europe, { name: 'Europe', accounts: 0, contacts: 0 });
    const listed = (await api.get('/api/directories')).body as { items: { name: string; accounts: number; contacts: number }[] };
    assert.deepEqual(listed.items.map((d) => [d.name, d.accounts, d.contacts]), [['Default', 5, 2], ['Europe', 0, 0]]);

    assert.equal((await send('POST', '/api/directories', { name: 'europe' })).status, 201);
    assert.equal((await send('POST', '/api/directories', { name: 'Europe' })).status, 409);
    assert.equal((await send('PATCH', `/api/directories/${id}`, { name: 'Default' })).status, 409);
    assert.equal((await send('PATCH', `/api/directories/${id}`, { name: 'EMEA' })).status, 200);
    assert.equal((await send('PATCH', '/api/directories/99', { name: 'Nowhere' })).status, 404);
    assert.deepEqual(await names(), ['Default', 'EMEA', 'europe']);
  });

  it('names what removing one removes, then removes exactly that and nothing of another directory', async () => {
    await loadWidgetDirectory(db);
    await saveConfig(api, { name: 'Portal' });
    await send('POST', '/api/directories', { name: 'Other' });
    await db.query(`insert into accounts (directory_id, external_id, display_name) values (2, 'O1', 'Other Co')`);

    const preview = await api.get('/api/directories/1');
    const removes = (preview.body as { removes: Record<string, number> }).removes;
    assert.deepEqual(removes, { accounts: 5, contacts: 2, runs: 1, mailingLists: 0, widgetConfigs: 1 });
    const deleted = await send('DELETE', '/api/directories/1');
    assert.deepEqual([deleted.status, deleted.body], [200, { deleted: 1, removed: removes }]);

    assert.deepEqual(await names(), ['Other']);
    const left = await db.query<{ table: string; n: number }>(
      `select 'accounts' as table, count(*)::int as n from accounts where directory_id = 1
       union all select 'contacts', count(*)::int from contacts where directory_id = 1
       union all select 'management_roles', count(*)::int from management_roles where directory_id = 1
       union all select 'widget_configs', count(*)::int from widget_configs
       union all select 'other accounts', count(*)::int from accounts where directory_id = 2`,
    );
    assert.deepEqual(left.map((r) => [r.table, r.n]), [['accounts', 0], ['contacts', 0], ['management_roles', 0], ['widget_configs', 0], ['other accounts', 1]]);
    assert.equal((await api.get('/api/accounts?directory=1')).status, 404);
    assert.equal((await send('DELETE', '/api/directories/1')).status, 404);
  });
});
