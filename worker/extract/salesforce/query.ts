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
  /** Records per Bulk API 2.0 result page (the `maxRecords` parameter). */
  bulkPageSize: number;
  /** First wait between polls of a Bulk job; it grows by half each time, to at most 10 s. */
  pollIntervalMs: number;
  /** A longer field in a Bulk result is a row error; unset: the CSV reader's default. */
  maxFieldBytes?: number;
};

type QueryResult = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] };

/** How many records a query would return, counted by Salesforce (deleted ones included): one call. */
export async function countRecords(api: SalesforceApi, object: string, where: string): Promise<number> {
  const answer = await api.json<QueryResult>('GET', `/queryAll?q=${encodeURIComponent(`SELECT COUNT() FROM ${object}${where}`)}`);
  return answer.totalSize;
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
    const page = JSON.parse(await api.text(path, { 'sforce-query-options': 'batchSize=2000' })) as QueryResult;
    for (const record of page.records) yield { kind: 'record', origin: { source: name, line: ++line }, values: flatten(record, fields) };
    path = page.done ? undefined : page.nextRecordsUrl;
  }
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

/** Opens a Bulk API 2.0 queryAll job; Salesforce starts on it at once, so jobs of several objects run side by side. */
export async function openBulkJob(api: SalesforceApi, soql: string): Promise<string> {
  return (await api.json<JobInfo>('POST', '/jobs/query', { operation: 'queryAll', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' })).id;
}

/**
 * A Bulk job's records, once it completes. Result pages are walked here by their Sforce-Locator
 * (jsforce's own bulk2 reader mixes pages up: jsforce issues #1546, #1693), each page a complete
 * CSV with its own header, parsed as it streams. A page that breaks off is requested again with
 * the same locator and the records already passed on are skipped.
 */
export async function* bulkQuery(api: SalesforceApi, name: string, jobId: string, tuning: QueryTuning): AsyncGenerator<SourceItem> {
  let wait = tuning.pollIntervalMs;
  for (;;) {
    const job = await api.json<JobInfo>('GET', `/jobs/query/${jobId}`);
    if (job.state === 'JobComplete') break;
    if (job.state === 'Failed' || job.state === 'Aborted') {
      throw new AppError(ErrorCode.SALESFORCE_API_ERROR, `${name}: the Bulk API query job ${jobId} ${job.state.toLowerCase()}: ${job.errorMessage ?? 'no reason given'}`);
    }
    await sleep(wait);
    wait = Math.min(wait * 1.5, 10_000);
  }
  let locator = '';
  let line = headerLines;
  do {
    const path = `/jobs/query/${jobId}/results?maxRecords=${tuning.bulkPageSize}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`;
    const attempts = api.attempts(`GET /jobs/query/${jobId}/results`);
    let passed = 0;
    for (;;) {
      try {
        const page = await api.open(path);
        const records = await csvSource(name, page.body, tuning.maxFieldBytes === undefined ? {} : { maxFieldBytes: tuning.maxFieldBytes });
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
        break;
      } catch (error) {
        // The CSV reader reports a body that broke off as unreadable, with fetch's TypeError as the cause.
        await attempts.failed(error instanceof AppError && error.cause instanceof TypeError ? error.cause : error);
      }
    }
  } while (locator !== 'null');
}
