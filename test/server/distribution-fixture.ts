import type { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { outboxMailer } from '../../core/mail.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { defaultTemplates } from '../../core/surveys/template.ts';
import { insertDistribution } from '../../core/surveys/create-distribution.ts';
import { sendDistribution } from '../../worker/distribute/send-distribution.ts';
import { loadAcme } from './fixture.ts';

/**
 * Acme's directory and a survey sent to Ada (003A) and Bob (003B) into the outbox, with Cy (003C)
 * on the list too but opted out (skipped); answers the survey, the distribution and Ada's link.
 */
export async function sentToAcme(db: Db, publicUrl: string, survey: Record<string, unknown> = {}): Promise<{ surveyId: number; distributionId: number; adaLink: string }> {
  await loadAcme(db);
  const { id: surveyId } = await createSurvey(db, { name: 'Relationship', ...survey });
  const [list] = await db.query<{ id: number }>(`insert into mailing_lists (directory_id, name) values (1, 'Acme') returning id::int`);
  await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) values ($1, 1, '003A'), ($1, 1, '003B'), ($1, 1, '003C')`, [list!.id]);
  await db.query(`insert into opt_outs (directory_id, contact_external_id, email) values (1, '003C', 'cy@acme.example')`);
  const distribution = (await insertDistribution(db, {
    audience: 'all', surveyId, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType: 'individual', from: 'nps@acme.example', ...defaultTemplates, sendAt: new Date(),
  }))!;
  await sendDistribution({ db, mailer: outboxMailer(db), publicUrl, logger: createLogger('silent', 'test') }, distribution.id);
  const [mail] = await db.query<{ text: string }>(`select text from outbox_messages where mail_to = 'ada@acme.example'`);
  return { surveyId, distributionId: distribution.id, adaLink: /https?:\/\/\S+\/s\/\S+/.exec(mail!.text)![0] };
}
