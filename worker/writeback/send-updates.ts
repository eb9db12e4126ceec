import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'jsforce';
import { AppError, ErrorCode } from '../../core/errors.ts';
import type { RecordFailure } from './queries.ts';
import type { FieldValue, WriteRecord } from './record-values.ts';

/*
 * Updates of one object's records through jsforce, by the API that costs the org fewer calls:
 * sObject Collections take 200 records a call, so a few hundred records cost a call or two; a
 * Bulk API 2.0 ingest job costs about seven calls (open, upload, close, polls, failed results)
 * whatever its size, up to 150 MB of CSV.
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/walkthrough_upload_data.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
 */

export type SendTuning = {
  /** More records than this go through one Bulk API 2.0 ingest job; this many or fewer through sObject Collections. */
  bulkAbove: number;
  /** First wait between polls of an ingest job; it grows by half each time, to at most 10 s. */
  pollIntervalMs: number;
  /** An ingest job still not complete after this long fails the write-back (Salesforce goes on with it). */
  pollTimeoutMs: number;
};

export const defaultSendTuning: SendTuning = { bulkAbove: 200, pollIntervalMs: 2000, pollTimeoutMs: 30 * 60_000 };

/** sObject Collections take at most this many records a request. */
const collectionSize = 200;

export type Sent = { method: 'bulk' | 'collections'; jobId: string | null; failures: RecordFailure[] };

export async function sendUpdates(conn: Connection, object: string, records: readonly WriteRecord[], tuning: SendTuning): Promise<Sent> {
  return records.length > tuning.bulkAbove ? ingestJob(conn, object, records, tuning) : collections(conn, object, records);
}

type SaveResult = { id?: string; success: boolean; errors: { statusCode?: string; errorCode?: string; message: string; fields?: string[] }[] };

/** Collections of 200, one after the other, allOrNone false: each record succeeds or fails on its own. */
async function collections(conn: Connection, object: string, records: readonly WriteRecord[]): Promise<Sent> {
  const failures: RecordFailure[] = [];
  for (let start = 0; start < records.length; start += collectionSize) {
    const chunk = records.slice(start, start + collectionSize);
    const results = (await conn.sobject(object).update(chunk.map((r) => ({ Id: r.id, ...r.fields })), { allOrNone: false })) as unknown as SaveResult[];
    results.forEach((result, i) => {
      if (result.success) return;
      const [first] = result.errors;
      failures.push({
        id: chunk[i]!.id,
        code: first?.statusCode ?? first?.errorCode ?? 'UNKNOWN_EXCEPTION',
        message: result.errors.map((e) => e.message).join('; '),
        field: first?.fields?.[0] ?? null,
      });
    });
  }
  return { method: 'collections', jobId: null, failures };
}

/** Bulk API 2.0 sets a field to null with #N/A; an empty field would leave the old value. */
function csvCell(value: FieldValue): string {
  if (value === null) return '#N/A';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function updateCsv(records: readonly WriteRecord[]): string {
  const fields = Object.keys(records[0]?.fields ?? {});
  let csv = ['Id', ...fields].join(',') + '\n';
  for (const r of records) csv += [r.id, ...fields.map((f) => csvCell(r.fields[f] ?? null))].map(String).join(',') + '\n';
  return csv;
}

/** `FIELD_CUSTOM_VALIDATION_EXCEPTION:message:Field__c --`, as sf__Error reads. */
export function parseBulkError(text: string): { code: string; message: string; field: string | null } {
  const parts = /^([A-Z_]+):(.*?)(?::([\w,]*) --)?$/s.exec(text.trim());
  if (!parts) return { code: 'UNKNOWN_EXCEPTION', message: text, field: null };
  return { code: parts[1]!, message: parts[2]!.trim(), field: parts[3]?.split(',')[0] || null };
}

/** One ingest job: open, upload the CSV, UploadComplete, poll until it ends, then read its failed records. */
async function ingestJob(conn: Connection, object: string, records: readonly WriteRecord[], tuning: SendTuning): Promise<Sent> {
  const job = conn.bulk2.createJob({ object, operation: 'update', lineEnding: 'LF' });
  await job.open();
  await job.uploadData(updateCsv(records));
  await job.close();
  const started = Date.now();
  let wait = tuning.pollIntervalMs;
  for (;;) {
    const info = await job.check();
    if (info.state === 'JobComplete') break;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new AppError(ErrorCode.SALESFORCE_API_ERROR, `Bulk API 2.0 ingest job ${job.id} ended ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''}; no record of it is counted as written`);
    }
    if (Date.now() - started + wait > tuning.pollTimeoutMs) {
      throw new AppError(ErrorCode.SALESFORCE_UNAVAILABLE, `Bulk API 2.0 ingest job ${job.id} was still ${info.state} after ${Math.round((Date.now() - started) / 1000)} s; its records are sent again next run`);
    }
    await sleep(wait);
    wait = Math.min(wait * 1.5, 10_000);
  }
  const failed = await job.getFailedResults();
  const failures = failed.map((row) => ({ id: String(row.sf__Id), ...parseBulkError(String(row.sf__Error)) }));
  return { method: 'bulk', jobId: job.id ?? null, failures };
}
