import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Db } from '../../core/db.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { sentToAcme } from '../server/distribution-fixture.ts';
import { addUser } from '../server/people-fixture.ts';
import { serve, testApp, type Served } from '../server/serve.ts';
import { watch } from '../widget/embed-page.ts';
import { assertAccessible, failedLoad, signIn, signedOut, withAxe } from './console-page.ts';

/** The save refused on purpose. */
const refused = failedLoad('400 (Bad Request)');

const german = {
  title: 'Wie machen wir uns?',
  question: 'Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?',
  commentQuestion: 'Was ist der wichtigste Grund für Ihre Bewertung?',
  scale: 'Wie zufrieden sind Sie mit unserem Support?',
  thankYou: 'Vielen Dank, wir lesen jede Antwort.',
  subject: 'Ihre Meinung zählt, {{firstName}}',
  body: '<p>Hallo {{firstName}}, <a href="{{surveyLink}}">zur Umfrage</a>.</p><p><a href="{{optOutLink}}">Abmelden</a></p>',
};

describe('the survey builder: a survey in several languages, in the browser', function () {
  this.timeout(90_000);
  let db: Db;
  let api: Served | undefined;
  let browser: Browser | undefined;

  beforeEach(async function () {
    [{ db }] = await Promise.all([testDatabase(this), buildWidget()]);
    api = await serve(db, undefined, undefined, await testApp(db));
    await addUser(db, 'ada@bellwether.example', 'admin');
    browser = await launchChromium();
  });
  afterEach(async () => {
    await browser?.close();
    await api?.close();
  });

  it('adds German with its texts, seen in the preview and then on a German contact’s page, and removes French', async () => {
    // Sent to Acme's contacts in English with a French translation; Ada's language is German.
    const { adaLink, surveyId } = await sentToAcme(db, api!.base, {
      title: 'How are we doing?', extraQuestions: [{ key: 'csat', text: 'How satisfied are you with our support?', min: 1, max: 5 }],
      translations: { fr: { title: 'Comment allons-nous ?' } },
    });
    await db.query(`update contacts set attributes = attributes || '{"language": "de-CH"}' where external_id = '003A'`);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await withAxe(page);
    const trouble = await watch(page);
    await signIn(page, api!.base, '/surveys');
    await page.getByRole('button', { name: 'Edit Relationship' }).click();
    const form = page.getByRole('form', { name: 'Survey' });
    const languages = form.getByRole('list', { name: 'Languages of the survey' });
    const listed = async () => (await languages.getByRole('listitem').locator('span:first-child').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(await listed(), ['English (en), the default: the texts of this form', 'Français (fr)']);

    // A code the API would refuse is refused at the field, before anything is sent.
    const code = form.getByLabel(/^Language to add/);
    await code.fill('deutsch');
    await form.getByRole('button', { name: 'Add the language' }).click();
    await form.getByRole('textbox', { name: 'Language to add (a code, e.g. de, fr or pt-br) a language code, e.g. "en", "de" or "pt-br"' }).waitFor();
    await code.fill('fr');
    await code.press('Enter');
    await form.getByRole('textbox', { name: 'Language to add (a code, e.g. de, fr or pt-br) the survey has Français (fr) already' }).waitFor();
    await code.fill('DE');
    await form.getByRole('button', { name: 'Add the language' }).click();
    assert.deepEqual(await listed(), ['English (en), the default: the texts of this form', 'Français (fr)', 'Deutsch (de)']);

    // German's texts, each empty one showing what it falls back to; the preview is in German.
    const texts = form.getByRole('group', { name: 'Texts in Deutsch (de)' });
    const preview = page.frameLocator('iframe[title="Preview of the survey page"]');
    await page.getByRole('heading', { name: 'Preview in Deutsch (de)' }).waitFor();
    assert.equal(await texts.getByLabel('Deutsch (de) title').getAttribute('placeholder'), 'How are we doing?');
    assert.equal(await texts.getByLabel("Deutsch (de) label of the scale's low end (0)").getAttribute('placeholder'), 'Überhaupt nicht wahrscheinlich');
    await texts.getByLabel('Deutsch (de) title').fill(german.title);
    await texts.getByLabel('Deutsch (de) NPS question').fill(german.question);
    await texts.getByLabel('Deutsch (de) comment question').fill(german.commentQuestion);
    await texts.getByLabel('Deutsch (de) scale 1 question').fill(german.scale);
    await texts.getByLabel('Deutsch (de) thank-you text').fill(german.thankYou);
    await preview.getByRole('heading', { name: german.title }).waitFor();
    await preview.getByRole('group', { name: german.question }).waitFor();
    await preview.getByRole('group', { name: german.scale }).waitFor();
    assert.equal(await preview.locator('html').getAttribute('lang'), 'de');
    await assertAccessible(page, 'the survey builder with German texts');

    // The emails: a body without its opt-out link is refused at that field, which opens even from English.
    await texts.getByText('Deutsch (de) emails').click();
    await texts.getByLabel('Deutsch (de) invitation subject').fill(german.subject);
    const invitationHtml = texts.getByLabel('Deutsch (de) invitation HTML body');
    await invitationHtml.fill('<p>Hallo {{firstName}}</p>');
    await form.getByRole('button', { name: 'Preview: English (en)' }).click();
    await texts.waitFor({ state: 'detached' });
    await form.getByRole('button', { name: 'Save changes' }).click();
    await texts.getByRole('textbox', { name: 'Deutsch (de) invitation HTML body a body has an {{optOutLink}}: every survey email lets its reader opt out' }).waitFor();
    await page.getByRole('heading', { name: 'Preview in Deutsch (de)' }).waitFor();
    await assertAccessible(page, 'a German email refused at its field');
    await invitationHtml.fill(german.body);

    // English again in the preview; French goes; contacts' language from their attribute.
    await form.getByRole('button', { name: 'Preview: English (en)' }).click();
    await page.getByRole('heading', { name: 'Preview in English (en)' }).waitFor();
    await preview.getByRole('heading', { name: 'How are we doing?' }).waitFor();
    await form.getByRole('button', { name: 'Remove: Français (fr)' }).click();
    assert.deepEqual(await listed(), ['English (en), the default: the texts of this form', 'Deutsch (de)']);
    await form.getByLabel(/^Contact attribute holding each contact's language/).fill('language');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByRole('status').filter({ hasText: `Saved as survey ${surveyId}.` }).waitFor();
    const [saved] = await db.query<{ language_attribute: string; translations: unknown }>('select language_attribute, translations from surveys where id = $1', [surveyId]);
    assert.deepEqual(saved, {
      language_attribute: 'language',
      translations: {
        de: {
          title: german.title, question: german.question, commentQuestion: german.commentQuestion, thankYou: german.thankYou,
          extraQuestions: { csat: { text: german.scale } }, emails: { invitation: { subject: german.subject, html: german.body } },
        },
      },
    });

    // Ada, whose language is Swiss German, gets the survey in German; French is no longer offered.
    const recipient = await browser!.newPage();
    await recipient.goto(adaLink);
    await recipient.getByRole('heading', { name: german.title }).waitFor();
    assert.equal(await recipient.locator('html').getAttribute('lang'), 'de');
    assert.deepEqual(await recipient.getByRole('navigation').getByRole('link').allInnerTexts(), ['English', 'Deutsch']);
    await recipient.getByRole('group', { name: german.question }).getByRole('radio', { name: '9' }).check({ force: true });
    await recipient.getByRole('button', { name: 'Senden' }).click();
    await recipient.getByRole('heading', { name: german.thankYou }).waitFor();

    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== refused), trouble.dialogs], [[], [signedOut], []]);
  });
});
