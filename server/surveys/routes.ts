import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import express, { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Db, Queryable } from '../../core/db.ts';
import { AppError, ErrorCode, describeIssues, isAppError } from '../../core/errors.ts';
import { findOutboxHtml, listOutbox } from '../../core/outbox.ts';
import { findDistribution, listDistributions, listRecipients } from '../../core/surveys/distributions.ts';
import { createSurvey, findSurvey, listSurveys, parseSurvey, updateSurvey } from '../../core/surveys/queries.ts';
import { answersCsv, listAnswers, type AnswerFilter } from '../../core/surveys/answers.ts';
import { RecipientState } from '../../core/states.ts';
import { findUpload } from '../../core/uploads/queries.ts';
import { asBadRequest, uploadBytes } from '../../core/uploads/read-upload.ts';
import { languagesOf, localize } from '../../core/surveys/languages.ts';
import { languageCodeMessage, languageCodePattern } from '../../core/surveys/language-codes.ts';
import { messagePage, surveyPage } from './pages.ts';
import { surveyPageCsp } from './public-routes.ts';
import type { SendQueue } from '../../core/surveys/create-distribution.ts';
import { distributeManually } from '../../core/surveys/manual-distribution.ts';
import { listSurveyResponses } from '../../core/surveys/responses.ts';
import { csvSource } from '../../core/records/csv-source.ts';
import type { Origin, RecordSource, SourceItem } from '../../core/records/source.ts';
import { importResponses, parseResponseMapping } from '../../core/surveys/import-responses.ts';
import { containsPattern, idParam, pageQuery, parseBody, parseQuery } from '../query-params.ts';

export const distributionsQuery = z.object({
  directory: z.string().regex(/^[1-9]\d{0,15}$/, 'must be a directory id').transform(Number).optional().describe("only the distributions to this directory's contacts"),
  survey: z.string().regex(/^[1-9]\d{0,15}$/, 'must be a survey id').transform(Number).optional(),
  run: z.string().regex(/^[1-9]\d{0,15}$/, 'must be a run id').transform(Number).optional().describe('the distributions of the mailing list this run loaded'),
});

/** The preview's language: the survey's default or one of its translations'. */
export const previewLanguageQuery = z.object({
  lang: z.string().trim().toLowerCase().regex(languageCodePattern, `must be ${languageCodeMessage}`).optional().describe("the language the page is shown in: the survey's `language` or a key of its `translations`; left out, its default language"),
});
export const previewQuery = previewLanguageQuery.extend({ survey: z.string({ error: 'must be given once: the survey as JSON' }).max(12_000, 'must be at most 12000 characters: preview a larger survey with POST') });

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD');
const score = z.string().regex(/^(10|[0-9])$/, 'must be a score from 0 to 10').transform(Number);

/** The answers list's filters: `survey` is a survey id or `imported`; days are UTC and inclusive. */
export const answersQuery = pageQuery.extend({
  survey: z.union([z.literal('imported'), z.string().regex(/^[1-9]\d{0,15}$/, 'must be a survey id or "imported"').transform(Number)]).optional(),
  minScore: score.default(0),
  maxScore: score.default(10),
  from: day.optional(),
  to: day.optional(),
});

export const recipientsQuery = pageQuery.omit({ directory: true }).extend({
  state: z.enum(Object.values(RecipientState), { error: `must be ${Object.values(RecipientState).join(', ')}` }).optional(),
});

function answerFilter(query: unknown): AnswerFilter & { limit: number; offset: number } {
  const q = parseQuery(answersQuery, query);
  if (q.minScore > q.maxScore) throw new AppError(ErrorCode.BAD_REQUEST, `query parameter "minScore" (${q.minScore}) is above "maxScore" (${q.maxScore})`);
  if (q.from && q.to && q.from > q.to) throw new AppError(ErrorCode.BAD_REQUEST, `query parameter "from" (${q.from}) is after "to" (${q.to})`);
  return { directoryId: q.directory, survey: q.survey ?? null, minScore: q.minScore, maxScore: q.maxScore, from: q.from ?? null, to: q.to ?? null, limit: q.limit, offset: q.offset };
}

