import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode, describeIssues } from '../../core/errors.ts';
import { findOutboxHtml, listOutbox } from '../../core/outbox.ts';
import { findDistribution, listDistributions, listRecipients } from '../../core/surveys/distributions.ts';
import { RecipientState } from '../../core/states.ts';
import type { SendQueue } from '../../core/surveys/create-distribution.ts';
import { distributeManually } from '../../core/surveys/manual-distribution.ts';
import { createSurvey, findSurvey, listSurveys, updateSurvey } from '../../core/surveys/queries.ts';
import { listSurveyResponses } from '../../core/surveys/responses.ts';
import { csvSource } from '../../core/records/csv-source.ts';
import type { Origin, RecordSource, SourceItem } from '../../core/records/source.ts';
import { importResponses, parseResponseMapping } from '../../core/surveys/import-responses.ts';
import { containsPattern, idParam, pageQuery, parseQuery } from '../query-params.ts';

export const distributionsQuery = z.object({
  survey: z.string().regex(/^[1-9]\d{0,15}$/, 'must be a survey id').transform(Number).optional(),
  run: z.string().regex(/^[1-9]\d{0,15}$/, 'must be a run id').transform(Number).optional().describe('the distributions of the mailing list this run loaded'),
});

export const recipientsQuery = pageQuery.omit({ directory: true }).extend({
  state: z.enum(Object.values(RecipientState)).optional().describe('only the recipients in this state, e.g. skipped'),
});

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
    const { survey, run } = parseQuery(distributionsQuery, req.query);
    res.json({ items: await listDistributions(db, { surveyId: survey ?? null, runId: run ?? null }) });
  });
  router.post('/distributions', async (req, res) => {
    const { created, distribution } = await distributeManually(db, queue, { input: req.body, mailFrom, pattern: (search) => containsPattern(search)! });
    res.status(created ? 201 : 200).json(distribution);
  });
  router.get('/distributions/:id', async (req, res) => {
    res.json(await findDistribution(db, idParam(req.params.id, 'distribution')));
  });

  router.get('/distributions/:id/recipients', async (req, res) => {
    const { state, limit, offset } = parseQuery(recipientsQuery, req.query);
    res.json(await listRecipients(db, idParam(req.params.id, 'distribution'), { state, limit, offset }));
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
