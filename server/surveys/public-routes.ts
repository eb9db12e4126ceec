import express, { Router, type Request, type Response } from 'express';
import type { AnswerJobs } from '../../core/alerts/answer-jobs.ts';
import type { Queryable } from '../../core/db.ts';
import type { SurveyJobs } from '../../core/surveys/follow-ups.ts';
import type { Logger } from '../../core/log.ts';
import { chooseLanguage, localize } from '../../core/surveys/languages.ts';
import { findSurveyLink, optOut, recipientLanguage, submitAnswer, type Answer, type SurveyLink } from '../../core/surveys/responses.ts';
import { builtInFor, builtInTexts } from '../../core/surveys/texts.ts';
import { expiredPage, messagePage, optOutPage, surveyPage, thanksPage, type PageSurvey } from './pages.ts';
import { recordOpen } from '../../core/surveys/distributions.ts';

/** Tokens are base64url; anything else opens nothing, without a database round trip. */
const tokenPattern = /^[A-Za-z0-9_-]{16,64}$/;

/** A survey page's policy: inline CSS, no script, a logo from an https address; `preview` is the console's framed, unsendable copy. */
export function surveyPageCsp(preview = false): string {
  return `default-src 'none'; style-src 'unsafe-inline'; img-src https:; base-uri 'none'; ${preview ? "form-action 'none'; frame-ancestors 'self'; sandbox" : "form-action 'self'; frame-ancestors 'none'"}`;
}

function html(res: Response, status: number, body: string): void {
  // A survey page is personal: no shared cache keeps it, and no other site frames it. Its CSS is inline; it has no script.
  res
    .status(status)
    .set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': surveyPageCsp() })
    .type('html')
    .send(body);
}

const notFound = messagePage('Survey not found', 'This link does not open a survey. Please check that it was copied whole.');

/** A submitted form read into an answer, or the message that tells the person what to fix. */
function readAnswer(survey: PageSurvey, form: Record<string, unknown>): { answer: Partial<Answer>; error?: string } {
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const score = /^(10|[0-9])$/.test(field('score')) ? Number(field('score')) : undefined;
  const answers: Record<string, number> = {};
  for (const q of survey.extraQuestions) {
    const raw = field(`q_${q.key}`);
    if (raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < q.min || value > q.max) return { answer: { answers }, error: survey.page.chooseAnswer(q.min, q.max, q.text) };
    answers[q.key] = value;
  }
  const comment = survey.commentQuestion ? field('comment').slice(0, 5000) || null : null;
  if (score === undefined) return { answer: { comment, answers }, error: survey.page.chooseScore };
  return { answer: { score, comment, answers } };
}

/** A time as the page's language writes it, in UTC (the page knows nothing of the reader's zone). */
function timeIn(lang: string, time: Date): string {
  return new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(time);
}

function changeNote(link: SurveyLink, survey: PageSurvey): string | undefined {
  if (link.kind !== 'individual' || !link.answer) return undefined;
  return survey.page.answeredOn(timeIn(survey.lang, link.answer.respondedAt), timeIn(survey.lang, link.answer.changeableUntil));
}

/** The link's survey in the language asked for (`?lang=`, from the page's language links), else the contact's, else its default. */
function surveyIn(link: SurveyLink, req: Request): PageSurvey {
  const asked = typeof req.query.lang === 'string' ? req.query.lang.slice(0, 20) : null;
  return localize(link.survey, chooseLanguage(link.survey, [asked, link.kind === 'individual' ? link.contactLanguage : null]));
}

/** What a link no longer open to answers shows: the answer it took, or that it expired. Null while it is open. */
function closedPage(link: SurveyLink, survey: PageSurvey, now: Date): { status: number; body: string } | null {
  if (link.kind !== 'individual') return null;
  if (link.answer && (link.answer.changeableUntil < now || link.expiresAt <= now)) return { status: 200, body: thanksPage(survey, survey.page.recorded(timeIn(survey.lang, link.answer.respondedAt))) };
  if (link.expiresAt <= now) return { status: 410, body: expiredPage(survey, timeIn(survey.lang, link.expiresAt)) };
  return null;
}

/**
 * What recipients and the person trying the product open in a browser, outside /api: the survey
 * behind a link and its opt-out. `now` is the clock links expire by; `jobs` hears of each first answer (its thank-you).
 */
export function surveyPageRoutes(db: Queryable, options: { answerJobs: AnswerJobs; jobs: SurveyJobs; now: () => Date; logger: Logger }): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 });

  router.get('/s/:token', async (req, res) => {
    const link = tokenPattern.test(req.params.token) ? await findSurveyLink(db, req.params.token) : null;
    if (!link) return html(res, 404, notFound);
    const survey = surveyIn(link, req);
    const closed = closedPage(link, survey, options.now());
    if (closed) return html(res, closed.status, closed.body);
    const answer = link.kind === 'individual' && link.answer ? link.answer : undefined;
    await recordOpen(db, link.kind === 'individual' ? { distributionId: link.distributionId, recipientId: link.recipientId } : link);
    const note = changeNote(link, survey);
    html(res, 200, surveyPage(survey, { ...(answer ? { answer } : {}), ...(note ? { note } : {}) }));
  });

  router.post('/s/:token', form, async (req, res) => {
    const link = tokenPattern.test(req.params.token) ? await findSurveyLink(db, req.params.token) : null;
    if (!link) return html(res, 404, notFound);
    const survey = surveyIn(link, req);
    // An expired link takes no answer; one answered before keeps answering within its change window.
    if (link.kind === 'individual' && !link.answer && link.expiresAt <= options.now()) return html(res, 410, expiredPage(survey, timeIn(survey.lang, link.expiresAt)));
    const read = readAnswer(survey, (req.body ?? {}) as Record<string, unknown>);
    if (read.error) return html(res, 400, surveyPage(survey, { answer: read.answer, error: read.error }));
    const submitted = await submitAnswer(db, link, read.answer as Answer);
    if (submitted.outcome === 'closed') return html(res, 409, thanksPage(survey, survey.page.keptEarlier));
    // Queued before the thanks: should queueing fail, the person sees an error and sends again, which queues it then.
    await options.answerJobs.stored(submitted.responseId);
    // The answer is stored: a thank-you that could not be asked for is logged, not shown to the person as a failure.
    if (submitted.outcome === 'stored' && link.kind === 'individual') {
      await options.jobs.answered(link.recipientId).catch((error: unknown) => options.logger.error({ err: error, recipientId: link.recipientId }, 'the thank-you email was not queued'));
    }
    html(res, 200, thanksPage(survey, submitted.outcome === 'updated' ? survey.page.updated : undefined));
  });

  /** The opt-out page's words in the recipient's language (English for a token that names nobody: it asks, and the post then says so). */
  const optOutText = async (token: string) => {
    const lang = (await recipientLanguage(db, token)) ?? 'en';
    return { lang, text: (builtInFor(lang) ?? builtInTexts.en!).page };
  };

  router.get('/o/:token', async (req, res) => {
    if (!tokenPattern.test(req.params.token)) return html(res, 404, notFound);
    const { text, lang } = await optOutText(req.params.token);
    html(res, 200, optOutPage(text, lang, false));
  });

  // Also the target of one-click List-Unsubscribe (RFC 8058), which posts without a form.
  router.post('/o/:token', form, async (req, res) => {
    const known = tokenPattern.test(req.params.token) && (await optOut(db, req.params.token));
    if (!known) return html(res, 404, notFound);
    const { text, lang } = await optOutText(req.params.token);
    html(res, 200, optOutPage(text, lang, true));
  });

  return router;
}
