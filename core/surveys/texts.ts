import { defaultTemplates } from './template.ts';

/*
 * The words a survey's page and emails use around the survey's own texts, in the languages the
 * product ships: English and German. A survey in another language shows these in English unless
 * its translation sets its own emails and scale labels.
 */

/** A subject and the two bodies of an email, templates as in template.ts. */
export type EmailTemplate = { subject: string; html: string; text: string };

/** The emails a distribution sends: the invitation, up to two reminders, and a thank-you after an answer. */
export const emailKinds = ['invitation', 'reminder', 'thankYou'] as const;
export type EmailKind = (typeof emailKinds)[number];

/** The page's own words. Functions take values already formatted for the language. */
export type PageText = {
  optional: string;
  send: string;
  scaleMin: string;
  scaleMax: string;
  languages: string;
  chooseScore: string;
  chooseAnswer: (min: number, max: number, question: string) => string;
  answeredOn: (respondedAt: string, until: string) => string;
  recorded: (respondedAt: string) => string;
  updated: string;
  keptEarlier: string;
  expiredTitle: string;
  expired: (on: string) => string;
  optOutTitle: string;
  optOutAsk: string;
  optOutButton: string;
  optedOutTitle: string;
  optedOut: string;
};

export type BuiltInTexts = { page: PageText; emails: Record<EmailKind, EmailTemplate> };

const footerText = `To receive no more surveys: {{optOutLink}}`;
const footerHtml = `<p style="font-size:12px;color:#555">To receive no more surveys, <a href="{{optOutLink}}">unsubscribe</a>.</p>`;
const germanFooterText = `Sie möchten keine Umfragen mehr erhalten? {{optOutLink}}`;
const germanFooterHtml = `<p style="font-size:12px;color:#555">Sie möchten keine Umfragen mehr erhalten? <a href="{{optOutLink}}">Abmelden</a>.</p>`;

const english: BuiltInTexts = {
  page: {
    optional: '(optional)',
    send: 'Send',
    scaleMin: 'Not at all likely',
    scaleMax: 'Extremely likely',
    languages: 'Language',
    chooseScore: 'Please choose a score from 0 to 10.',
    chooseAnswer: (min, max, question) => `Please choose an answer from ${min} to ${max} for "${question}".`,
    answeredOn: (at, until) => `You answered on ${at}. You can change your answer until ${until}.`,
    recorded: (at) => `Your answer of ${at} is recorded.`,
    updated: 'Your answer is updated.',
    keptEarlier: 'Your earlier answer is kept: an answer can be changed for a day after it is given.',
    expiredTitle: 'This survey has closed',
    expired: (on) => `Thank you for coming back to it. This link stopped taking answers on ${on}, so there is nothing more to do: we will ask again another time.`,
    optOutTitle: 'Unsubscribe from surveys',
    optOutAsk: 'Press the button to stop receiving our surveys.',
    optOutButton: 'Unsubscribe',
    optedOutTitle: 'You are unsubscribed',
    optedOut: 'You will receive no more surveys from us.',
  },
  emails: {
    invitation: defaultTemplates,
    reminder: {
      subject: 'A reminder: {{surveyTitle}}',
      text: `Hello {{firstName|there}},

A few days ago we asked how likely you are to recommend us. If you have a minute, your answer
helps the team that looks after {{accountName|your account}}.

Answer here: {{surveyLink}}

Thank you.

${footerText}
`,
      html: `<p>Hello {{firstName|there}},</p>
<p>A few days ago we asked how likely you are to recommend us. If you have a minute, your answer
helps the team that looks after {{accountName|your account}}.</p>
<p><a href="{{surveyLink}}">Answer the survey</a></p>
<p>Thank you.</p>
${footerHtml}
`,
    },
    thankYou: {
      subject: 'Thank you for your answer',
      text: `Hello {{firstName|there}},

Thank you for answering our survey. The team that looks after {{accountName|your account}} reads every answer.

${footerText}
`,
      html: `<p>Hello {{firstName|there}},</p>
<p>Thank you for answering our survey. The team that looks after {{accountName|your account}} reads every answer.</p>
${footerHtml}
`,
    },
  },
};

