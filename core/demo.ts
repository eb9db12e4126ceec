import type { Queryable } from './db.ts';
import type { SurveyInput } from './surveys/queries.ts';
import type { FollowUps } from './surveys/follow-ups.ts';

/** The directory `npm start` loads the bundled demo company (examples/demo) into. */
export const demoDirectoryName = 'Demo (Northwind)';

/** The instance setting that records where the demo went (and that it was installed, so it is never loaded twice). */
export const demoSetting = 'demo_directory';

/**
 * Creates the demo's directory, marked as the demo's, and records it as installed in the same
 * statement: a start that stops midway never creates a second one. Null when the demo was installed
 * before (even if an admin has deleted it since) or a directory already has the demo's name.
 */
export async function createDemoDirectory(db: Queryable): Promise<number | null> {
  const [row] = await db.query<{ id: number }>(
    `with created as (
       insert into directories (name, demo) select $1, true
       where not exists (select 1 from instance_settings where name = $2) and not exists (select 1 from directories where name = $1)
       returning id
     ), installed as (
       insert into instance_settings (name, value) select $2, json_build_object('directoryId', id, 'configId', null, 'lastRunId', 0)::text from created
     )
     select id::int from created`,
    [demoDirectoryName, demoSetting],
  );
  return row?.id ?? null;
}

/** Whether a distribution invites the demo company's contacts: those are kept in the outbox, never sent over SMTP. */
export async function isDemoDistribution(db: Queryable, distributionId: number): Promise<boolean> {
  const [row] = await db.query<{ demo: boolean }>(
    'select d.demo from distributions s join directories d on d.id = s.directory_id where s.id = $1',
    [distributionId],
  );
  return row?.demo ?? false;
}

/**
 * The demo's NPS survey, in English and German: a contact whose `language` attribute says German
 * ("de", "de-CH") gets the German email and page.
 */
export const demoSurvey = {
  name: 'Demo NPS',
  title: 'Your feedback',
  extraQuestions: [{ key: 'csat', text: 'How satisfied are you with our support?', minLabel: 'Very dissatisfied', maxLabel: 'Very satisfied' }],
  language: 'en',
  languageAttribute: 'language',
  translations: {
    de: {
      title: 'Ihre Meinung',
      question: 'Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?',
      commentQuestion: 'Was ist der wichtigste Grund für Ihre Bewertung?',
      thankYou: 'Vielen Dank für Ihre Antwort.',
      extraQuestions: { csat: { text: 'Wie zufrieden sind Sie mit unserem Support?', minLabel: 'Sehr unzufrieden', maxLabel: 'Sehr zufrieden' } },
    },
  },
} as const satisfies SurveyInput;

/** The demo's distribute task: the invitation now, a reminder after 3 and 7 days to those who have not answered, a thank-you for each answer. */
export const demoFollowUps: FollowUps = { reminders: [{ afterDays: 3 }, { afterDays: 7 }], thankYouEmail: true };
