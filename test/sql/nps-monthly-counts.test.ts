import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { findSurveyLink, submitAnswer } from '../../core/surveys/responses.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { insertDistribution } from '../../core/surveys/create-distribution.ts';
import { defaultTemplates } from '../../core/surveys/template.ts';
import { openCsvFile } from '../../worker/extract/local-files.ts';
import { importResponses } from '../../core/surveys/import-responses.ts';
import { tempDir, writeCsv } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { loadWidgetDirectory } from '../server/widgets/fixture.ts';

/** The monthly counts as kept, and as counted afresh from the answers (months with no answer left out). */
async function keptAndCounted(db: Db) {
  const kept = await db.query(
    `select account_external_id as account, month::text, promoters, passives, detractors from nps_monthly_counts
     where promoters <> 0 or passives <> 0 or detractors <> 0 order by 1, 2`,
  );
  const counted = await db.query(
    `select account_external_id as account, to_char(responded_at at time zone 'UTC', 'YYYY-MM-01') as month,
       count(*) filter (where score >= 9)::int as promoters, count(*) filter (where score between 7 and 8)::int as passives,
       count(*) filter (where score <= 6)::int as detractors
     from nps_responses where account_external_id is not null group by 1, 2 order by 1, 2`,
  );
  return { kept, counted };
}

describe('nps_monthly_counts', () => {
  it('stays exact through an import, changed answers, deleted answers and a truncate', async function () {
    const { db } = await testDatabase(this);
    await loadWidgetDirectory(db);
    const dir = await tempDir();
    const file = await writeCsv(dir, 'nps.csv', [
      ['Contact.Id', 'Account.Id', 'Score', 'Comment', 'Responded_At'],
      ['C1', 'A1', '10', '', '2026-01-31T23:59:59Z'],
      ['C1', 'A1', '6', '', '2026-02-01T00:00:00Z'],
      ['C1', 'A3', '8', 'for the subsidiary', '2026-02-10T09:00:00+01:00'],
      ['C2', '', '9', '', '2024-02-29T12:00:00Z'],
      ['C2', '', '0', '', '2024-03-01T00:00:00Z'],
    ]);
    await importResponses(db, 1, await openCsvFile(file, 'answers'));
    const imported = await keptAndCounted(db);
    assert.deepEqual(imported.kept, [
      { account: 'A1', month: '2026-01-01', promoters: 1, passives: 0, detractors: 0 },
      { account: 'A1', month: '2026-02-01', promoters: 0, passives: 0, detractors: 1 },
      { account: 'A2', month: '2024-02-01', promoters: 1, passives: 0, detractors: 0 },
      { account: 'A2', month: '2024-03-01', promoters: 0, passives: 0, detractors: 1 },
      { account: 'A3', month: '2026-02-01', promoters: 0, passives: 1, detractors: 0 },
    ]);

    await db.query(`update nps_responses set score = 9, responded_at = responded_at - interval '1 day' where account_external_id = 'A1' and score = 6`);
    await db.query(`update nps_responses set account_external_id = 'A4' where account_external_id = 'A3'`);
    await db.query(`delete from nps_responses where score = 0`);
    const changed = await keptAndCounted(db);
    assert.deepEqual(changed.kept, changed.counted);
    assert.deepEqual(changed.kept.map((r) => [r.account, r.month, r.promoters]), [['A1', '2026-01-01', 2], ['A2', '2024-02-01', 1], ['A4', '2026-02-01', 0]]);

    await db.query('truncate nps_responses cascade');
    assert.deepEqual(await db.query('select * from nps_monthly_counts union all select * from nps_yearly_counts'), []);
  });

  it('takes survey answers as they arrive and change, and leaves anonymous ones out', async function () {
    const { db } = await testDatabase(this);
    await loadWidgetDirectory(db);
    const survey = await createSurvey(db, { name: 'NPS' });
    const [list] = await db.query<{ id: number }>(`insert into mailing_lists (directory_id, name) values (1, 'Customers') returning id::int`);
    await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) values ($1, 1, 'C1'), ($1, 1, 'C2')`, [list!.id]);
    const send = (linkType: 'individual' | 'anonymous') =>
      insertDistribution(db, { audience: 'all', surveyId: survey.id, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType, from: 'nps@seller.example', ...defaultTemplates, sendAt: new Date() });
    const individual = await send('individual');
    const anonymous = await send('anonymous');
    const tokens = await db.query<{ token: string }>('select token from distribution_recipients where distribution_id = $1 order by contact_external_id', [individual.id]);
    const [anonymousToken] = await db.query<{ token: string }>('select anonymous_token as token from distributions where id = $1', [anonymous.id]);
    const answer = async (token: string, score: number) => submitAnswer(db, (await findSurveyLink(db, token))!, { score, comment: null, answers: {} }).then((s) => s.outcome);

    assert.deepEqual(
      [await answer(tokens[0]!.token, 4), await answer(tokens[0]!.token, 9), await answer(tokens[1]!.token, 7), await answer(anonymousToken!.token, 0)],
      ['stored', 'updated', 'stored', 'stored'],
    );
    const { kept, counted } = await keptAndCounted(db);
    assert.deepEqual(kept, counted);
    assert.deepEqual(kept.map((r) => [r.account, r.promoters, r.passives, r.detractors]), [['A1', 1, 0, 0], ['A2', 0, 1, 0]]);
  });

  it('goes with its directory', async function () {
    const { db } = await testDatabase(this);
    const [{ id }] = (await db.query<{ id: string }>("insert into directories (name) values ('Other') returning id")) as [{ id: string }];
    await db.query(`insert into nps_responses (directory_id, contact_external_id, account_external_id, score, responded_at) values ($1, 'C1', 'A1', 9, now())`, [id]);
    await db.query('delete from directories where id = $1', [id]);
    assert.deepEqual(await db.query('select * from nps_monthly_counts union all select * from nps_yearly_counts'), []);
  });
});
