import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { loadWidgetDirectory } from '../server/widgets/fixture.ts';

/** Each answer's next_at as kept, and as worked out afresh: the same contact's next answer for the same account. */
async function keptAndWorkedOut(db: Db) {
  return db.query<{ id: number; kept: string | null; due: string | null }>(
    `select id::int, next_at::text as kept,
       (lead(responded_at) over (partition by directory_id, account_external_id, contact_external_id order by responded_at))::text as due
     from nps_responses order by id`,
  );
}

describe('nps_responses.next_at', () => {
  it("names the same contact's next answer for the same account, through answers added, moved and removed", async function () {
    const { db } = await testDatabase(this);
    await loadWidgetDirectory(db);
    await db.query(
      `insert into nps_responses (directory_id, contact_external_id, account_external_id, score, responded_at) values
        (1, 'C1', 'A1', 3, '2026-01-05Z'), (1, 'C1', 'A1', 9, '2026-02-05Z'), (1, 'C1', 'A2', 7, '2026-01-20Z'), (1, 'C2', 'A1', 10, '2026-01-10Z')`,
    );
    const first = await keptAndWorkedOut(db);
    assert.deepEqual(first.map((r) => r.kept), first.map((r) => r.due));
    assert.deepEqual(first.map((r) => r.kept !== null), [true, false, false, false]);

    await db.query(`insert into nps_responses (directory_id, contact_external_id, account_external_id, score, responded_at) values (1, 'C1', 'A1', 5, '2026-01-15Z')`);
    await db.query(`update nps_responses set account_external_id = 'A1' where account_external_id = 'A2'`);
    await db.query(`delete from nps_responses where score = 9`);
    const changed = await keptAndWorkedOut(db);
    assert.deepEqual(changed.map((r) => r.kept), changed.map((r) => r.due));
    assert.ok(changed.some((r) => r.kept !== null));
  });
});