/** A kept message's own page: its inline styles and embedded images, nothing that runs or loads from elsewhere, framed by the console only. */
const messageCsp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** Surveys, their distributions and answers, and the local outbox: admin API, under /api. Manual distributions are sent by `queue`'s jobs, from `mailFrom`. */
export function surveyRoutes(db: Db, queue: SendQueue, mailFrom: string): Router {
  const router = Router();

  router.get('/surveys', async (_req, res) => {
    res.json({ items: await listSurveys(db) });
  });
  router.post('/surveys', async (req, res) => {
    res.status(201).json(await createSurvey(db, req.body));
  });
  /**
   * The survey page as a recipient would see it, for texts not saved yet: the console's builder frames
   * GET ?survey=<the survey as JSON> (a frame loads an address; a change needs no Origin check, and
   * this stores nothing), a client may POST the JSON. The page cannot be sent, and a survey that
   * would not save shows why. `?lang=` shows it in one of its languages (the builder's language being edited).
   */
  const preview = (res: Response, input: unknown, lang: string | undefined) => {
    res.set({ 'Content-Security-Policy': surveyPageCsp(true), 'X-Frame-Options': 'SAMEORIGIN', 'Cache-Control': 'no-store' }).type('html');
    try {
      if (input instanceof AppError) throw input;
      const survey = parseSurvey(typeof input === 'object' && input !== null && !Array.isArray(input) ? { name: 'Preview', ...input } : input);
      const now = new Date();
      // Without `lang`, in its default language, as a recipient without a language of their own sees it.
      const languages = languagesOf(survey);
      if (lang !== undefined && !languages.includes(lang)) {
        return res.status(400).send(messagePage('This survey has no such language', `It has no texts in "${lang}": its languages are ${languages.join(', ')}.`));
      }
      res.send(surveyPage(localize({ id: 0, ...survey, createdAt: now, updatedAt: now }, lang ?? survey.language)));
    } catch (error) {
      if (!isAppError(error)) throw error;
      res.status(400).send(messagePage('This survey would not save', error.message));
    }
  };
  router.get('/surveys/preview', (req, res) => {
    const { lang } = parseQuery(previewLanguageQuery, req.query);
    const parsed = previewQuery.safeParse(req.query);
    let input: unknown;
    try {
      input = parsed.success ? JSON.parse(parsed.data.survey) : undefined;
    } catch {
      input = undefined;
    }
    if (typeof input !== 'object' || input === null) return preview(res, new AppError(ErrorCode.BAD_REQUEST, 'query parameter "survey" must be the survey as a JSON object, at most 12000 characters'), lang);
    preview(res, input, lang);
  });
  router.post('/surveys/preview', (req, res) => preview(res, req.body, parseQuery(previewLanguageQuery, req.query).lang));
  router.get('/surveys/:id', async (req, res) => {
    res.json(await findSurvey(db, idParam(req.params.id, 'survey')));
  });
  router.put('/surveys/:id', async (req, res) => {
    res.json(await updateSurvey(db, idParam(req.params.id, 'survey'), req.body));
  });
  router.get('/surveys/:id/responses', async (req, res) => {
    const surveyId = idParam(req.params.id, 'survey');
    await findSurvey(db, surveyId);
    const { limit, offset } = parseQuery(pageQuery, req.query);
    res.json({ ...(await listSurveyResponses(db, surveyId, { limit, offset })), limit, offset });
  });

  router.get('/distributions', async (req, res) => {
    const { directory, survey, run } = parseQuery(distributionsQuery, req.query);
    res.json({ items: await listDistributions(db, { directoryId: directory ?? null, surveyId: survey ?? null, runId: run ?? null }) });
  });
  router.post('/distributions', async (req, res) => {
    const { created, distribution } = await distributeManually(db, queue, { input: req.body, mailFrom, pattern: (search) => containsPattern(search)! });
    res.status(created ? 201 : 200).json(distribution);
  });
  router.get('/distributions/:id', async (req, res) => {
    res.json(await findDistribution(db, idParam(req.params.id, 'distribution')));
  });
  router.get('/distributions/:id/recipients', async (req, res) => {
    const id = idParam(req.params.id, 'distribution');
    await findDistribution(db, id);
    const { state, limit, offset } = parseQuery(recipientsQuery, req.query);
    res.json({ ...(await listRecipients(db, id, { state: state ?? null, limit, offset })), limit, offset });
  });

  router.get('/responses', async (req, res) => {
    const { limit, offset, ...filter } = answerFilter(req.query);
    res.json({ ...(await listAnswers(db, filter, { limit, offset })), limit, offset });
  });
  /** The answers the same filters select, all of them, streamed as CSV for a spreadsheet. */
  router.get('/responses.csv', async (req, res) => {
    const { limit: _limit, offset: _offset, ...filter } = answerFilter(req.query);
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="answers.csv"' });
    await db.tx(async (tx) => {
      for await (const line of answersCsv(tx, filter)) res.write(`${line}\n`);
    });
    res.end();
  });

  router.get('/outbox', async (req, res) => {
    const { limit, offset } = parseQuery(pageQuery, req.query);
    res.json({ ...(await listOutbox(db, { limit, offset })), limit, offset });
  });

  /**
   * One message's HTML as a document of its own, for the console's sandboxed frame: its policy lets
   * the message's inline styles apply (a frame of the console's own page would take the console's
   * policy, which refuses them) and runs no script even when the address is opened directly.
   */
  router.get('/outbox/:id/body', async (req, res) => {
    const id = idParam(req.params.id, 'outbox message');
    const body = await findOutboxHtml(db, id);
    if (body === null) throw new AppError(ErrorCode.NOT_FOUND, `outbox message ${id} does not exist or has no HTML body`);
    res
      .set({ 'Content-Security-Policy': messageCsp, 'X-Frame-Options': 'SAMEORIGIN', 'Cache-Control': 'no-store' })
      .type('html')
      .send(body);
  });

  return router;
}

