import express, { Router, type Response } from 'express';
import type { Queryable } from '../../core/db.ts';
import { findSurveyLink, optOut, submitAnswer, type Answer, type SurveyLink } from '../../core/surveys/responses.ts';
import type { Survey } from '../../core/surveys/queries.ts';
import { recordOpen } from '../../core/surveys/distributions.ts';
import { messagePage, optOutPage, surveyPage, thanksPage } from './pages.ts';

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
function readAnswer(survey: Survey, form: Record<string, unknown>): { answer: Partial<Answer>; error?: string } {
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const score = /^(10|[0-9])$/.test(field('score')) ? Number(field('score')) : undefined;
  const answers: Record<string, number> = {};
  for (const q of survey.extraQuestions) {
    const raw = field(`q_${q.key}`);
    if (raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < q.min || value > q.max) return { answer: { answers }, error: `Please choose an answer from ${q.min} to ${q.max} for "${q.text}".` };
    answers[q.key] = value;
  }
  const comment = survey.commentQuestion ? field('comment').slice(0, 5000) || null : null;
  if (score === undefined) return { answer: { comment, answers }, error: 'Please choose a score from 0 to 10.' };
  return { answer: { score, comment, answers } };
}

function changeNote(link: SurveyLink): string | undefined {
  if (link.kind !== 'individual' || !link.answer) return undefined;
  return `You answered on ${link.answer.respondedAt.toUTCString()}. You can change your answer until ${link.answer.changeableUntil.toUTCString()}.`;
}

/**
 * What recipients and the person trying the product open in a browser, outside /api: the survey
 * behind a link and its opt-out.
 */
export function surveyPageRoutes(db: Queryable): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 });

  router.get('/s/:token', async (req, res) => {
    const link = tokenPattern.test(req.params.token) ? await findSurveyLink(db, req.params.token) : null;
    if (!link) return html(res, 404, notFound);
    if (link.kind === 'individual' && link.answer && link.answer.changeableUntil < new Date()) {
      return html(res, 200, thanksPage(link.survey, `Your answer of ${link.answer.respondedAt.toUTCString()} is recorded.`));
    }
    const answer = link.kind === 'individual' && link.answer ? link.answer : undefined;
    await recordOpen(db, link.kind === 'individual' ? { distributionId: link.distributionId, recipientId: link.recipientId } : link);
    html(res, 200, surveyPage(link.survey, { ...(answer ? { answer } : {}), ...(changeNote(link) ? { note: changeNote(link)! } : {}) }));
  });

  router.post('/s/:token', form, async (req, res) => {
    const link = tokenPattern.test(req.params.token) ? await findSurveyLink(db, req.params.token) : null;
    if (!link) return html(res, 404, notFound);
    const read = readAnswer(link.survey, (req.body ?? {}) as Record<string, unknown>);
    if (read.error) return html(res, 400, surveyPage(link.survey, { answer: read.answer, error: read.error }));
    const outcome = await submitAnswer(db, link, read.answer as Answer);
    if (outcome === 'closed') {
      return html(res, 409, thanksPage(link.survey, `Your earlier answer is kept: an answer can be changed for a day after it is given.`));
    }
    html(res, 200, thanksPage(link.survey, outcome === 'updated' ? 'Your answer is updated.' : undefined));
  });

  router.get('/o/:token', async (req, res) => {
    if (!tokenPattern.test(req.params.token)) return html(res, 404, notFound);
    html(res, 200, optOutPage(false));
  });

  // Also the target of one-click List-Unsubscribe (RFC 8058), which posts without a form.
  router.post('/o/:token', form, async (req, res) => {
    const known = tokenPattern.test(req.params.token) && (await optOut(db, req.params.token));
    if (!known) return html(res, 404, notFound);
    html(res, 200, optOutPage(true));
  });

  return router;
}
