import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { loadWidgetDirectory } from '../server/widgets/fixture.ts';

/** The superseded answers as kept, and as worked out afresh: those the same contact answered again for the same account, with when. */
async function keptAndWorkedOut(db: Db) {
  const kept = await db.query(`select response_id::int as id, score, next_at::text from nps_superseded_answers order by 1`);
  const due = await db.query(
    `select id::int, score, next_at::text from (
       select id, score, lead(responded_at) over (partition by directory_id, account_external_id, contact_external_id order by responded_at) as next_at
       from nps_responses where account_external_id is not null) n
     where next_at is not null order by 1`,
  );
  return { kept, due };
}

describe('nps_superseded_answers', () => {
  it("holds each answer the same contact answered again for the same account, through answers added, changed, moved and removed", async function () {
    const { db } = await testDatabase(this);
    await loadWidgetDirectory(db);
    const add = (values: string) => db.query(`insert into nps_responses (directory_id, contact_external_id, account_external_id, score, responded_at) values ${values}`);
    await add(`(1, 'C1', 'A1', 3, '2026-01-05Z'), (1, 'C1', 'A1', 9, '2026-02-05Z'), (1, 'C1', 'A2', 7, '2026-01-20Z'), (1, 'C2', 'A1', 10, '2026-01-10Z')`);
    const first = await keptAndWorkedOut(db);
    assert.deepEqual(first.kept, first.due);
    assert.deepEqual(first.kept.map((r) => [r.score, r.next_at]), [[3, '2026-02-05 00:00:00+00']]);

    await add(`(1, 'C1', 'A1', 5, '2026-01-15Z')`);
    await db.query(`update nps_responses set score = 4 where score = 3`);
    await db.query(`update nps_responses set account_external_id = 'A1' where account_external_id = 'A2'`);
    await db.query(`delete from nps_responses where score = 9`);
    const changed = await keptAndWorkedOut(db);
    assert.deepEqual(changed.kept, changed.due);
    // C1 at A1 now: 4 on Jan 5, 5 on Jan 15, 7 on Jan 20 (moved from A2); its Feb 5 answer is gone.
    assert.deepEqual(changed.kept.map((r) => [r.score, r.next_at]), [[4, '2026-01-15 00:00:00+00'], [5, '2026-01-20 00:00:00+00']]);

    await db.query('delete from directories where id = 1');
    assert.deepEqual(await db.query('select * from nps_superseded_answers'), []);
  });
});