/** One answer of an NPS history posted as JSON. */
export const postedResponse = z.strictObject({
  contactId: z.string(),
  accountId: z.string().optional(),
  score: z.number(),
  comment: z.string().max(5000).optional(),
  respondedAt: z.string(),
});
export const postedResponses = z.strictObject({ directoryId: z.number().int().positive().default(1), responses: z.array(z.unknown()).min(1).max(100_000) });

export const uploadImport = z.strictObject({
  upload: z.number().int().positive(),
  directoryId: z.number().int().positive().default(1),
  /** The upload's column names and time format, as `npm run load -- --responses-mapping` takes them. */
  mapping: z.record(z.string(), z.unknown()).default({}),
});

/** The most a JSON body may hold: it is parsed whole, so larger histories come as CSV or NDJSON, which are streamed. */
const jsonLimitMb = 20;

/**
 * Brings an NPS history in: `POST /api/responses` with a CSV body (`text/csv`, the columns of
 * `npm run load -- --responses`), NDJSON (`application/x-ndjson`, one answer object per line), or
 * JSON `{ responses: [{ contactId, accountId, score, comment, respondedAt }] }` of at most 20 MB.
 * CSV and NDJSON are read as they arrive, so their size is not limited. All import in one
 * transaction, as the CLI does, and answer with the counts and the rejected rows (CSV or NDJSON
 * lines, or JSON items counted from 1).
 */
