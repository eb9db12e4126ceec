import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import { emailSetSchema, languageCode, scaleLabelsSchema, translationSchema } from './languages.ts';

const text = (max: number) => z.string().trim().min(1).max(max);

/** An extra question on a small scale, e.g. a 1-5 CSAT. Its answer is kept under `key`. */
const extraQuestionSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, 'a key is a short identifier, e.g. "csat"'),
  text: text(500),
  min: z.number().int().min(0).max(10).default(1),
  max: z.number().int().min(1).max(10).default(5),
  minLabel: text(60).optional(),
  maxLabel: text(60).optional(),
}).refine((q) => q.min < q.max, { message: 'min is below max' });

/** What a survey is made of: the NPS question, an optional comment and extra questions, and its texts. */
const surveyFields = z.strictObject({
  name: text(100),
  title: text(200).default('Your feedback'),
  question: text(500).default('How likely are you to recommend us to a friend or colleague?'),
  /** Null: the page asks for no comment. */
  commentQuestion: text(500).nullable().default('What is the main reason for your score?'),
  extraQuestions: z.array(extraQuestionSchema).max(10).default([]),
  thankYou: text(1000).default('Thank you for your answer.'),
  /** The page's buttons and chosen scores in this colour (#rrggbb); null: the product's blue. */
  brandColor: z.string().trim().toLowerCase().regex(/^#[0-9a-f]{6}$/, 'a colour is written #rrggbb, e.g. #0b6e4f').nullable().default(null),
  /** A logo above the title: an https address, so the page never loads anything insecure. */
  logoUrl: z.url({ protocol: /^https$/, error: 'a logo is an https:// address' }).max(2000).nullable().default(null),
  /** The language of the texts above. */
  language: languageCode.default('en'),
  /** The contact attribute that holds each contact's language (e.g. "language"); null: everyone gets the default language. */
  languageAttribute: z.string().trim().min(1).max(100).nullable().default(null),
  /** The 0-10 scale's end words in the default language; unset: the shipped ones. */
  scaleLabels: scaleLabelsSchema.default({}),
  /** The invitation, reminder and thank-you emails in the default language; unset texts: the shipped ones. */
  emails: emailSetSchema.default({}),
  /** The texts in other languages, by language code in lower case (keys checked below, so the error names the key). */
  translations: z.record(z.string(), translationSchema).default({}),
  /** Days an individual link takes answers after its invitation is sent; a distribution may set its own. */
  linkExpiryDays: z.number().int().min(1).max(365).default(30),
});

export const surveyInputSchema = surveyFields.superRefine((survey, context) => {
  const keys = new Set<string>();
  survey.extraQuestions.forEach((q, i) => {
    if (keys.has(q.key)) context.addIssue({ code: 'custom', message: `key "${q.key}" is used twice`, path: ['extraQuestions', i, 'key'] });
    keys.add(q.key);
  });
  for (const [language, translation] of Object.entries(survey.translations)) {
    const at = (...path: (string | number)[]) => ['translations', language, ...path];
    const code = languageCode.safeParse(language);
    if (!code.success || code.data !== language) context.addIssue({ code: 'custom', message: 'a language code in lower case, e.g. "de" or "pt-br"', path: at() });
    if (language === survey.language) context.addIssue({ code: 'custom', message: `"${language}" is the survey's own language: its texts are the survey's fields`, path: at() });
    if (translation.commentQuestion && survey.commentQuestion === null) context.addIssue({ code: 'custom', message: 'the survey asks for no comment', path: at('commentQuestion') });
    for (const key of Object.keys(translation.extraQuestions ?? {})) {
      if (!keys.has(key)) context.addIssue({ code: 'custom', message: `no extra question has the key "${key}"`, path: at('extraQuestions', key) });
    }
  }
});

export type SurveyInput = z.input<typeof surveyInputSchema>;
export type ExtraQuestion = z.infer<typeof extraQuestionSchema>;
/** A stored survey as the API shows it. */
export const surveySchema = z.object({ id: z.number().int(), ...surveyFields.shape, createdAt: z.date(), updatedAt: z.date() });
export type Survey = z.infer<typeof surveySchema>;

const columns = `id::int, name, title, question, comment_question as "commentQuestion", extra_questions as "extraQuestions",
  thank_you as "thankYou", language, language_attribute as "languageAttribute", scale_labels as "scaleLabels", emails, translations,
  link_expiry_days as "linkExpiryDays", brand_color as "brandColor", logo_url as "logoUrl", created_at as "createdAt", updated_at as "updatedAt"`;

/** A survey as the form gives it, checked as a save checks it (for a preview of texts not yet saved). */
export function parseSurvey(input: unknown): z.infer<typeof surveyInputSchema> {
  const parsed = surveyInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error, '(survey)');
  throw new AppError(ErrorCode.BAD_REQUEST, `invalid survey: ${issues}`);
}

