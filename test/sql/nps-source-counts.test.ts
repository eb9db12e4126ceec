import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { addResponses, addSurveyAnswers, loadWidgetDirectory } from '../server/widgets/fixture.ts';

/** The counts per source and month (or year) as kept, and as counted afresh from the answers (periods with no answer left out). */
async function keptAndCounted(db: Db, span: 'month' | 'year' = 'month') {
  const kept = await db.query(
    `select account_external_id as account, source::int, ${span}::text as month, promoters, passives, detractors from nps_source_${span}ly_counts
     where promoters <> 0 or passives <> 0 or detractors <> 0 order by 1, 2, 3`,
  );
  const counted = await db.query(
    `select account_external_id as account, coalesce(survey_id, 0)::int as source, to_char(responded_at at time zone 'UTC', $1) as month,
       count(*) filter (where score >= 9)::int as promoters, count(*) filter (where score between 7 and 8)::int as passives,
       count(*) filter (where score <= 6)::int as detractors
     from nps_responses where account_external_id is not null group by 1, 2, 3 order by 1, 2, 3`,
    [span === 'month' ? 'YYYY-MM-01' : 'YYYY-01-01'],
  );
  return { kept, counted };
}

describe('nps_source_monthly_counts and nps_source_yearly_counts', () => {
  it('counts each survey apart from imported history, and a deleted survey as history, through changes and deletes', async function () {
    const { db } = await testDatabase(this);
    await loadWidgetDirectory(db);
    const relationship = (await createSurvey(db, { name: 'Relationship' })).id;
    const onboarding = (await createSurvey(db, { name: 'Onboarding' })).id;
    await addResponses(db, [['A1', '2026-01-05T09:00:00Z', 10], ['A1', '2026-01-31T23:59:59Z', 3]]);
    await addSurveyAnswers(db, relationship, [['A1', 'C1', '2026-01-10T09:00:00Z', 0, null], ['A2', 'C2', '2026-02-01T00:00:00Z', 8, null]]);
    await addSurveyAnswers(db, onboarding, [['A1', 'C1', '2026-01-12T09:00:00Z', 9, null]]);
    const first = await keptAndCounted(db);
    assert.deepEqual(first.kept, first.counted);
    assert.deepEqual(first.kept.map((r) => [r.account, r.source === 0 ? 'history' : r.source === relationship ? 'relationship' : 'onboarding', r.month]), [
      ['A1', 'history', '2026-01-01'],
      ['A1', 'relationship', '2026-01-01'],
      ['A1', 'onboarding', '2026-01-01'],
      ['A2', 'relationship', '2026-02-01'],
    ]);

    await db.query(`update nps_responses set score = 10, account_external_id = 'A3' where survey_id = $1`, [relationship]);
    await db.query(`delete from nps_responses where score = 3`);
    await db.query('delete from surveys where id = $1', [onboarding]);
    const changed = await keptAndCounted(db);
    assert.deepEqual(changed.kept, changed.counted);
    const years = await keptAndCounted(db, 'year');
    assert.deepEqual(years.kept, years.counted);
    assert.equal(years.kept.length, 2);
    assert.deepEqual(changed.kept.map((r) => [r.account, r.source === 0 ? 'history' : 'relationship', r.month, r.promoters]), [
      ['A1', 'history', '2026-01-01', 2],
      ['A3', 'relationship', '2026-01-01', 1],
      ['A3', 'relationship', '2026-02-01', 1],
    ]);

    await db.query('truncate nps_responses cascade');
    assert.deepEqual(await db.query('select * from nps_source_monthly_counts union all select * from nps_source_yearly_counts'), []);
  });
});
