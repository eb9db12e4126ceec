import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ErrorCode } from '../../../core/errors.ts';
import { csvSource } from '../../../core/records/csv-source.ts';
import type { SourceItem } from '../../../core/records/source.ts';
import type { SalesforceApi } from './api.ts';

/*
 * The two ways records leave Salesforce. REST query pages (up to 2,000 records each, followed by
 * nextRecordsUrl) cost one call per page and start at once; Bulk API 2.0 query jobs cost a few
 * calls to open and poll and then one per result page of up to `bulkPageSize` records. Both run as
 * queryAll, so deleted records (IsDeleted = true) come along for the loader to remove.
 */

export type QueryTuning = {
  /** At most this many records per Bulk API 2.0 result page (the `maxRecords` parameter). */
  bulkPageSize: number;
  /**
   * About this many bytes per Bulk result page: `maxRecords` is cut to fit, from the record width
   * the previous page showed (the first page guesses 100 bytes a column, unless told), so a wide object reads
   * in more, smaller pages and the memory a page takes stays flat.
   */
  bulkPageBytes: number;
  /** A Bulk job that ends Failed or Aborted is opened anew until this many have ended so; then the run fails. */
  bulkJobAttempts: number;
  /** First wait between polls of a Bulk job; it grows by half each time, to at most 10 s. */
  pollIntervalMs: number;
  /** A longer field in a Bulk result is a row error; unset: the CSV reader's default. */
  maxFieldBytes?: number;
};

type QueryResult = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] };

/** How many records a condition selects (deleted ones included) and the newest SystemModstamp among them: one call. */
export async function countSince(api: SalesforceApi, object: string, where: string): Promise<{ count: number; newest: Date | null }> {
  const answer = await api.json<QueryResult>('GET', `/queryAll?q=${encodeURIComponent(`SELECT COUNT(Id) n, MAX(SystemModstamp) newest FROM ${object}${where}`)}`);
  const row = answer.records[0] as { n?: number; newest?: string | null } | undefined;
  return { count: row?.n ?? 0, newest: row?.newest ? parseStamp(row.newest) : null };
}

/** A SystemModstamp as REST (`...000+0000`) or Bulk (`...000Z`) writes it. */
export function parseStamp(stamp: string): Date {
  // REST writes +0000 where ISO 8601 (and Date.parse) wants +00:00.
  return new Date(Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')));
}

/**
 * A record's line is the one it would have in the Bulk CSV of the same query: its place in the
 * object, after the header line; so a row error names the same line whichever API read it.
 */
const headerLines = 1;

/** Records by REST query pages, each flattened to the select list's paths (`Parent.Id` read from `Parent: { Id }`). */
export async function* restQuery(api: SalesforceApi, name: string, fields: readonly string[], soql: string): AsyncGenerator<SourceItem> {
  let path: string | undefined = `/queryAll?q=${encodeURIComponent(soql)}`;
  let line = headerLines;
  while (path) {
    const page = JSON.parse(await api.text(path, { 'sforce-query-options': 'batchSize=2000' }), numbersAsWritten) as QueryResult;
    for (const record of page.records) yield { kind: 'record', origin: { source: name, line: ++line }, values: flatten(record, fields) };
    path = page.done ? undefined : page.nextRecordsUrl;
  }
}

/**
 * A JSON number kept as the text Salesforce wrote: a double holds 15 to 17 digits, so a currency
 * of 18 (1234567890123456.78) would come out rounded, where Bulk's CSV has every digit.
 */
function numbersAsWritten(_key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && context?.source !== undefined ? context.source : value;
}

function flatten(record: Record<string, unknown>, fields: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) {
    let value: unknown = record;
    for (const part of field.split('.')) value = value === null || value === undefined ? null : (value as Record<string, unknown>)[part];
    values[field] = value === null || value === undefined ? '' : String(value);
  }
  return values;
}

