import express from 'express';
import type { AdminKey } from '../core/admin-key.ts';
import type { Db } from '../core/db.ts';
import type { Logger } from '../core/log.ts';
import type { Notifications } from '../core/notifications.ts';
import { authenticate } from './people/access.ts';
import type { MailSettings } from './people/invitation-mail.ts';
import { myAccountsRoutes } from './people/my-accounts.ts';
import { sessions as sessionStore } from './people/sessions.ts';
import { signInRoutes } from './people/sign-in-routes.ts';
import { salesforceSignInRoutes } from './people/salesforce-sign-in.ts';
import { sessionRoutes, userRoutes } from './people/user-routes.ts';
import { directoryRoutes } from './directory/routes.ts';
import { directoriesRoutes } from './directories/routes.ts';
import { errorHandler, unknownRoute } from './errors.ts';
import { refuseNul } from './query-params.ts';
import { healthRoutes } from './health.ts';
import { openApiRoutes } from './openapi/routes.ts';
import { runRoutes } from './runs/routes.ts';
import { connectionRoutes } from './connections/routes.ts';
import { workflowRoutes } from './workflows/routes.ts';
import { uploadRoutes } from './uploads/routes.ts';
import { defaultUploadMaxBytes } from '../core/uploads/store-upload.ts';
import { strategicAccountsRoutes, widgetConfigRoutes, type WidgetAccess } from './widgets/routes.ts';
import { widgetBundleRoutes } from './widgets/bundle.ts';
import { consoleRoutes } from './console/routes.ts';
import type { WorkflowJobs } from '../core/workflows/schedule.ts';
import type { SendQueue } from '../core/surveys/create-distribution.ts';
import type { AnswerJobs } from '../core/alerts/answer-jobs.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { surveyPageRoutes } from './surveys/public-routes.ts';
import { alertRuleRoutes } from './alerts/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { noSurveyJobs, type SurveyJobs } from '../core/surveys/follow-ups.ts';
import { responseImportRoutes, surveyRoutes } from './surveys/routes.ts';
import type { SalesforceApp } from '../core/connections/salesforce-auth.ts';
import { salesforceCallbackRoute, salesforceConnectionRoutes } from './connections/salesforce-routes.ts';
import { authFailureLimit, defaultRateLimits, surveyPageLimit, type RateLimits } from './rate-limits.ts';
import { securityHeaders } from './security-headers.ts';

export type AppDeps = {
  db: Db; adminKey: AdminKey; logger: Logger;
  /** The process's one listener for database notifications (a run's progress). */
  notifications: Notifications; secretBox: () => Promise<SecretBox>; workflowJobs: WorkflowJobs;
  /** Where a distribution asked for through the API enqueues its sending. */
  sendQueue: SendQueue;
  /** Where a stored survey answer goes for its alerts and webhooks. */
  answerJobs: AnswerJobs;
  /** The folder workflows' file extracts read from (IMPORT_DIR). */
  importDir: string;
  widgets: WidgetAccess;
  /** The Connected App of the Salesforce web-server flow; unset: orgs connect headless only. */
  salesforceApp?: SalesforceApp;
  /** Unset: `defaultRateLimits` (tests shorten them). */
  rateLimits?: Partial<RateLimits>;
  /** Reverse proxies before the process (TRUST_PROXY), so rate limits count each client's own address. */
  trustProxy?: number;
  people: PeopleSettings;
  /** The most one uploaded file may hold (UPLOAD_MAX_BYTES); unset: `defaultUploadMaxBytes`. */
  uploadMaxBytes?: number;
  /** How an answer asks for its thank-you email; unset: it asks for none (no job queue). */
  surveyJobs?: SurveyJobs;
};

/** Sign-in: where the console is served (its origin, cookies' Secure, links in mail), the mail settings for invitations, and the clock sessions (and survey links) expire by. */
export type PeopleSettings = { publicUrl: string; mail: MailSettings; now: () => Date };

/**
 * The HTTP API as an Express app that never listens: the entry point (or a test) calls `listen`.
 * Everything under /api but the health probe, the API's description (/api/openapi.json), signing in and
 * the widget's data (embed tokens too) needs the admin key or a signed-in user whose role allows it;
 * the widget's script and the console's pages are public (the console reads the API as its signed-in user).
 * Survey pages (/s/<token>) and opt-outs (/o/<token>) are public: their unguessable token is the permission.
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 0);
  const limits = { ...defaultRateLimits, ...deps.rateLimits };
  app.use(refuseNul);

  app.use(securityHeaders());
  app.use(widgetBundleRoutes());
  app.use(consoleRoutes());
  app.use('/api', healthRoutes(deps.db, deps.logger));
  app.use('/api', openApiRoutes());
  // From here on every route checks a key or token (or sits behind one that does).
  app.use('/api', authFailureLimit(limits.authFailures));
  // The widget's data takes an embed token as well as the admin key, from the allowed origins.
  app.use('/api', strategicAccountsRoutes(deps.db, deps.adminKey, deps.widgets));
  const publicUrl = new URL(deps.people.publicUrl);
  const secure = publicUrl.protocol === 'https:';
  const sessions = sessionStore(deps.db, { secure, now: deps.people.now });
  app.use('/api', signInRoutes(deps.db, sessions, { publicOrigin: publicUrl.origin, now: deps.people.now }));
  // Before the org connections' callback: both come back to the Connected App's one callback URL.
  app.use(salesforceSignInRoutes(deps.db, sessions, { app: deps.salesforceApp, secure, now: deps.people.now, logger: deps.logger }));
  app.use(salesforceCallbackRoute(deps.db, deps.secretBox, deps.salesforceApp));
  app.use('/api', authenticate(deps.adminKey, sessions, publicUrl.origin));
  // An NPS history is larger than other requests, and may come as CSV, and an upload is any file: each read by its own route.
  app.use('/api/responses', responseImportRoutes(deps.db));
  app.use('/api/uploads', uploadRoutes(deps.db, deps.uploadMaxBytes ?? defaultUploadMaxBytes));
  app.use('/api', express.json({ limit: '16kb' }));
  app.use('/api', sessionRoutes(sessions));
  app.use('/api', userRoutes(deps.db, sessions, deps.people));
  app.use('/api', myAccountsRoutes(deps.db, deps.widgets));
  app.use('/api', directoryRoutes(deps.db));
  app.use('/api', directoriesRoutes(deps.db));
  app.use('/api', runRoutes(deps.db, deps.notifications));
  app.use('/api', connectionRoutes(deps.db, deps.secretBox));
  app.use('/api', salesforceConnectionRoutes(deps.db, deps.secretBox, deps.salesforceApp));
  app.use('/api', workflowRoutes(deps.db, deps.workflowJobs, deps.importDir, deps.secretBox));
  app.use('/api', widgetConfigRoutes(deps.db, deps.widgets));
  app.use('/api', surveyRoutes(deps.db, deps.sendQueue, deps.people.mail.mailFrom));
  app.use('/api', alertRuleRoutes(deps.db));
  app.use('/api', webhookRoutes(deps.db, deps.secretBox));
  app.use(['/s', '/o'], surveyPageLimit(limits.surveyPages));
  app.use(surveyPageRoutes(deps.db, { answerJobs: deps.answerJobs, jobs: deps.surveyJobs ?? noSurveyJobs, now: deps.people.now, logger: deps.logger }));

  app.use(unknownRoute);
  app.use(errorHandler(deps.logger));
  return app;
}