function languageValues(s: z.infer<typeof surveyInputSchema>): unknown[] {
  return [s.language, s.languageAttribute, JSON.stringify(s.scaleLabels), JSON.stringify(s.emails), JSON.stringify(s.translations), s.linkExpiryDays];
}

export async function createSurvey(db: Queryable, input: unknown): Promise<Survey> {
  const s = parseSurvey(input);
  const [survey] = await db.query<Survey>(
    `insert into surveys (name, title, question, comment_question, extra_questions, thank_you, language, language_attribute, scale_labels, emails, translations, link_expiry_days,
       brand_color, logo_url)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     on conflict (name) do nothing returning ${columns}`,
    [s.name, s.title, s.question, s.commentQuestion, JSON.stringify(s.extraQuestions), s.thankYou, ...languageValues(s), s.brandColor, s.logoUrl],
  );
  if (!survey) throw new AppError(ErrorCode.CONFLICT, `a survey named "${s.name}" already exists`);
  return survey;
}

/** Replaces a survey's texts and questions; answers already given keep what they answered. */
export async function updateSurvey(db: Queryable, id: number, input: unknown): Promise<Survey> {
  const s = parseSurvey(input);
  const rows = await db.query<Survey>(
    `update surveys set name = $2, title = $3, question = $4, comment_question = $5, extra_questions = $6, thank_you = $7,
       language = $8, language_attribute = $9, scale_labels = $10, emails = $11, translations = $12, link_expiry_days = $13,
       brand_color = $14, logo_url = $15, updated_at = now()
     where id = $1 returning ${columns}`,
    [id, s.name, s.title, s.question, s.commentQuestion, JSON.stringify(s.extraQuestions), s.thankYou, ...languageValues(s), s.brandColor, s.logoUrl],
  ).catch((error: { code?: string }) => {
    if (error.code === '23505') throw new AppError(ErrorCode.CONFLICT, `a survey named "${s.name}" already exists`);
    throw error;
  });
  if (!rows[0]) throw new AppError(ErrorCode.NOT_FOUND, `survey ${id} does not exist`);
  return rows[0];
}

export async function listSurveys(db: Queryable): Promise<Survey[]> {
  return db.query<Survey>(`select ${columns} from surveys order by lower(name), id`);
}

export async function findSurvey(db: Queryable, id: number): Promise<Survey> {
  const [survey] = await db.query<Survey>(`select ${columns} from surveys where id = $1`, [id]);
  if (!survey) throw new AppError(ErrorCode.NOT_FOUND, `survey ${id} does not exist`);
  return survey;
}

/** The ids among `ids` that name no survey. */
export async function missingSurveys(db: Queryable, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ id: number }>(
    'select x.id::int from unnest($1::bigint[]) x(id) where not exists (select 1 from surveys s where s.id = x.id)',
    [ids],
  );
  return rows.map((r) => r.id);
}
