import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { addUser, browser } from './people-fixture.ts';
import { serve, type Served } from './serve.ts';
import { loadWidgetDirectory, saveConfig } from './widgets/fixture.ts';

type MyAccounts = { configId: number; token: string; expiresAt: string };

describe('/api/me/accounts', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    api = await serve(db);
    await loadWidgetDirectory(db);
  });
  afterEach(() => api.close());

  /** The accounts `<strategic-accounts>` shows with what My accounts handed to the signed-in user. */
  async function shownTo(email: string): Promise<{ configId: number; accounts: string[] }> {
    const viewer = await browser(api, email);
    const reply = await viewer.get('/api/me/accounts');
    assert.equal(reply.status, 200);
    const { configId, token } = reply.body as MyAccounts;
    const data = await api.get(`/api/widgets/strategic-accounts?config=${configId}`, { key: token });
    assert.equal(data.status, 200);
    return { configId, accounts: (data.body as { accounts: { name: string }[] }).accounts.map((a) => a.name) };
  }

  it("a viewer sees only the accounts where their email holds a management role, in a default configuration created for it", async () => {
    await addUser(db, 'alice@seller.example', 'viewer');
    await addUser(db, 'bob@seller.example', 'viewer');
    await addUser(db, 'carol@seller.example', 'viewer');
    const alice = await shownTo('alice@seller.example');
    assert.deepEqual(alice.accounts, ['Alpha GmbH', 'Beta AG']);
    const bob = await shownTo('bob@seller.example');
    assert.deepEqual(bob, { configId: alice.configId, accounts: ['Gamma Ltd'] });
    assert.deepEqual((await shownTo('carol@seller.example')).accounts, []);
    assert.deepEqual(await db.query('select name from widget_configs'), [{ name: 'My accounts in Default' }]);
  });

  it("uses the directory's first configuration when it has one; the admin key is no one's", async () => {
    const configId = await saveConfig(api, { name: 'Portal', columns: [{ field: 'attribute:industry' }] });
    await saveConfig(api, { name: 'Later' });
    await addUser(db, 'alice@seller.example', 'viewer');
    assert.deepEqual(await shownTo('alice@seller.example'), { configId, accounts: ['Alpha GmbH', 'Beta AG'] });
    assert.equal((await api.get('/api/me/accounts')).status, 401);
  });
});
