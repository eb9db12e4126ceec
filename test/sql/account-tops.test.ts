import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { loadWidgetDirectory } from '../server/widgets/fixture.ts';

/** Each live account's top as kept, and as found by walking down from the accounts without a live parent. */
async function keptAndWalked(db: Db) {
  const kept = await db.query<{ account: string; top: string }>(
    'select account_external_id as account, top_external_id as top from account_tops where directory_id = 1 order by 1',
  );
  const walked = await db.query<{ account: string; top: string }>(
    `with recursive tops (top, account) as (
       select a.external_id, a.external_id from accounts a
       where a.directory_id = 1 and not a.is_deleted
         and not exists (select 1 from accounts p where p.directory_id = 1 and p.external_id = a.parent_external_id and not p.is_deleted)
       union all
       select t.top, c.external_id from tops t join accounts c on c.directory_id = 1 and c.parent_external_id = t.account and not c.is_deleted
     ) select account, top from tops order by 1`,
  );
  return { kept, walked };
}

const pairs = (rows: { account: string; top: string }[]) => rows.map((r) => `${r.account}>${r.top}`).join(' ');

describe('account_tops', () => {
  it('keeps each live account under the top of its chain of live parents as the hierarchy changes', async function () {
    const { db } = await testDatabase(this);
    await loadWidgetDirectory(db);
    await db.query(
      `insert into accounts (directory_id, external_id, display_name, parent_external_id) values
        (1, 'A6', 'Zeta GmbH', 'A3'), (1, 'A7', 'Eta AG', 'A8'), (1, 'A8', 'Theta AG', 'A7')`,
    );
    const steps: [string, string][] = [];
    const check = async (what: string) => {
      const { kept, walked } = await keptAndWalked(db);
      assert.deepEqual(kept, walked, what);
      steps.push([what, pairs(kept)]);
    };
    // A7 and A8 are each other's parent: listed under no top.
    await check('loaded');
    await db.query(`update accounts set is_deleted = true where external_id = 'A3'`);
    await check('A3 deleted');
    await db.query(`update accounts set is_deleted = false where external_id = 'A3'`);
    await db.query(`update accounts set parent_external_id = 'A5' where external_id = 'A2'`);
    await check('A3 back, A2 under A5');
    await db.query(`update accounts set parent_external_id = null where external_id = 'A8'`);
    await db.query(`update accounts set attributes = '{"seats": 1}' where external_id = 'A1'`);
    await check('the loop broken');
    await db.query(`delete from accounts where external_id = 'A1'`);
    await check('A1 removed');
    assert.deepEqual(steps, [
      ['loaded', 'A1>A1 A2>A2 A3>A1 A4>A4 A5>A5 A6>A1'],
      ['A3 deleted', 'A1>A1 A2>A2 A4>A4 A5>A5 A6>A6'],
      ['A3 back, A2 under A5', 'A1>A1 A2>A5 A3>A1 A4>A4 A5>A5 A6>A1'],
      ['the loop broken', 'A1>A1 A2>A5 A3>A1 A4>A4 A5>A5 A6>A1 A7>A8 A8>A8'],
      ['A1 removed', 'A2>A5 A3>A3 A4>A4 A5>A5 A6>A3 A7>A8 A8>A8'],
    ]);
  });

  it('goes with its directory', async function () {
    const { db } = await testDatabase(this);
    const [{ id }] = (await db.query<{ id: string }>("insert into directories (name) values ('Other') returning id")) as [{ id: string }];
    await db.query(`insert into accounts (directory_id, external_id, display_name, parent_external_id) values ($1, 'B1', 'One', null), ($1, 'B2', 'Two', 'B1')`, [id]);
    assert.deepEqual(await db.query('select top_external_id as top from account_tops where directory_id = $1 order by account_external_id', [id]), [{ top: 'B1' }, { top: 'B1' }]);
    await db.query('delete from directories where id = $1', [id]);
    assert.deepEqual(await db.query('select * from account_tops where directory_id = $1', [id]), []);
  });
});
