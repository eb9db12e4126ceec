import type { Db } from '../../core/db.ts';

/**
 * What a survey leaves in the directory: a mailing list holding Ada and Bob, a distribution of a
 * survey to it (Ada sent, Bob skipped as opted out), Ada's answer to it and an imported answer of
 * Bob's for Acme Holding, and Bob's opt-out by address.
 */
export async function survey(db: Db): Promise<number> {
  const [list] = await db.query<{ id: number }>(`insert into mailing_lists (directory_id, name) values (1, 'Acme contacts') returning id::int`);
  await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) values ($1, 1, '003A'), ($1, 1, '003B'), ($1, 1, '003Z')`, [list!.id]);
  const [surveyRow] = await db.query<{ id: number }>(
    `insert into surveys (name, title, question, thank_you) values ('Q4 pulse', 'How are we doing?', 'How likely...?', 'Thanks') returning id::int`,
  );
  const [distribution] = await db.query<{ id: number }>(
    `insert into distributions (survey_id, directory_id, mailing_list_id, link_type, mail_from, subject, html, text, send_at, state)
     values ($1, 1, $2, 'individual', 'team@seller.example', 'Q4', '<p>Hi</p>', 'Hi', '2026-11-02T09:00:00Z', 'finished') returning id::int`,
    [surveyRow!.id, list!.id],
  );
  const [ada] = await db.query<{ id: number }>(
    `insert into distribution_recipients (distribution_id, contact_external_id, account_external_id, email, token, state, sent_at)
     values ($1, '003A', '001A', 'ada@acme.example', 'token-ada', 'sent', '2026-11-02T09:00:05Z') returning id::int`,
    [distribution!.id],
  );
  await db.query(
    `insert into distribution_recipients (distribution_id, contact_external_id, account_external_id, email, token, state, skip_reason)
     values ($1, '003B', '001A', 'bob@acme.example', 'token-bob', 'skipped', 'opted_out')`,
    [distribution!.id],
  );
  await db.query(
    `insert into nps_responses (directory_id, contact_external_id, account_external_id, score, comment, responded_at, survey_id, distribution_id, recipient_id)
     values (1, '003A', '001A', 9, 'Great support', '2026-11-03T10:00:00Z', $1, $2, $3)`,
    [surveyRow!.id, distribution!.id, ada!.id],
  );
  await db.query(`insert into nps_responses (directory_id, contact_external_id, account_external_id, score, responded_at) values (1, '003B', '001A', 3, '2025-05-01T08:00:00Z')`);
  await db.query(`insert into opt_outs (directory_id, contact_external_id, email) values (1, '003Q', 'BOB@acme.example')`);
  return list!.id;
}