const german: BuiltInTexts = {
  page: {
    optional: '(freiwillig)',
    send: 'Senden',
    scaleMin: 'Überhaupt nicht wahrscheinlich',
    scaleMax: 'Äußerst wahrscheinlich',
    languages: 'Sprache',
    chooseScore: 'Bitte wählen Sie einen Wert von 0 bis 10.',
    chooseAnswer: (min, max, question) => `Bitte wählen Sie für „${question}“ eine Antwort von ${min} bis ${max}.`,
    answeredOn: (at, until) => `Sie haben am ${at} geantwortet. Bis ${until} können Sie Ihre Antwort noch ändern.`,
    recorded: (at) => `Ihre Antwort vom ${at} ist gespeichert.`,
    updated: 'Ihre Antwort ist geändert.',
    keptEarlier: 'Ihre frühere Antwort bleibt bestehen: Eine Antwort lässt sich einen Tag lang ändern.',
    expiredTitle: 'Diese Umfrage ist beendet',
    expired: (on) => `Danke, dass Sie noch einmal vorbeischauen. Dieser Link nimmt seit dem ${on} keine Antworten mehr an; Sie müssen nichts weiter tun. Wir fragen Sie gern ein andermal.`,
    optOutTitle: 'Von Umfragen abmelden',
    optOutAsk: 'Drücken Sie die Schaltfläche, um keine Umfragen mehr von uns zu erhalten.',
    optOutButton: 'Abmelden',
    optedOutTitle: 'Sie sind abgemeldet',
    optedOut: 'Sie erhalten keine Umfragen mehr von uns.',
  },
  emails: {
    invitation: {
      subject: '{{surveyTitle}}: Wie wahrscheinlich empfehlen Sie uns weiter?',
      text: `Hallo {{firstName|zusammen}},

wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen? Es dauert nur eine
Minute, und das Team, das {{accountName|Ihr Konto}} betreut, liest jede Antwort.

Zur Umfrage: {{surveyLink}}

Vielen Dank.

${germanFooterText}
`,
      html: `<p>Hallo {{firstName|zusammen}},</p>
<p>wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen? Es dauert nur eine
Minute, und das Team, das {{accountName|Ihr Konto}} betreut, liest jede Antwort.</p>
<p><a href="{{surveyLink}}">Zur Umfrage</a></p>
<p>Vielen Dank.</p>
${germanFooterHtml}
`,
    },
    reminder: {
      subject: 'Erinnerung: {{surveyTitle}}',
      text: `Hallo {{firstName|zusammen}},

vor einigen Tagen haben wir Sie gefragt, wie wahrscheinlich Sie uns weiterempfehlen. Wenn Sie eine
Minute haben, hilft Ihre Antwort dem Team, das {{accountName|Ihr Konto}} betreut.

Zur Umfrage: {{surveyLink}}

Vielen Dank.

${germanFooterText}
`,
      html: `<p>Hallo {{firstName|zusammen}},</p>
<p>vor einigen Tagen haben wir Sie gefragt, wie wahrscheinlich Sie uns weiterempfehlen. Wenn Sie eine
Minute haben, hilft Ihre Antwort dem Team, das {{accountName|Ihr Konto}} betreut.</p>
<p><a href="{{surveyLink}}">Zur Umfrage</a></p>
<p>Vielen Dank.</p>
${germanFooterHtml}
`,
    },
    thankYou: {
      subject: 'Vielen Dank für Ihre Antwort',
      text: `Hallo {{firstName|zusammen}},

vielen Dank, dass Sie an unserer Umfrage teilgenommen haben. Das Team, das {{accountName|Ihr Konto}} betreut, liest jede Antwort.

${germanFooterText}
`,
      html: `<p>Hallo {{firstName|zusammen}},</p>
<p>vielen Dank, dass Sie an unserer Umfrage teilgenommen haben. Das Team, das {{accountName|Ihr Konto}} betreut, liest jede Antwort.</p>
${germanFooterHtml}
`,
    },
  },
};

/** The shipped texts by language code. */
export const builtInTexts: Readonly<Record<string, BuiltInTexts>> = { en: english, de: german };

/** The shipped texts for a language (by its code, then its primary subtag), or null when none ship. */
export function builtInFor(language: string): BuiltInTexts | null {
  return builtInTexts[language] ?? builtInTexts[language.split('-')[0]!] ?? null;
}

/** A survey's own email texts: its default language's, and each translation's. */
export type EmailsOfSurvey = {
  language: string;
  emails: Partial<Record<EmailKind, Partial<EmailTemplate> | undefined>>;
  translations: Record<string, { emails?: Partial<Record<EmailKind, Partial<EmailTemplate> | undefined>> | undefined }>;
};

/**
 * An email of a survey in a language, each of its texts taken from the first that sets it: the
 * survey's translation into that language (its own emails for the default language), the shipped
 * email of that language, the survey's default-language email, the shipped email of that, English.
 */
export function emailFor(survey: EmailsOfSurvey, lang: string, kind: EmailKind): EmailTemplate {
  const own = lang === survey.language ? survey.emails[kind] : survey.translations[lang]?.emails?.[kind];
  const chain = [own, builtInFor(lang)?.emails[kind], survey.emails[kind], builtInFor(survey.language)?.emails[kind], builtInTexts.en!.emails[kind]];
  const pick = (field: keyof EmailTemplate) => chain.find((c) => c?.[field] !== undefined)![field]!;
  return { subject: pick('subject'), html: pick('html'), text: pick('text') };
}
