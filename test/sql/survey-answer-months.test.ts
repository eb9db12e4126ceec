import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { loadWidgetDirectory } from '../server/widgets/fixture.ts';

/** The monthly sums as kept, and as summed afresh from the answers (months with no answer left out). */
async function keptAndSummed(db: Db) {
  const kept = await db.query(
    `select account_external_id as account, survey_id::int as survey, question, month::text, answers, total::text from survey_answer_months
     where answers <> 0 order by 1, 2, 3, 4`,
  );
  const summed = await db.query(
    `select r.account_external_id as account, r.survey_id::int as survey, v.question, to_char(r.responded_at at time zone 'UTC', 'YYYY-MM-01') as month,
       count(*)::int as answers, sum(v.value)::text as total
     from nps_responses r cross join lateral (select 'NPS' as question, r.score::numeric as value
       union all select key, value::text::numeric from jsonb_each(r.answers) where jsonb_typeof(value) = 'number') v
     where r.account_external_id is not null and r.survey_id is not null group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
  );
  return { kept, summed };
}

describe('survey_answer_months', () => {
  it('stays exact through answers given, changed, moved and deleted, a deleted survey and a truncate', async function () {
    const { db } = await testDatabase(this);
    await loadWidgetDirectory(db);
    const relationship = await createSurvey(db, { name: 'Relationship', extraQuestions: [{ key: 'csat', text: 'Satisfied?' }] });
    const onboarding = await createSurvey(db, { name: 'Onboarding', extraQuestions: [{ key: 'effort', text: 'Easy?' }] });
    await db.query(
      `insert into nps_responses (directory_id, survey_id, account_external_id, contact_external_id, responded_at, score, answers) values
        (1, $1, 'A1', 'C1', '2026-01-31T23:59:59Z', 9, '{"csat": 4}'),
        (1, $1, 'A1', 'C2', '2026-01-10T09:00:00Z', 6, '{"csat": 2}'),
        (1, $1, 'A1', 'C3', '2026-02-01T00:00:00Z', 10, '{}'),
        (1, $2, 'A2', 'C4', '2026-02-03T09:00:00Z', 8, '{"effort": 5}'),
        (1, null, 'A2', 'C5', '2026-02-03T09:00:00Z', 8, '{}')`,
      [relationship.id, onboarding.id],
    );
    const given = await keptAndSummed(db);
    assert.deepEqual(given.kept, given.summed);
    assert.deepEqual(
      given.kept.map((r) => [r.account, r.question, r.month, r.answers, r.total]),
      [
        ['A1', 'NPS', '2026-01-01', 2, '15'],
        ['A1', 'NPS', '2026-02-01', 1, '10'],
        ['A1', 'csat', '2026-01-01', 2, '6'],
        ['A2', 'NPS', '2026-02-01', 1, '8'],
        ['A2', 'effort', '2026-02-01', 1, '5'],
      ],
    );

    await db.query(`update nps_responses set answers = '{"csat": 5}', responded_at = '2026-02-02T00:00:00Z' where contact_external_id = 'C2'`);
    await db.query(`update nps_responses set account_external_id = 'A3' where contact_external_id = 'C3'`);
    await db.query(`delete from nps_responses where contact_external_id = 'C1'`);
    await db.query('delete from surveys where id = $1', [onboarding.id]);
    const changed = await keptAndSummed(db);
    assert.deepEqual(changed.kept, changed.summed);
    assert.deepEqual(
      changed.kept.map((r) => [r.account, r.question, r.month, r.answers, r.total]),
      [
        ['A1', 'NPS', '2026-02-01', 1, '6'],
        ['A1', 'csat', '2026-02-01', 1, '5'],
        ['A3', 'NPS', '2026-02-01', 1, '10'],
      ],
    );

    await db.query('truncate nps_responses cascade');
    assert.deepEqual(await db.query('select * from survey_answer_months'), []);
  });

  it('goes with its directory', async function () {
    const { db } = await testDatabase(this);
    const survey = await createSurvey(db, { name: 'Relationship', extraQuestions: [{ key: 'csat', text: 'Satisfied?' }] });
    const [{ id }] = (await db.query<{ id: string }>("insert into directories (name) values ('Other') returning id")) as [{ id: string }];
    await db.query(
      `insert into nps_responses (directory_id, survey_id, contact_external_id, account_external_id, score, answers, responded_at) values ($1, $2, 'C1', 'A1', 9, '{"csat": 3}', now())`,
      [id, survey.id],
    );
    await db.query('delete from directories where id = $1', [id]);
    assert.deepEqual(await db.query('select * from survey_answer_months'), []);
  });
});
