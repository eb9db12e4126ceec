import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type express from 'express';
import { pino } from 'pino';
import { resolveAdminKey } from '../../core/admin-key.ts';
import type { SalesforceApp } from '../../core/connections/salesforce-auth.ts';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { Notifications } from '../../core/notifications.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { secretBox } from '../../core/secret-box.ts';
import { createApp } from '../../server/app.ts';
import { listen } from '../../server/listen.ts';
import { embedTokens } from '../../server/widgets/embed-tokens.ts';
import type { WorkflowJobs } from '../../core/workflows/schedule.ts';
import type { SendQueue } from '../../core/surveys/create-distribution.ts';
import type { AnswerJobs } from '../../core/alerts/answer-jobs.ts';
import type { RateLimits } from '../../server/rate-limits.ts';
import type { SurveyJobs } from '../../core/surveys/follow-ups.ts';

export const adminKey = 'test-admin-key-0123456789';
export const testSecretBox = secretBox('a-test-secret-key-of-32-characters!');
/** The key embed tokens are signed with in tests, and the one origin allowed to call the widget API. */
export const testEmbedTokenKey = new TextEncoder().encode('a-test-embed-token-key-of-32-chars!');
export const testPortalOrigin = 'https://portal.example.com';

/** Where the test app says it is served (links in mail start with it); mail goes to the test database's outbox. */
export const testPublicUrl = 'http://bellwether.localhost';
const testMail = { smtpUrl: undefined, sendRate: undefined, smtpConnections: 1, mailFrom: 'Bellwether <team@bellwether.localhost>' };

export type Reply = { status: number; headers: Headers; body: unknown };

/** The API listening on a free port, called with `fetch` as a client would. */
export type Served = {
  /** Where it listens, for requests that read the response themselves (a stream). */
  base: string;
  get: (path: string, options?: { key?: string | null }) => Promise<Reply>;
  request: (path: string, init: RequestInit) => Promise<Reply>;
  close: () => Promise<void>;
};

/**
 * Without a job queue, nothing is scheduled, a run asked for is dropped, as a queue that already
 * holds one would, and a preview is refused as when no worker answers.
 */
const noQueue: WorkflowJobs = {
  runNow: async () => null,
  checkSchedule: () => {},
  syncSchedule: async () => {},
  preview: async () => {
    throw new AppError(ErrorCode.INTERNAL, 'no worker made the preview', { status: 504 });
  },
};

/** Without a worker, a stored answer raises no alert and calls no webhook. */
const noAnswerJobs: AnswerJobs = { stored: async () => {} };

/** An import folder that holds nothing: a test whose workflows read local files names its own. */
const noImports = path.join(os.tmpdir(), 'bellwether-test-no-imports');

/** Without a job queue, a distribution asked for stays scheduled: nothing sends it. */
const noSending: SendQueue = { enqueue: async () => {} };

export type TestAppOptions = { sendQueue?: SendQueue; answerJobs?: AnswerJobs; surveyJobs?: SurveyJobs; salesforceApp?: SalesforceApp; importDir?: string; rateLimits?: Partial<RateLimits>; trustProxy?: number; now?: () => Date; uploadMaxBytes?: number };

/** The app as `serve` runs it, for a test that mounts it behind routes of its own (a page to embed the widget in). */
export async function testApp(
  db: Db,
  logger: Logger = createLogger('silent', 'test'),
  workflowJobs: WorkflowJobs = noQueue,
  corsOrigins: readonly string[] = [testPortalOrigin],
  options: TestAppOptions = {},
): Promise<express.Express> {
  return createApp({
    db,
    // Listens only while a run's events are watched, so a test that watches none holds no connection.
    notifications: new Notifications(db.url),
    adminKey: await resolveAdminKey(db, adminKey),
    logger,
    secretBox: async () => testSecretBox,
    workflowJobs,
    sendQueue: options.sendQueue ?? noSending,
    answerJobs: options.answerJobs ?? noAnswerJobs,
    importDir: options.importDir ?? noImports,
    widgets: { embedTokens: async () => embedTokens(testEmbedTokenKey), corsOrigins },
    ...(options.salesforceApp ? { salesforceApp: options.salesforceApp } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ...(options.uploadMaxBytes ? { uploadMaxBytes: options.uploadMaxBytes } : {}),
    ...(options.surveyJobs ? { surveyJobs: options.surveyJobs } : {}),
    people: { publicUrl: testPublicUrl, mail: testMail, now: options.now ?? (() => new Date()) },
  });
}

/** `port` 0 takes a free one; a test that must name its own address first (an OAuth callback) picks it. */
export async function serve(db: Db, logger: Logger = createLogger('silent', 'test'), workflowJobs: WorkflowJobs = noQueue, app?: express.Express, port = 0): Promise<Served> {
  const server: Server = await listen(app ?? (await testApp(db, logger, workflowJobs)), port);
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const request = async (path: string, init: RequestInit) => {
    const response = await fetch(base + path, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    base,
    request,
    get: (path, options = {}) => {
      const key = options.key === undefined ? adminKey : options.key;
      return request(path, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A logger that keeps what it writes, to check what a failure logged. */
export function recordingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void written.push(line) });
  return { logger, lines: () => written.map((line) => JSON.parse(line)) };
}
