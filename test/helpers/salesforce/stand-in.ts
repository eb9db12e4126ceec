import { createHash, createVerify, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import { numberTypes, Org, type FieldType, type SfRecord, type Value } from './org.ts';
import { conditionFields, matches, parseSoql, SoqlError, type Soql } from './soql.ts';
import { checkInsert, checkUpdate, ingestCounts, ingestResults, openIngestJob, processIngestJob, readUpload, unknownFields, type IngestJob } from './writes.ts';

/*
 * A Salesforce org over HTTP, speaking the documented wire format closely enough that jsforce,
 * unmodified, and the extract cannot tell it from the real one: the OAuth 2.0 token endpoint
 * (authorization code with PKCE, refresh token, password and JWT bearer grants), the authorize redirect
 * and the OpenID Connect userinfo endpoint, SOAP
 * login, REST query/queryAll with nextRecordsUrl paging, describe, list views, updated/deleted,
 * Bulk API 2.0 query jobs whose results page by Sforce-Locator, and updates through sObject
 * Collections and Bulk API 2.0 ingest jobs (writes.ts). Each API writes values its own
 * way: a currency of 100 is 100 in REST's JSON and 100.0 in Bulk's CSV, a datetime ends +0000 in one
 * and Z in the other. Errors use Salesforce's bodies.
 * Faults can be injected per request: an expired session, any status with a body, a dropped socket.
 */

export type ConnectedApp = { clientId: string; clientSecret: string; callbackUrl?: string; certificate?: string };
/** A user of the org; `email` and `emailVerified` are what userinfo tells of them (default: the username, verified). */
export type OrgUser = { username: string; password: string; securityToken?: string; email?: string; emailVerified?: boolean; name?: string };

/** What an authorization code was issued for: where it may go back, who logged in, and the PKCE challenge it must meet. */
type IssuedCode = { redirect: string; user: OrgUser; scope: string; challenge: string | null };

export type Fault =
  | { kind: 'expireSessions' }
  | { kind: 'status'; status: number; body: unknown }
  /** Sends the headers and `afterBytes` of the body, then destroys the socket. */
  | { kind: 'drop'; afterBytes: number }
  /** A Bulk job polled ends in this state, as when Salesforce gives up on it (met on `GET /jobs/query/ID`). */
  | { kind: 'jobEnds'; state: 'Failed' | 'Aborted'; errorMessage: string }
  /** Other clients of the org spend `requests` of its daily API requests just before this one is answered. */
  | { kind: 'othersSpend'; requests: number };

/** Salesforce's own error bodies for the faults a client must survive. */
export const errorBodies = {
  requestLimit: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
  unavailable: [{ message: 'Server Unavailable', errorCode: 'SERVER_UNAVAILABLE' }],
  invalidSession: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
} as const;

export type StandInOptions = {
  app?: ConnectedApp;
  user?: OrgUser;
  apiVersion?: string;
  queryBatchSize?: number;
  bulkPageSize?: number;
  /** Polls of a closed ingest job that answer InProgress before it shows JobComplete (default 1). */
  ingestPollsInProgress?: number;
};

type Cursor = { object: string; fields: string[]; rows: SfRecord[] };
type BulkJob = { id: string; object: string; operation: string; query: string; fields: string[]; rows: SfRecord[]; createdDate: string; ended?: { state: 'Failed' | 'Aborted'; errorMessage: string } };

export class SalesforceStandIn {
  readonly org = new Org();
  readonly app: ConnectedApp;
  /** Who logs in on the authorize page (the stand-in consents for them at once); a test sets another to sign in as them. */
  user: OrgUser;
  /** Every request under /services/data, as Salesforce counts API calls. */
  apiCalls = 0;
  /**
   * The org's daily API request limit and the requests other clients made in its rolling 24 hours:
   * answered by /limits and the Sforce-Limit-Info header; a request beyond the limit is refused with
   * REQUEST_LIMIT_EXCEEDED.
   */
  dailyApiRequests = { max: 5_000_000, usedByOthers: 0 };
  readonly requests: { method: string; path: string; status: number }[] = [];
  url = '';
  private server: Server;
  /** Access tokens and whom each was issued to. */
  private sessions = new Map<string, OrgUser>();
  private refreshTokens = new Set<string>();
  private codes = new Map<string, IssuedCode>();
  private cursors = new Map<string, Cursor>();
  private jobs = new Map<string, BulkJob>();
  /** Every Bulk API 2.0 ingest job opened, in order. */
  readonly ingestJobs: IngestJob[] = [];
  /** Records per sObject Collections request, in order. */
  readonly collectionRequests: number[] = [];
  private readonly ingestPollsInProgress: number;
  private faults: { method: string | undefined; path: RegExp; fault: Fault; times: number; skip: number }[] = [];
  private readonly queryBatchSize: number;
  private readonly bulkPageSize: number;

  constructor(options: StandInOptions = {}) {
    this.app = options.app ?? { clientId: '3MVG9standin.client', clientSecret: 'standin-client-secret' };
    this.user = options.user ?? { username: 'admin@standin.example', password: 'pa55word', securityToken: 'T0KEN' };
    this.queryBatchSize = options.queryBatchSize ?? 2000;
    this.bulkPageSize = options.bulkPageSize ?? 100_000;
    this.ingestPollsInProgress = options.ingestPollsInProgress ?? 1;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) this.json(req, res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: error.message }]);
        else res.destroy();
      });
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Ends the connections clients keep open between requests (a test's end); the stand-in keeps serving. */
  dropConnections(): void {
    this.server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  /** The next `times` requests whose path matches (and method, when given) meet the fault, after `skip` of them passed. */
  inject(where: { method?: string; path: RegExp; skip?: number }, fault: Fault, times = 1): void {
    this.faults.push({ method: where.method, path: where.path, fault, times, skip: where.skip ?? 0 });
  }

  /** Every access token issued so far stops working, as when a session times out. */
  expireSessions(): void {
    this.sessions.clear();
  }

  private newSession(user: OrgUser): string {
    const token = `00D5g000004StandIn!${randomBytes(24).toString('base64url')}`;
    this.sessions.set(token, user);
    return token;
  }

  /** An 18-character user id, the same for the same username. */
  private userId(user: OrgUser): string {
    return `0055g${createHash('sha256').update(user.username).digest('hex').slice(0, 13)}`;
  }

  private tokenResponse(extra: Record<string, string> = {}, user = this.user, scope = 'api refresh_token') {
    return {
      access_token: this.newSession(user),
      instance_url: this.url,
      id: `${this.url}/id/${this.org.id}/${this.userId(user)}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      signature: randomBytes(32).toString('base64'),
      scope,
      ...extra,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.url);
    const path = url.pathname;
    const fault = this.takeFault(req.method!, path);
    if (fault?.kind === 'expireSessions') this.expireSessions();
    if (fault?.kind === 'status') {
      if (path.startsWith('/services/data/')) this.apiCalls++;
      return this.json(req, res, fault.status, fault.body);
    }
    const drop = fault?.kind === 'drop' ? fault.afterBytes : undefined;
    if (fault?.kind === 'othersSpend') this.dailyApiRequests.usedByOthers += fault.requests;
    if (fault?.kind === 'jobEnds') {
      const job = this.jobs.get(/\/jobs\/query\/(\w+)\/?$/.exec(path)?.[1] ?? '');
      if (job) job.ended = { state: fault.state, errorMessage: fault.errorMessage };
    }

    if (path === '/services/oauth2/authorize') return this.authorize(req, res, url);
    if (path === '/services/oauth2/token' && req.method === 'POST') return this.token(req, res, new URLSearchParams(await body(req)));
    if (path === '/services/oauth2/userinfo') return this.userinfo(req, res);
    if (/^\/services\/Soap\/u\/[\d.]+$/.test(path) && req.method === 'POST') return this.soapLogin(req, res, await body(req));

    const api = /^\/services\/data\/v(\d+\.\d)(\/.*)$/.exec(path);
    if (!api) return this.json(req, res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    this.apiCalls++;
    if (this.apiUsed() > this.dailyApiRequests.max) return this.json(req, res, 403, errorBodies.requestLimit);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.sessions.has(token)) return this.json(req, res, 401, errorBodies.invalidSession);
    const version = api[1]!;
    const rest = api[2]!;
    try {
      return await this.route(req, res, url, version, rest, drop);
    } catch (error) {
      if (error instanceof SoqlError) return this.json(req, res, 400, [{ message: error.message, errorCode: error.errorCode }]);
      throw error;
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, version: string, rest: string, drop: number | undefined): Promise<void> {
    const method = req.method!;
    let m: RegExpExecArray | null;
    if (method === 'GET' && /^\/limits\/?$/.test(rest)) {
      const { max } = this.dailyApiRequests;
      return this.json(req, res, 200, { DailyApiRequests: { Max: max, Remaining: Math.max(max - this.apiUsed(), 0) }, DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 - this.jobs.size } });
    }
    if (method === 'GET' && (m = /^\/(query|queryAll)\/?$/.exec(rest))) {
      const soql = this.checked(url.searchParams.get('q') ?? '');
      const rows = this.select(soql, m[1] === 'queryAll');
      if (soql.aggregates.length > 0) return this.json(req, res, 200, { totalSize: 1, done: true, records: [this.aggregate(soql, rows)] });
      if (soql.select === 'count') return this.json(req, res, 200, { totalSize: rows.length, done: true, records: [] });
      const size = batchSize(req.headers['sforce-query-options'], this.queryBatchSize);
      const cursor = `01g5g${randomBytes(6).toString('hex')}`;
      this.cursors.set(cursor, { object: soql.object, fields: soql.select, rows });
      return this.queryPage(req, res, version, cursor, 0, size, drop);
    }
    if (method === 'GET' && (m = /^\/(?:query|queryAll)\/(01g\w+)-(\d+)$/.exec(rest))) {
      if (!this.cursors.has(m[1]!)) return this.json(req, res, 400, [{ errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' }]);
      return this.queryPage(req, res, version, m[1]!, Number(m[2]), batchSize(req.headers['sforce-query-options'], this.queryBatchSize), drop);
    }
    if (method === 'GET' && (m = /^\/sobjects\/(\w+)\/describe\/?$/.exec(rest))) {
      const schema = this.org.schema(m[1]!);
      if (!schema) return this.notSupported(req, res, m[1]!);
      return this.json(req, res, 200, { name: schema.name, label: schema.label, keyPrefix: schema.keyPrefix, queryable: schema.queryable, custom: false, fields: schema.fields }, drop);
    }
    if (method === 'GET' && (m = /^\/sobjects\/(\w+)\/listviews\/?$/.exec(rest))) {
      const schema = this.org.schema(m[1]!);
      if (!schema) return this.notSupported(req, res, m[1]!);
      const base = `/services/data/v${version}/sobjects/${schema.name}/listviews`;
      const listviews = this.org.listViews
        .filter((v) => v.object === schema.name)
        .map((v) => ({ describeUrl: `${base}/${v.id}/describe`, developerName: v.developerName, id: v.id, label: v.label, resultsUrl: `${base}/${v.id}/results`, soqlCompatible: true, url: `${base}/${v.id}` }));
      return this.json(req, res, 200, { done: true, listviews, nextRecordsUrl: null, size: listviews.length, sobjectType: schema.name });
    }
    if (method === 'GET' && (m = /^\/sobjects\/(\w+)\/listviews\/(\w+)\/describe\/?$/.exec(rest))) {
      const view = this.org.listViews.find((v) => v.id === m![2] && v.object.toLowerCase() === m![1]!.toLowerCase());
      if (!view) return this.json(req, res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      const query = `SELECT Name, Id, CreatedDate, LastModifiedDate, SystemModstamp FROM ${view.object}${view.where ? ` WHERE ${view.where}` : ''} ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST`;
      const columns = ['Name', 'Id'].map((name) => ({ fieldNameOrPath: name, hidden: name === 'Id', label: name, selectListItem: name, sortable: true, type: name === 'Id' ? 'id' : 'string' }));
      return this.json(req, res, 200, { columns, id: view.id, orderBy: [{ fieldNameOrPath: 'Name', nullsPosition: 'first', sortDirection: 'ascending' }], query, scope: null, sobjectType: view.object, whereCondition: null });
    }
    if (method === 'GET' && (m = /^\/sobjects\/(\w+)\/(updated|deleted)\/?$/.exec(rest))) {
      const schema = this.org.schema(m[1]!);
      if (!schema) return this.notSupported(req, res, m[1]!);
      const start = Date.parse(url.searchParams.get('start') ?? '');
      const end = Date.parse(url.searchParams.get('end') ?? '');
      if (Number.isNaN(start) || Number.isNaN(end)) return this.json(req, res, 400, [{ errorCode: 'INVALID_DATE', message: 'start and end are required dates' }]);
      const within = [...this.org.records.get(schema.name)!.values()].filter((r) => {
        const at = Date.parse(String(r.SystemModstamp));
        return at >= start && at < end && (m![2] === 'deleted' ? r.IsDeleted === true : r.IsDeleted !== true);
      });
      const latest = new Date(Math.min(end, this.org.clock)).toISOString().replace('Z', '+0000');
      if (m[2] === 'updated') return this.json(req, res, 200, { ids: within.map((r) => r.Id), latestDateCovered: latest });
      return this.json(req, res, 200, {
        deletedRecords: within.map((r) => ({ id: r.Id, deletedDate: restDate(String(r.SystemModstamp)) })),
        earliestDateAvailable: restDate(new Date(Date.parse('2025-12-01T00:00:00Z')).toISOString()),
        latestDateCovered: latest,
      });
    }
    if (method === 'POST' && /^\/jobs\/query\/?$/.test(rest)) {
      const request = JSON.parse((await body(req)) || '{}') as { operation?: string; query?: string };
      if (request.operation !== 'query' && request.operation !== 'queryAll') {
        return this.json(req, res, 400, [{ errorCode: 'INVALIDJOB', message: `InvalidJob : Invalid operation: ${request.operation}` }]);
      }
      const soql = this.checked(request.query ?? '');
      if (soql.select === 'count') return this.json(req, res, 400, [{ errorCode: 'INVALIDJOB', message: 'InvalidJob : Aggregate Relationships not supported in Bulk Query' }]);
      const compound = soql.select.find((f) => this.org.resolve(soql.object, f)?.field.type === 'address');
      if (compound) return this.json(req, res, 400, [{ errorCode: 'INVALIDJOB', message: `InvalidJob : Compound data not supported in Bulk Query: ${compound}` }]);
      const id = `7505g${randomBytes(5).toString('hex').toUpperCase()}AAA`;
      const job: BulkJob = { id, object: this.org.schema(soql.object)!.name, operation: request.operation, query: request.query!, fields: soql.select, rows: this.select(soql, request.operation === 'queryAll'), createdDate: restDate(new Date().toISOString()) };
      this.jobs.set(id, job);
      return this.json(req, res, 200, { ...this.jobInfo(job, version), state: 'UploadComplete' });
    }
    if (method === 'GET' && (m = /^\/jobs\/query\/(\w+)\/?$/.exec(rest))) {
      const job = this.jobs.get(m[1]!);
      if (!job) return this.json(req, res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      if (job.ended) return this.json(req, res, 200, { ...this.jobInfo(job, version), ...job.ended, numberRecordsProcessed: 0, retries: 0, totalProcessingTime: 0 });
      return this.json(req, res, 200, { ...this.jobInfo(job, version), state: 'JobComplete', numberRecordsProcessed: job.rows.length, retries: 0, totalProcessingTime: 120 });
    }
    if (method === 'GET' && (m = /^\/jobs\/query\/(\w+)\/results\/?$/.exec(rest))) {
      const job = this.jobs.get(m[1]!);
      if (!job) return this.json(req, res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      return await this.bulkPage(res, job, url, drop);
    }
    if (method === 'PATCH' && /^\/composite\/sobjects\/?$/.test(rest)) return this.updateCollection(req, res, await body(req));
    if (method === 'POST' && /^\/composite\/sobjects\/?$/.test(rest)) return this.createCollection(req, res, await body(req));
    if (rest.startsWith('/jobs/ingest')) return await this.ingest(req, res, version, rest);
    return this.json(req, res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  }

  /**
   * sObject Collections update: up to 200 records, each with attributes.type and id, saved in order;
   * with allOrNone every record is rolled back when one fails. A SaveResult per record, in order.
   */
  private updateCollection(req: IncomingMessage, res: ServerResponse, text: string): void {
    let request: { allOrNone?: boolean; records?: Record<string, unknown>[] };
    try {
      request = JSON.parse(text) as typeof request;
    } catch (error) {
      return this.json(req, res, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: (error as Error).message }]);
    }
    const records = request.records ?? [];
    if (records.length > 200) return this.json(req, res, 400, [{ errorCode: 'EXCEEDED_ID_LIMIT', message: 'record limit reached. cannot submit more than 200 records into this call' }]);
    this.collectionRequests.push(records.length);
    for (const record of records) {
      const type = (record.attributes as { type?: string } | undefined)?.type;
      if (!type || !this.org.schema(type)) return this.json(req, res, 400, [{ errorCode: 'INVALID_TYPE', message: `sObject type '${type ?? ''}' is not supported.` }]);
      const [unknown] = unknownFields(this.org, type, Object.keys(record).filter((k) => k !== 'attributes'));
      if (unknown) return this.json(req, res, 400, [{ errorCode: 'INVALID_FIELD', message: `No such column '${unknown}' on sobject of type ${this.org.schema(type)!.name}` }]);
    }
    const checked = records.map((record) => {
      const { attributes, id, Id, ...values } = record as Record<string, never> & { attributes: { type: string }; id?: unknown; Id?: unknown };
      return { type: attributes.type, result: checkUpdate(this.org, attributes.type, id ?? Id, values) };
    });
    const anyFailed = checked.some((c) => 'errors' in c.result);
    const rolledBack = [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }];
    const results = checked.map(({ type, result }) => {
      if ('errors' in result) return { success: false, errors: result.errors };
      if (request.allOrNone && anyFailed) return { success: false, errors: rolledBack };
      this.org.update(type, String(result.record.Id), result.changes);
      return { id: result.record.Id, success: true, errors: [] };
    });
    this.json(req, res, 200, results);
  }

  /** sObject Collections create: up to 200 records with attributes.type and no id, a SaveResult per record, in order. */
  private createCollection(req: IncomingMessage, res: ServerResponse, text: string): void {
    const request = JSON.parse(text) as { allOrNone?: boolean; records?: Record<string, unknown>[] };
    const records = request.records ?? [];
    if (records.length > 200) return this.json(req, res, 400, [{ errorCode: 'EXCEEDED_ID_LIMIT', message: 'record limit reached. cannot submit more than 200 records into this call' }]);
    this.collectionRequests.push(records.length);
    const checked: { type: string; result: ReturnType<typeof checkInsert> }[] = [];
    for (const record of records) {
      const { attributes, ...values } = record as Record<string, never> & { attributes?: { type?: string } };
      const type = attributes?.type;
      if (!type || !this.org.schema(type)) return this.json(req, res, 400, [{ errorCode: 'INVALID_TYPE', message: `sObject type '${type ?? ''}' is not supported.` }]);
      if ('id' in values || 'Id' in values) return this.json(req, res, 400, [{ errorCode: 'INVALID_FIELD', message: 'Can\'t specify an ID in a create request' }]);
      const [unknown] = unknownFields(this.org, type, Object.keys(values));
      if (unknown) return this.json(req, res, 400, [{ errorCode: 'INVALID_FIELD', message: `No such column '${unknown}' on sobject of type ${this.org.schema(type)!.name}` }]);
      checked.push({ type, result: checkInsert(this.org, type, values) });
    }
    const anyFailed = checked.some((c) => 'errors' in c.result);
    this.json(req, res, 200, checked.map(({ type, result }) => {
      if ('errors' in result) return { success: false, errors: result.errors };
      if (request.allOrNone && anyFailed) return { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] };
      return { id: this.org.insert(type, result.values), success: true, errors: [] };
    }));
  }

  /** Bulk API 2.0 ingest: open a job, PUT its one CSV, PATCH UploadComplete (or Aborted), poll, read its results. */
  private async ingest(req: IncomingMessage, res: ServerResponse, version: string, rest: string): Promise<void> {
    const method = req.method!;
    const notFound = () => this.json(req, res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const info = (job: IngestJob) => ({
      id: job.id, operation: job.operation, object: job.object, createdById: '0055g00000StandInAAA', createdDate: job.createdDate, systemModstamp: job.createdDate,
      state: job.state, concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: Number(version), jobType: 'V2Ingest',
      contentUrl: `services/data/v${version}/jobs/ingest/${job.id}/batches`, lineEnding: 'LF', columnDelimiter: 'COMMA',
    });
    let m: RegExpExecArray | null;
    if (method === 'POST' && /^\/jobs\/ingest\/?$/.test(rest)) {
      const request = JSON.parse((await body(req)) || '{}') as { object?: string; operation?: string; contentType?: string };
      if (!['insert', 'update', 'upsert', 'delete', 'hardDelete'].includes(request.operation ?? '')) {
        return this.json(req, res, 400, [{ errorCode: 'INVALIDJOB', message: `InvalidJob : Invalid operation: ${request.operation}` }]);
      }
      const schema = this.org.schema(request.object ?? '');
      if (!schema) return this.json(req, res, 400, [{ errorCode: 'INVALIDJOB', message: `InvalidJob : Invalid object: ${request.object}` }]);
      if (request.operation !== 'update') return this.json(req, res, 400, [{ errorCode: 'FEATURENOTENABLED', message: `the stand-in takes update jobs only, not ${request.operation}` }]);
      const job = openIngestJob(schema.name, request.operation, this.ingestPollsInProgress);
      this.ingestJobs.push(job);
      return this.json(req, res, 200, info(job));
    }
    const job = this.ingestJobs.find((j) => j.id === /^\/jobs\/ingest\/(\w+)/.exec(rest)?.[1]);
    if (!job) return notFound();
    if (method === 'PUT' && /^\/jobs\/ingest\/\w+\/batches\/?$/.test(rest)) {
      if (job.state !== 'Open' || job.rows !== null) {
        return this.json(req, res, 400, [{ errorCode: 'BULK_API_ERROR', message: `Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.` }]);
      }
      const upload = await readUpload(await body(req));
      if ('error' in upload) return this.json(req, res, 400, [{ errorCode: 'INVALIDDATA', message: upload.error }]);
      job.header = upload.header;
      job.rows = upload.rows;
      this.requests.push({ method, path: req.url!.split('?')[0]!, status: 201 });
      res.writeHead(201, this.limitInfo('/services/data/'));
      return void res.end();
    }
    if (method === 'PATCH' && /^\/jobs\/ingest\/\w+\/?$/.test(rest)) {
      const { state } = JSON.parse((await body(req)) || '{}') as { state?: string };
      if (state === 'Aborted' && ['Open', 'UploadComplete', 'InProgress'].includes(job.state)) {
        job.state = 'Aborted';
        return this.json(req, res, 200, info(job));
      }
      if (state !== 'UploadComplete' || job.state !== 'Open') {
        return this.json(req, res, 400, [{ errorCode: 'INVALIDJOBSTATE', message: `Invalid job state transition from ${job.state} to ${state}` }]);
      }
      if (job.rows === null) return this.json(req, res, 400, [{ errorCode: 'INVALIDJOBSTATE', message: 'Job has no data uploaded' }]);
      job.state = 'UploadComplete';
      const answer = info(job);
      processIngestJob(this.org, job);
      return this.json(req, res, 200, answer);
    }
    if (method === 'GET' && /^\/jobs\/ingest\/\w+\/?$/.test(rest)) {
      if (job.state === 'InProgress' && job.pollsInProgress-- <= 0) job.state = 'JobComplete';
      const processed = job.state === 'JobComplete' || job.state === 'Failed' ? ingestCounts(job) : { numberRecordsProcessed: 0, numberRecordsFailed: 0, retries: 0, totalProcessingTime: 0, apiActiveProcessingTime: 0, apexProcessingTime: 0 };
      return this.json(req, res, 200, { ...info(job), ...processed, ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}) });
    }
    if (method === 'GET' && (m = /^\/jobs\/ingest\/\w+\/(successfulResults|failedResults|unprocessedrecords)\/?$/.exec(rest))) {
      if (job.state !== 'JobComplete' && job.state !== 'Failed' && job.state !== 'Aborted') {
        return this.json(req, res, 400, [{ errorCode: 'INVALIDJOBSTATE', message: `Job state is ${job.state}; results are available once the job is complete` }]);
      }
      const text = ingestResults(job, m[1] as 'successfulResults' | 'failedResults' | 'unprocessedrecords');
      this.requests.push({ method, path: req.url!.split('?')[0]!, status: 200 });
      res.writeHead(200, { ...this.limitInfo('/services/data/'), 'content-type': 'text/csv', 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    return notFound();
  }

  private apiUsed(): number {
    return this.dailyApiRequests.usedByOthers + this.apiCalls;
  }

  /** Salesforce reports the org's API usage on every REST response: `Sforce-Limit-Info: api-usage=25/15000`. */
  private limitInfo(path: string): Record<string, string> {
    if (!path.startsWith('/services/data/')) return {};
    return { 'sforce-limit-info': `api-usage=${Math.min(this.apiUsed(), this.dailyApiRequests.max)}/${this.dailyApiRequests.max}` };
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => (f.method === undefined || f.method === method) && f.path.test(path));
    if (index < 0) return undefined;
    const entry = this.faults[index]!;
    if (entry.skip > 0) {
      entry.skip--;
      return undefined;
    }
    if (--entry.times <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  /** A parsed query whose object and fields exist, or Salesforce's INVALID_TYPE / INVALID_FIELD error. */
  private checked(text: string): Soql & { select: string[] | 'count' } {
    const soql = parseSoql(text);
    const schema = this.org.schema(soql.object);
    if (!schema) throw new SoqlError('INVALID_TYPE', `\n${text}\n^\nERROR at Row:1:Column:1\nsObject type '${soql.object}' is not supported.`);
    const fields = [...(soql.select === 'count' ? soql.aggregates.map((a) => a.field) : soql.select), ...conditionFields(soql.where)];
    for (const name of fields) {
      if (this.org.resolve(schema.name, name)) continue;
      const column = text.indexOf(name) + 1;
      throw new SoqlError(
        'INVALID_FIELD',
        `\n${text}\n${' '.repeat(Math.max(column - 1, 0))}^\nERROR at Row:1:Column:${column}\nNo such column '${name}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return soql;
  }

  private select(soql: Soql, all: boolean): SfRecord[] {
    const object = this.org.schema(soql.object)!.name;
    const readers = new Map(conditionFields(soql.where).map((path) => [path, this.org.reader(object, path)]));
    const rows: SfRecord[] = [];
    for (const record of this.org.records.get(object)!.values()) {
      if (!all && record.IsDeleted === true) continue;
      if (soql.where && !matches(soql.where, (path) => readers.get(path)!(record))) continue;
      rows.push(record);
      if (soql.limit !== null && rows.length >= soql.limit) break;
    }
    return rows;
  }

  /** One AggregateResult row: COUNT counts non-null values, MAX of a datetime answers in REST's format. */
  private aggregate(soql: Soql, rows: SfRecord[]): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    for (const { fn, field, alias } of soql.aggregates) {
      const read = this.org.reader(soql.object, field);
      const values = rows.map(read).filter((v) => v !== null);
      if (fn === 'COUNT') out[alias] = values.length;
      else out[alias] = values.length === 0 ? null : restDate(values.map(String).reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)));
    }
    return out;
  }

  private queryPage(req: IncomingMessage, res: ServerResponse, version: string, cursorId: string, offset: number, size: number, drop: number | undefined): void {
    const cursor = this.cursors.get(cursorId)!;
    const end = Math.min(offset + size, cursor.rows.length);
    const readers = cursor.fields.map((path) => ({ path, read: this.org.reader(cursor.object, path) }));
    const records = cursor.rows.slice(offset, end).map((row) => {
      const out: Record<string, unknown> = { attributes: { type: cursor.object, url: `/services/data/v${version}/sobjects/${cursor.object}/${row.Id}` } };
      for (const { path, read } of readers) nest(this.org, cursor.object, out, path, read(row), row, version);
      return out;
    });
    const done = end >= cursor.rows.length;
    if (done) this.cursors.delete(cursorId);
    this.json(req, res, 200, {
      totalSize: cursor.rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${cursorId}-${end}` }),
      records,
    }, drop);
  }

  private jobInfo(job: BulkJob, version: string) {
    return {
      id: job.id, operation: job.operation, object: job.object, createdById: '0055g00000StandInAAA', createdDate: job.createdDate,
      systemModstamp: job.createdDate, concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: Number(version), lineEnding: 'LF', columnDelimiter: 'COMMA',
    };
  }

  /** One page of a job's results: a complete CSV with its own header; Sforce-Locator names the next page or is "null". */
  private async bulkPage(res: ServerResponse, job: BulkJob, url: URL, drop: number | undefined): Promise<void> {
    const offset = url.searchParams.get('locator') ? Number(Buffer.from(url.searchParams.get('locator')!, 'base64url').toString()) : 0;
    const size = Number(url.searchParams.get('maxRecords') ?? this.bulkPageSize);
    const end = Math.min(offset + size, job.rows.length);
    const readers = job.fields.map((path) => this.org.reader(job.object, path));
    const texts = job.fields.map((path) => bulkText(this.org.resolve(job.object, path)!.field.type));
    const locator = end < job.rows.length ? Buffer.from(String(end)).toString('base64url') : 'null';
    this.requests.push({ method: 'GET', path: url.pathname, status: 200 });
    res.writeHead(200, { ...this.limitInfo(url.pathname), 'content-type': 'text/csv', 'sforce-locator': locator, 'sforce-numberofrecords': String(end - offset) });
    let chunk = job.fields.map(csvQuote).join(',') + '\n';
    let written = 0;
    for (let i = offset; i < end; i++) {
      const row = job.rows[i]!;
      chunk += readers.map((read, column) => csvQuote(texts[column]!(read(row)))).join(',') + '\n';
      if (chunk.length > 65536 || i === end - 1) {
        if (drop !== undefined && written + chunk.length > drop) {
          res.write(chunk.slice(0, Math.max(drop - written, 1)));
          setImmediate(() => res.socket?.destroy());
          return;
        }
        written += chunk.length;
        // Written as fast as the client reads, like a server that streams from disk.
        if (!res.write(chunk)) await once(res, 'drain');
        chunk = '';
      }
    }
    if (chunk) res.write(chunk);
    res.end();
  }

  private notSupported(req: IncomingMessage, res: ServerResponse, object: string): void {
    this.json(req, res, 404, [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist: sObject type '${object}' is not supported.` }]);
  }

  private json(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, drop?: number): void {
    const text = JSON.stringify(value);
    this.requests.push({ method: req.method!, path: new URL(req.url!, 'http://x').pathname, status });
    res.writeHead(status, { ...this.limitInfo(new URL(req.url!, 'http://x').pathname), 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    if (drop === undefined) return void res.end(text);
    res.write(text.slice(0, drop));
    setImmediate(() => res.socket?.destroy());
  }

  private authorize(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const p = url.searchParams;
    if (p.get('client_id') !== this.app.clientId) return this.json(req, res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    const redirect = p.get('redirect_uri') ?? '';
    if (this.app.callbackUrl && redirect !== this.app.callbackUrl) return this.json(req, res, 400, { error: 'redirect_uri_mismatch', error_description: 'redirect_uri must match configuration' });
    const challenge = p.get('code_challenge');
    if (challenge && (p.get('code_challenge_method') ?? 'S256') !== 'S256') return this.json(req, res, 400, { error: 'invalid_request', error_description: 'unsupported code_challenge_method' });
    // The user logs in and allows access at once: the stand-in answers as that consent page would.
    const code = `aPrx${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, { redirect, user: this.user, scope: p.get('scope') ?? 'api refresh_token', challenge });
    const target = new URL(redirect);
    target.searchParams.set('code', code);
    if (p.get('state')) target.searchParams.set('state', p.get('state')!);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  private token(req: IncomingMessage, res: ServerResponse, p: URLSearchParams): void {
    const fail = (error: string, description: string, status = 400) => this.json(req, res, status, { error, error_description: description });
    const grant = p.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return this.jwtBearer(req, res, p.get('assertion') ?? '');
    if (p.get('client_id') !== this.app.clientId) return fail('invalid_client_id', 'client identifier invalid');
    if (p.has('client_secret') && p.get('client_secret') !== this.app.clientSecret) return fail('invalid_client', 'invalid client credentials');
    if (grant === 'authorization_code') {
      const issued = this.codes.get(p.get('code') ?? '');
      if (issued === undefined) return fail('invalid_grant', 'invalid authorization code');
      if (issued.redirect !== p.get('redirect_uri')) return fail('redirect_uri_mismatch', 'redirect_uri must match configuration');
      this.codes.delete(p.get('code')!);
      const verifier = p.get('code_verifier');
      if (issued.challenge !== null && (verifier === null || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge)) {
        return fail('invalid_grant', 'invalid code verifier');
      }
      const scopes = issued.scope.split(' ');
      if (!scopes.includes('refresh_token') && !scopes.includes('offline_access')) return this.json(req, res, 200, this.tokenResponse({}, issued.user, issued.scope));
      const refreshToken = `5Aep861${randomBytes(32).toString('base64url')}`;
      this.refreshTokens.add(refreshToken);
      return this.json(req, res, 200, this.tokenResponse({ refresh_token: refreshToken }, issued.user, issued.scope));
    }
    if (grant === 'refresh_token') {
      if (!this.refreshTokens.has(p.get('refresh_token') ?? '')) return fail('invalid_grant', 'expired access/refresh token');
      return this.json(req, res, 200, this.tokenResponse());
    }
    if (grant === 'password') {
      if (p.get('client_secret') !== this.app.clientSecret) return fail('invalid_client', 'invalid client credentials');
      if (p.get('username') !== this.user.username || p.get('password') !== this.user.password + (this.user.securityToken ?? '')) {
        return fail('invalid_grant', 'authentication failure');
      }
      return this.json(req, res, 200, this.tokenResponse());
    }
    return fail('unsupported_grant_type', 'grant type not supported');
  }

  /** OpenID Connect userinfo, as Salesforce answers it for the access token's user (403 Bad_OAuth_Token without a live one). */
  private userinfo(req: IncomingMessage, res: ServerResponse): void {
    const user = this.sessions.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (!user) {
      this.requests.push({ method: req.method!, path: '/services/oauth2/userinfo', status: 403 });
      res.writeHead(403, { 'content-type': 'text/plain;charset=UTF-8' });
      return void res.end('Bad_OAuth_Token');
    }
    const userId = this.userId(user);
    this.json(req, res, 200, {
      sub: `${this.url}/id/${this.org.id}/${userId}`,
      user_id: userId,
      organization_id: this.org.id,
      preferred_username: user.username,
      nickname: user.username.split('@')[0],
      name: user.name ?? user.username.split('@')[0],
      email: user.email ?? user.username,
      email_verified: user.emailVerified ?? true,
      active: true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      updated_at: '2026-01-05T09:00:00Z',
    });
  }

  private jwtBearer(req: IncomingMessage, res: ServerResponse, assertion: string): void {
    const fail = (description: string) => this.json(req, res, 400, { error: 'invalid_grant', error_description: description });
    const [header, payload, signature] = assertion.split('.');
    if (!header || !payload || !signature || !this.app.certificate) return fail('invalid assertion');
    const valid = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(this.app.certificate, Buffer.from(signature, 'base64url'));
    if (!valid) return fail('invalid assertion');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss?: string; sub?: string; aud?: string; exp?: number };
    if (claims.iss !== this.app.clientId) return this.json(req, res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    if (claims.aud !== this.url) return fail('audience is invalid');
    if (!claims.exp || claims.exp * 1000 < Date.now()) return fail('expired authorization code');
    if (claims.sub !== this.user.username) return fail('user hasn\'t approved this consumer');
    this.json(req, res, 200, this.tokenResponse());
  }

  private soapLogin(req: IncomingMessage, res: ServerResponse, xml: string): void {
    const username = /<username>(.*?)<\/username>/s.exec(xml)?.[1];
    const password = /<password>(.*?)<\/password>/s.exec(xml)?.[1];
    res.setHeader('content-type', 'text/xml;charset=UTF-8');
    this.requests.push({ method: 'POST', path: '/services/Soap/u', status: 200 });
    if (username !== this.user.username || password !== this.user.password + (this.user.securityToken ?? '')) {
      res.statusCode = 500;
      return void res.end(
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">' +
          '<soapenv:Body><soapenv:Fault><faultcode>INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.</faultstring>' +
          '<detail><sf:LoginFault><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>Invalid username, password, security token; or user locked out.</sf:exceptionMessage></sf:LoginFault></detail>' +
          '</soapenv:Fault></soapenv:Body></soapenv:Envelope>',
      );
    }
    const session = this.newSession(this.user);
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">' +
        `<soapenv:Body><loginResponse><result><metadataServerUrl>${this.url}/services/Soap/m/62.0/${this.org.id}</metadataServerUrl><passwordExpired>false</passwordExpired>` +
        `<sandbox>false</sandbox><serverUrl>${this.url}/services/Soap/u/62.0/${this.org.id}</serverUrl><sessionId>${session}</sessionId><userId>0055g00000StandInAAA</userId>` +
        `<userInfo><organizationId>${this.org.id}</organizationId><userName>${this.user.username}</userName></userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>`,
    );
  }
}

/** Starts a stand-in; `close` it after the tests. */
export function startStandIn(options: StandInOptions = {}): Promise<SalesforceStandIn> {
  return new SalesforceStandIn(options).start();
}

function batchSize(header: string | string[] | undefined, fallback: number): number {
  const size = /batchSize=(\d+)/.exec(String(header ?? ''))?.[1];
  return size ? Math.min(Math.max(Number(size), 200), 2000) : fallback;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** REST renders datetimes as `2026-01-01T00:00:00.000+0000`. */
function restDate(iso: string): string {
  return iso.replace('Z', '+0000');
}

/** JSON.rawJSON (Node 21 on; not yet in TypeScript's lib): a value JSON.stringify writes as the text given. */
const rawJson = (JSON as JSON & { rawJSON: (text: string) => unknown }).rawJSON;

/** Places a value in a REST record: `Parent.Id` becomes `Parent: { attributes, Id }`, or `Parent: null` when the lookup is empty. */
function nest(org: Org, object: string, out: Record<string, unknown>, path: string, value: Value, row: SfRecord, version: string): void {
  const resolved = org.resolve(object, path)!;
  const fieldType = resolved.field.type;
  // A number is written with the digits it has, even more than a double holds.
  const output = fieldType === 'datetime' && typeof value === 'string' ? restDate(value) : numberTypes.includes(fieldType) && typeof value === 'string' ? rawJson(value) : value;
  if (!resolved.via) {
    out[resolved.field.name] = output;
    return;
  }
  const relationship = resolved.via.relationshipName!;
  const targetId = row[resolved.via.name];
  if (targetId === null || targetId === undefined) {
    out[relationship] = null;
    return;
  }
  const type = resolved.via.referenceTo[0]!;
  const nested = (out[relationship] ??= { attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${targetId}` } }) as Record<string, unknown>;
  nested[resolved.field.name] = output;
}

function csvValue(value: Value): string {
  return value === null ? '' : String(value);
}

/**
 * How Bulk API 2.0's CSV writes a field: doubles, currencies and percents as Java prints a double
 * (100 as 100.0, from ten million on 1.0E7), where REST's JSON has 100; the rest as they are.
 */
function bulkText(type: FieldType): (value: Value) => string {
  if (type !== 'double' && type !== 'currency' && type !== 'percent') return csvValue;
  return (value) => {
    if (value === null) return '';
    const d = new Decimal(String(value));
    const abs = d.abs();
    if (d.isZero() || (abs.gte('0.001') && abs.lt(10_000_000))) {
      const plain = d.toFixed();
      return plain.includes('.') ? plain : `${plain}.0`;
    }
    const [mantissa, exponent] = d.toExponential().split('e') as [string, string];
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  };
}

function csvQuote(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
