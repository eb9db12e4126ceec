import { randomBytes } from 'node:crypto';
import { parseCsv } from '../../../core/records/csv.ts';
import { numberTypes, type Org, type SfRecord, type Value } from './org.ts';

/*
 * How the stand-in's org takes updates, the way Salesforce's save does for both write APIs:
 * sObject Collections (`PATCH /composite/sobjects`, JSON, SaveResult per record) and Bulk API 2.0
 * ingest jobs (`/jobs/ingest`: open, PUT one CSV, UploadComplete, poll, then the successful, failed
 * and unprocessed records as CSV). A record's id, fields and values are checked and the object's
 * validation rules run on the record as the update would leave it; a refused record changes nothing.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_failed_results.htm
 */

/** An error of one record, as a SaveResult carries it. */
export type SaveError = { statusCode: string; message: string; fields: string[] };

/** Bulk API 2.0 sets a field to null with this text; an empty CSV field leaves the field as it is. */
const csvNull = '#N/A';

/** Record ids are 15 or 18 letters and digits. */
const idPattern = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** A value as an update gives it: JSON's own types, or a CSV field's text. */
type Given = Value | undefined;

function converted(type: string, label: string, given: Exclude<Given, null | undefined>): Value | SaveError {
  const refused = (): SaveError => ({ statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${label}: value not of required type: ${String(given)}`, fields: [] });
  if (numberTypes.includes(type as never)) {
    const n = typeof given === 'number' ? given : /^-?\d+(\.\d+)?$/.test(String(given).trim()) ? Number(given) : NaN;
    if (!Number.isFinite(n) || (type === 'int' && !Number.isInteger(n))) return refused();
    return n;
  }
  if (type === 'boolean') {
    if (typeof given === 'boolean') return given;
    return /^(true|false)$/i.test(String(given)) ? String(given).toLowerCase() === 'true' : refused();
  }
  if (type === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(String(given)) && !Number.isNaN(Date.parse(String(given))) ? String(given) : refused();
  if (type === 'datetime') return Number.isNaN(Date.parse(String(given))) ? refused() : new Date(Date.parse(String(given))).toISOString();
  return String(given);
}

/**
 * One record's update checked whole: the changed record, or its errors. Fields a CSV leaves empty
 * are left as they are; unknown fields are the caller's to refuse (they fail a whole request or job).
 */
export function checkUpdate(org: Org, object: string, id: unknown, values: Record<string, Given>): { record: SfRecord; changes: SfRecord } | { errors: SaveError[] } {
  const schema = org.schema(object)!;
  if (typeof id !== 'string' || !idPattern.test(id)) return { errors: [{ statusCode: 'MALFORMED_ID', message: `${schema.label} ID: id value of incorrect type: ${String(id ?? '')}`, fields: ['Id'] }] };
  const records = org.records.get(schema.name)!;
  // Ids are stored with 18 characters; a 15-character id names the same record.
  const record = records.get(id) ?? (id.length === 15 ? [...records.values()].find((r) => String(r.Id).startsWith(id)) : undefined);
  if (!record) return { errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] }] };
  if (record.IsDeleted === true) return { errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] };
  const changes: SfRecord = {};
  const errors: SaveError[] = [];
  for (const [name, given] of Object.entries(values)) {
    if (name.toLowerCase() === 'id' || given === undefined || given === '') continue;
    const field = schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())!;
    if (!field.updateable) {
      errors.push({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, fields: [field.name] });
      continue;
    }
    if (given === null || given === csvNull) {
      changes[field.name] = null;
      continue;
    }
    const value = converted(field.type, field.label, given);
    if (value !== null && typeof value === 'object') errors.push({ ...value, fields: [field.name] });
    else changes[field.name] = value;
  }
  if (errors.length > 0) return { errors };
  const after = { ...record, ...changes };
  for (const { object: ruled, rule, field } of org.validationRules) {
    if (ruled !== schema.name) continue;
    const message = rule(after);
    if (message !== null) errors.push({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message, fields: field ? [field] : [] });
  }
  return errors.length > 0 ? { errors } : { record, changes };
}

/**
 * One record's insert checked whole: its values, or its errors. Required fields: a Task's Status
 * and Priority default as Salesforce's do; a reference must name a live record of its object.
 */
export function checkInsert(org: Org, object: string, values: Record<string, Given>): { values: SfRecord } | { errors: SaveError[] } {
  const schema = org.schema(object)!;
  const out: SfRecord = {};
  const errors: SaveError[] = [];
  for (const [name, given] of Object.entries(values)) {
    if (given === undefined || given === null) continue;
    const field = schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())!;
    if (!field.updateable) {
      errors.push({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, fields: [field.name] });
      continue;
    }
    if (field.type === 'reference') {
      const target = org.records.get(field.referenceTo[0]!)?.get(String(given));
      if (!target || target.IsDeleted === true) errors.push({ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `${field.label}: id value of incorrect type: ${String(given)}`, fields: [field.name] });
      else out[field.name] = String(given);
      continue;
    }
    const value = converted(field.type, field.label, given);
    if (value !== null && typeof value === 'object') errors.push({ ...value, fields: [field.name] });
    else out[field.name] = value;
  }
  return errors.length > 0 ? { errors } : { values: out };
}

/** The fields of `names` that `object` lacks: a request naming one fails whole. */
export function unknownFields(org: Org, object: string, names: readonly string[]): string[] {
  const schema = org.schema(object)!;
  return names.filter((n) => n.toLowerCase() !== 'id' && !schema.fields.some((f) => f.name.toLowerCase() === n.toLowerCase()));
}

export type IngestState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** A Bulk API 2.0 ingest job and, once processed, each record's outcome in the order uploaded. */
export type IngestJob = {
  id: string;
  object: string;
  operation: string;
  createdDate: string;
  state: IngestState;
  header: string[];
  rows: string[][] | null;
  successful: { id: string; row: string[] }[];
  failed: { id: string; error: string; row: string[] }[];
  unprocessed: string[][];
  errorMessage?: string;
  /** Polls still to answer InProgress before the job shows JobComplete, as Salesforce takes its time. */
  pollsInProgress: number;
};

export function openIngestJob(object: string, operation: string, pollsInProgress: number): IngestJob {
  return {
    id: `7505g${randomBytes(5).toString('hex').toUpperCase()}AAA`, object, operation, createdDate: new Date().toISOString().replace('Z', '+0000'),
    state: 'Open', header: [], rows: null, successful: [], failed: [], unprocessed: [], pollsInProgress,
  };
}

/** A CSV upload read whole: its header and rows, or why it cannot be read. */
export async function readUpload(text: string): Promise<{ header: string[]; rows: string[][] } | { error: string }> {
  const rows: string[][] = [];
  for await (const batch of parseCsv((async function* () { yield text; })())) {
    for (const row of batch) {
      if (row.kind === 'error') return { error: `ClientInputError : ${row.message} at line ${row.line}` };
      rows.push(row.fields);
    }
  }
  const [header, ...data] = rows;
  if (!header) return { error: 'ClientInputError : No content found in the uploaded data' };
  return { header, rows: data.filter((r) => !(r.length === 1 && r[0] === '')) };
}

/**
 * Processes an update job as Salesforce does after UploadComplete: a column the object lacks fails
 * the whole job (InvalidBatch); otherwise each row is saved on its own. An sf__Error reads
 * `CODE:message:fields --`.
 */
export function processIngestJob(org: Org, job: IngestJob): void {
  const header = job.header;
  const unknown = unknownFields(org, job.object, header);
  if (unknown.length > 0 || !header.some((h) => h.toLowerCase() === 'id')) {
    job.state = 'Failed';
    job.errorMessage = unknown.length > 0 ? `InvalidBatch : Field name not found : ${unknown[0]}` : 'InvalidBatch : Field name not found : Id';
    job.unprocessed = job.rows ?? [];
    return;
  }
  const idColumn = header.findIndex((h) => h.toLowerCase() === 'id');
  for (const row of job.rows ?? []) {
    const values = Object.fromEntries(header.map((h, i) => [h, row[i] ?? '']));
    const checked = checkUpdate(org, job.object, row[idColumn], values);
    if ('errors' in checked) {
      job.failed.push({ id: row[idColumn] ?? '', error: checked.errors.map((e) => `${e.statusCode}:${e.message}:${e.fields.join(',')} --`).join(' '), row });
      continue;
    }
    org.update(job.object, String(checked.record.Id), checked.changes);
    job.successful.push({ id: String(checked.record.Id), row });
  }
  job.state = 'InProgress';
}

function csvQuote(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** One of a job's result files: `successfulResults`, `failedResults` or `unprocessedrecords`. */
export function ingestResults(job: IngestJob, which: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): string {
  const line = (cells: string[]) => cells.map(csvQuote).join(',') + '\n';
  if (which === 'successfulResults') return line(['sf__Id', 'sf__Created', ...job.header]) + job.successful.map((s) => line([s.id, 'false', ...s.row])).join('');
  if (which === 'failedResults') return line(['sf__Id', 'sf__Error', ...job.header]) + job.failed.map((f) => line([f.id, f.error, ...f.row])).join('');
  return line(job.header) + job.unprocessed.map(line).join('');
}

/** Numbers a job reports once it has been processed. */
export function ingestCounts(job: IngestJob) {
  const processed = job.successful.length + job.failed.length;
  return { numberRecordsProcessed: processed, numberRecordsFailed: job.failed.length, retries: 0, totalProcessingTime: processed, apiActiveProcessingTime: processed, apexProcessingTime: 0 };
}
