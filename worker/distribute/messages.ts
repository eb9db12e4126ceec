import type { MailMessage } from '../../core/mail.ts';
import { chooseLanguage, localize } from '../../core/surveys/languages.ts';
import type { Survey } from '../../core/surveys/queries.ts';
import { render, renderSubject } from '../../core/surveys/template.ts';
import { emailFor, type EmailKind, type EmailTemplate } from '../../core/surveys/texts.ts';

/** Who a survey email goes to, and what it says about them. `language` is the value of the survey's language attribute. */
export type Addressee = {
  email: string;
  token: string;
  firstName: string | null;
  lastName: string | null;
  accountName: string | null;
  language: string | null;
};

type LocalTemplate = { template: EmailTemplate; surveyTitle: string; lang: string };

/** Templates resolved once per survey, language and kind: a distribution renders thousands of messages from a handful. */
const resolved = new WeakMap<Survey, Map<string, LocalTemplate>>();

/** The template of `kind` in the addressee's language, with the survey's title in it. */
export function localTemplate(survey: Survey, addressee: Pick<Addressee, 'language'>, kind: EmailKind): LocalTemplate {
  const lang = chooseLanguage(survey, [addressee.language]);
  const bySurvey = resolved.get(survey) ?? new Map<string, LocalTemplate>();
  resolved.set(survey, bySurvey);
  const key = `${lang} ${kind}`;
  const found = bySurvey.get(key) ?? { template: emailFor(survey, lang, kind), surveyTitle: localize(survey, lang).title, lang };
  bySurvey.set(key, found);
  return found;
}

/**
 * A survey email rendered for one addressee: its survey link opens `surveyToken` (the addressee's
 * own, or an anonymous distribution's), its opt-out link the addressee's token, which mail clients
 * also offer as one-click unsubscribe (RFC 8058).
 */
export function surveyMessage(
  publicUrl: string,
  email: { from: string; template: EmailTemplate; surveyTitle: string; surveyToken: string; messageId: string; lang?: string },
  to: Addressee,
): MailMessage {
  const optOutLink = `${publicUrl}/o/${to.token}`;
  const values = {
    firstName: to.firstName,
    lastName: to.lastName,
    accountName: to.accountName,
    surveyTitle: email.surveyTitle,
    surveyLink: `${publicUrl}/s/${email.surveyToken}`,
    optOutLink,
  };
  return {
    from: email.from,
    to: to.email,
    subject: renderSubject(email.template.subject, values),
    html: render(email.template.html, values, 'html'),
    text: render(email.template.text, values, 'text'),
    messageId: email.messageId,
    headers: {
      'List-Unsubscribe': `<${optOutLink}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      ...(email.lang ? { 'Content-Language': email.lang } : {}),
    },
  };
}
