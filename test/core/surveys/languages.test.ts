import assert from 'node:assert/strict';
import { chooseLanguage, localize, type MultilingualSurvey } from '../../../core/surveys/languages.ts';
import { builtInTexts, emailFor } from '../../../core/surveys/texts.ts';

const survey: MultilingualSurvey = {
  title: 'Your feedback',
  question: 'How likely are you to recommend us?',
  commentQuestion: 'Why?',
  thankYou: 'Thanks.',
  extraQuestions: [{ key: 'csat', text: 'Support?', min: 1, max: 5, minLabel: 'Poor', maxLabel: 'Great' }],
  language: 'en',
  scaleLabels: { min: 'Never', max: 'Certainly' },
  emails: { invitation: { subject: 'A minute for {{surveyTitle}}?' } },
  translations: {
    de: { title: 'Ihre Meinung', extraQuestions: { csat: { text: 'Support?', minLabel: 'Schlecht' } }, emails: { reminder: { subject: 'Noch eine Minute?' } } },
    'pt-br': { title: 'Sua opinião' },
  },
};

describe('survey languages', () => {
  it("chooses the language asked for, then the contact's, by whole code or primary subtag, else the default", () => {
    const chosen = [
      [null, 'de-DE'], [null, 'de_CH'], [null, 'DE'], ['pt-BR', 'de'], ['pt', 'de'], ['fr', null], [null, 'fr-FR'], [null, null], ['', ' '],
    ].map(([asked, contact]) => chooseLanguage(survey, [asked, contact]));
    assert.deepEqual(chosen, ['de', 'de', 'de', 'pt-br', 'de', 'en', 'en', 'en', 'en']);
  });

  it("shows the translation's texts, the default language's where it has none, and the language's own page words", () => {
    const german = localize(survey, 'de');
    assert.deepEqual(
      [german.lang, german.languages, german.title, german.question, german.commentQuestion, german.extraQuestions, german.scaleLabels, german.page.send],
      ['de', ['en', 'de', 'pt-br'], 'Ihre Meinung', 'How likely are you to recommend us?', 'Why?',
        [{ key: 'csat', text: 'Support?', min: 1, max: 5, minLabel: 'Schlecht', maxLabel: 'Great' }],
        { min: 'Überhaupt nicht wahrscheinlich', max: 'Äußerst wahrscheinlich' }, 'Senden'],
    );
    const english = localize(survey, 'en');
    assert.deepEqual([english.scaleLabels, english.page.send], [{ min: 'Never', max: 'Certainly' }, 'Send']);
    // No page words ship in Portuguese: English ones, around the survey's Portuguese title.
    assert.deepEqual([localize(survey, 'pt-br').title, localize(survey, 'pt-br').page.send], ['Sua opinião', 'Send']);
  });

  it("takes each email text from the translation, then the language's shipped email, then the default language's", () => {
    const de = builtInTexts.de!.emails;
    const en = builtInTexts.en!.emails;
    assert.deepEqual(emailFor(survey, 'de', 'reminder'), { subject: 'Noch eine Minute?', html: de.reminder.html, text: de.reminder.text });
    assert.deepEqual(emailFor(survey, 'de', 'invitation'), de.invitation);
    assert.deepEqual(emailFor(survey, 'en', 'invitation'), { subject: 'A minute for {{surveyTitle}}?', html: en.invitation.html, text: en.invitation.text });
    assert.deepEqual(emailFor(survey, 'pt-br', 'invitation'), { subject: 'A minute for {{surveyTitle}}?', html: en.invitation.html, text: en.invitation.text });
  });
});