type JobInfo = { id: string; state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted'; errorMessage?: string };

/** Opens a Bulk API 2.0 query job; Salesforce starts on it at once, so jobs of several objects run side by side. */
export async function openBulkJob(api: SalesforceApi, soql: string, operation: 'query' | 'queryAll'): Promise<string> {
  return (await api.json<JobInfo>('POST', '/jobs/query', { operation, query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' })).id;
}

/** A Bulk job as opened, and how to open the same query again when Salesforce gives up on it. */
export type BulkJob = { id: string; reopen: () => Promise<string> };

/** Waits for a job to complete; one that ends Failed or Aborted is replaced by a new job, up to `bulkJobAttempts` in all. */
async function completedJob(api: SalesforceApi, name: string, job: BulkJob, tuning: QueryTuning): Promise<string> {
  let jobId = job.id;
  for (let attempt = 1; ; attempt++) {
    let wait = tuning.pollIntervalMs;
    let info = await api.json<JobInfo>('GET', `/jobs/query/${jobId}`);
    while (info.state === 'UploadComplete' || info.state === 'InProgress') {
      await sleep(wait);
      wait = Math.min(wait * 1.5, 10_000);
      info = await api.json<JobInfo>('GET', `/jobs/query/${jobId}`);
    }
    if (info.state === 'JobComplete') return jobId;
    if (attempt >= tuning.bulkJobAttempts) {
      const times = attempt === 1 ? '' : ` ${attempt} times, a new job each time`;
      throw new AppError(ErrorCode.SALESFORCE_API_ERROR, `${name}: the Bulk API query job ended ${info.state}${times}: ${info.errorMessage?.trim() || 'no reason given'}`);
    }
    jobId = await job.reopen();
  }
}

/**
 * A Bulk job's records, once it completes. Result pages are walked here by their Sforce-Locator
 * (jsforce's own bulk2 reader mixes pages up: jsforce issues #1546, #1693), each page a complete
 * CSV with its own header, parsed as it streams. A page that breaks off is requested again with
 * the same locator and the records already passed on are skipped.
 */
export async function* bulkQuery(api: SalesforceApi, name: string, columns: number, job: BulkJob, tuning: QueryTuning, bytesPerColumn = 100): AsyncGenerator<SourceItem> {
  const jobId = await completedJob(api, name, job, tuning);
  let bytesPerRecord = bytesPerColumn * columns;
  let locator = '';
  let line = headerLines;
  do {
    const maxRecords = Math.max(1, Math.min(tuning.bulkPageSize, Math.floor(tuning.bulkPageBytes / bytesPerRecord)));
    const path = `/jobs/query/${jobId}/results?maxRecords=${maxRecords}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`;
    const attempts = api.attempts(`GET /jobs/query/${jobId}/results`);
    let passed = 0;
    for (;;) {
      try {
        const page = await api.open(path);
        const size = { bytes: 0 };
        const records = await csvSource(name, counted(page.body, size), tuning.maxFieldBytes === undefined ? {} : { maxFieldBytes: tuning.maxFieldBytes });
        let skip = passed;
        for await (const item of records.items) {
          if (skip > 0) {
            skip--;
            continue;
          }
          passed++;
          // The CSV reader numbers lines within its page; the run wants the record's place in the object.
          item.origin.line = ++line;
          yield item;
        }
        locator = page.headers.get('sforce-locator') ?? 'null';
        if (passed > 0) bytesPerRecord = Math.max(1, size.bytes / passed);
        break;
      } catch (error) {
        // The CSV reader reports a body that broke off as unreadable, with fetch's TypeError as the cause.
        await attempts.failed(error instanceof AppError && error.cause instanceof TypeError ? error.cause : error);
      }
    }
  } while (locator !== 'null');
}

/** The body passed through as it is read, its bytes added up. */
function counted(body: Readable, size: { bytes: number }): Readable {
  return Readable.from(
    (async function* () {
      for await (const chunk of body) {
        size.bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    })(),
    { objectMode: false },
  );
}