export function responseImportRoutes(db: Db): Router {
  const router = Router();
  const json = express.json({ limit: `${jsonLimitMb}mb` });
  const boundedJson: RequestHandler = (req, res, next) =>
    json(req, res, (error?: unknown) => {
      if ((error as { type?: string } | undefined)?.type !== 'entity.too.large') return next(error);
      next(new AppError(ErrorCode.BAD_REQUEST, `a JSON body is at most ${jsonLimitMb} MB: send a larger history as CSV (text/csv) or NDJSON (application/x-ndjson), which are streamed`, { status: 413, cause: error }));
    });

  router.post('/', boundedJson, async (req, res) => {
    const { directory: directoryParam, ...mappingParams } = req.query;
    const directory = z.coerce.number().int().positive().default(1).safeParse(directoryParam);
    if (!directory.success) throw new AppError(ErrorCode.BAD_REQUEST, 'query parameter "directory" must be a directory id');
    // A CSV body's own column names, and the time format of any body, come as query parameters.
    const mapping = parseResponseMapping(mappingParams, 'in the query');
    if (req.is('text/csv')) {
      res.json(await importResponses(db, directory.data, await csvSource('the CSV body', req), mapping));
      return;
    }
    const { dateFormat } = mapping;
    const times = dateFormat ? { dateFormat } : {};
    if (req.is('application/x-ndjson')) {
      res.json(await importResponses(db, directory.data, ndjsonSource(req), times));
      return;
    }
    if (!req.is('application/json')) throw new AppError(ErrorCode.BAD_REQUEST, 'send the responses as text/csv, application/x-ndjson or application/json', { status: 415 });
    const parsed = postedResponses.safeParse(req.body);
    if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, `invalid body: ${describeIssues(parsed.error)}`);
    res.json(await importResponses(db, parsed.data.directoryId, jsonSource(parsed.data.responses), times));
  });

  /** An uploaded CSV (Connections → Uploaded files) as the history, with its own column names and time format. */
  router.post('/from-upload', express.json({ limit: '16kb' }), async (req, res) => {
    const { upload: uploadId, directoryId, mapping } = parseBody(uploadImport, req.body, 'import from an upload');
    const upload = await findUpload(db, uploadId);
    if (!upload) throw new AppError(ErrorCode.NOT_FOUND, `upload ${uploadId} does not exist`);
    const bytes = uploadBytes(db, upload);
    try {
      const mappingRead = parseResponseMapping(mapping, 'in the body');
      res.json(await importResponses(db, directoryId, await csvSource(upload.name, bytes).catch(asBadRequest), mappingRead).catch(asBadRequest));
    } finally {
      bytes.destroy();
    }
  });

  return router;
}

const postedColumns = ['Contact.Id', 'Account.Id', 'Score', 'Comment', 'Responded_At'];

/** A posted answer in the import's CSV column names; an item that is not an answer is a row error. */
function postedItem(item: unknown, origin: Origin): SourceItem {
  const parsed = postedResponse.safeParse(item);
  if (!parsed.success) return { kind: 'error', origin, code: 'INVALID_ITEM', message: describeIssues(parsed.error, 'item') };
  const r = parsed.data;
  return {
    kind: 'record',
    origin,
    values: { 'Contact.Id': r.contactId, 'Account.Id': r.accountId ?? '', Score: String(r.score), Comment: r.comment ?? '', Responded_At: r.respondedAt },
  };
}

/** Posted JSON answers as the import's record source. */
function jsonSource(items: unknown[]): RecordSource {
  async function* records(): AsyncGenerator<SourceItem> {
    for (const [i, item] of items.entries()) yield postedItem(item, { source: 'the JSON body', line: i + 1 });
  }
  return { name: 'the JSON body', columns: postedColumns, items: records() };
}

/** An NDJSON body read line by line as it arrives (https://github.com/ndjson/ndjson-spec): blank lines are skipped. */
function ndjsonSource(body: Readable): RecordSource {
  const source = 'the NDJSON body';
  async function* records(): AsyncGenerator<SourceItem> {
    let line = 0;
    for await (const text of createInterface({ input: body, crlfDelay: Infinity })) {
      line += 1;
      if (text.trim() === '') continue;
      let item: unknown;
      try {
        item = JSON.parse(text);
      } catch {
        yield { kind: 'error', origin: { source, line }, code: 'INVALID_JSON', message: 'the line is not a JSON object' };
        continue;
      }
      yield postedItem(item, { source, line });
    }
  }
  return { name: source, columns: postedColumns, items: records() };
}
