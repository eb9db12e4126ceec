import { z } from 'zod';
import { builtInFor, builtInTexts, emailKinds, type EmailKind, type PageText } from './texts.ts';
import { unknownPlaceholders } from './template.ts';
import { languageCodeMessage, languageCodePattern } from './language-codes.ts';

/*
 * A survey in several languages. Its own texts are in its default language; `translations` holds
 * them in others, each text left out taken from the default language. Which language a contact
 * gets: the contact attribute the survey names (e.g. `language` from Salesforce) when the survey
 * has that language, else the survey's default.
 */

/** A language code as BCP 47 writes it, lower case: "de", "en", "pt-br". */
export const languageCode = z
  .string()
  .trim()
  .toLowerCase()
  .regex(languageCodePattern, languageCodeMessage);

const text = (max: number) => z.string().trim().min(1).max(max);
const template = z.string().trim().min(1).max(20_000).refine((t) => unknownPlaceholders(t).length === 0, {
  error: (issue) => `unknown placeholder ${unknownPlaceholders(String(issue.input)).map((p) => `{{${p}}}`).join(', ')}`,
});

/** An email's texts; each one left out comes from the shipped email of the language. */
const body = template.refine((t) => /\{\{\s*optOutLink/.test(t), 'a body has an {{optOutLink}}: every survey email lets its reader opt out');
export const emailTextsSchema = z.strictObject({ subject: text(300).optional(), html: body.optional(), text: body.optional() });
/** The invitation, reminder and thank-you emails' texts of one language. */
export const emailSetSchema = z.strictObject(Object.fromEntries(emailKinds.map((k) => [k, emailTextsSchema.optional()])) as Record<EmailKind, z.ZodOptional<typeof emailTextsSchema>>);
export type EmailSet = z.infer<typeof emailSetSchema>;

/** The words at the two ends of the 0-10 scale. */
export const scaleLabelsSchema = z.strictObject({ min: text(60).optional(), max: text(60).optional() });

/** A survey's texts in one more language: each one left out is the default language's. */
export const translationSchema = z.strictObject({
  title: text(200).optional(),
  question: text(500).optional(),
  commentQuestion: text(500).optional(),
  thankYou: text(1000).optional(),
  scaleLabels: scaleLabelsSchema.optional(),
  /** By the extra question's key. */
  extraQuestions: z.record(z.string(), z.strictObject({ text: text(500).optional(), minLabel: text(60).optional(), maxLabel: text(60).optional() })).optional(),
  emails: emailSetSchema.optional(),
});
export type Translation = z.infer<typeof translationSchema>;

/** What of a survey its languages need. */
export type MultilingualSurvey = {
  title: string;
  question: string;
  commentQuestion: string | null;
  thankYou: string;
  extraQuestions: { key: string; text: string; min: number; max: number; minLabel?: string | undefined; maxLabel?: string | undefined }[];
  language: string;
  scaleLabels: z.infer<typeof scaleLabelsSchema>;
  emails: EmailSet;
  translations: Record<string, Translation>;
};

/** Every language a survey has: its default first, then its translations'. */
export function languagesOf(survey: Pick<MultilingualSurvey, 'language' | 'translations'>): string[] {
  return [survey.language, ...Object.keys(survey.translations).filter((l) => l !== survey.language)];
}

/**
 * The first of `wanted` (a language the person asked for, then the contact's attribute) that the
 * survey has, matched whole ("de-ch") or by its primary subtag ("de"); else the survey's default.
 */
export function chooseLanguage(survey: Pick<MultilingualSurvey, 'language' | 'translations'>, wanted: (string | null | undefined)[]): string {
  const languages = languagesOf(survey);
  for (const candidate of wanted) {
    const code = candidate?.trim().toLowerCase().replace(/_/g, '-');
    if (!code) continue;
    if (languages.includes(code)) return code;
    const primary = code.split('-')[0]!;
    if (languages.includes(primary)) return primary;
  }
  return survey.language;
}

/** A survey's texts in one of its languages, with the page's own words in it (English when none ship). */
export type LocalizedSurvey<S extends MultilingualSurvey> = S & { lang: string; languages: string[]; page: PageText };

export function localize<S extends MultilingualSurvey>(survey: S, lang: string): LocalizedSurvey<S> {
  const t: Translation = lang === survey.language ? {} : (survey.translations[lang] ?? {});
  const page = (builtInFor(lang) ?? builtInTexts.en!).page;
  // The default language's own scale words are not carried into another language: its shipped ones read better there.
  const scale = lang === survey.language ? survey.scaleLabels : (t.scaleLabels ?? {});
  return {
    ...survey,
    title: t.title ?? survey.title,
    question: t.question ?? survey.question,
    commentQuestion: survey.commentQuestion === null ? null : (t.commentQuestion ?? survey.commentQuestion),
    thankYou: t.thankYou ?? survey.thankYou,
    extraQuestions: survey.extraQuestions.map((q) => ({ ...q, ...definedOnly(t.extraQuestions?.[q.key] ?? {}) })),
    scaleLabels: { min: scale.min ?? page.scaleMin, max: scale.max ?? page.scaleMax },
    lang,
    languages: languagesOf(survey),
    page,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
