import { Router, type Request, type Response } from 'express';
import {
  beginAuthorization,
  createHeadlessConnection,
  deleteSalesforceConnection,
  insertConnection,
  listSalesforceConnections,
  renameSalesforceConnection,
  takeAuthorization,
} from '../../core/connections/salesforce.ts';
import { salesforceUsage } from '../../core/connections/salesforce-usage.ts';
import { describeSourceObject, sourceKindSchema, sourceListViews } from '../../core/connections/salesforce-describe.ts';
import type { SourceKind } from '../../core/records/source.ts';
import { authorizationUrl, exchangeCode, type SalesforceApp } from '../../core/connections/salesforce-auth.ts';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { idParam } from '../query-params.ts';
import { refuseRemovalInUse } from './routes.ts';

function sourceKind(value: unknown): SourceKind {
  const parsed = sourceKindSchema.safeParse(value);
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, `the directory source is accounts, contacts or teamMembers, not "${String(value)}"`);
  return parsed.data;
}

function requireApp(app: SalesforceApp | undefined): SalesforceApp {
  if (!app) {
    throw new AppError(ErrorCode.CONFIG_INVALID, 'connecting through the Salesforce login needs SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (a Connected App): set them and restart', { status: 409 });
  }
  return app;
}

/** Connected Salesforce orgs under /api: shown without their secrets, renamed, removed. */
export function salesforceConnectionRoutes(db: Queryable, secretBox: () => Promise<SecretBox>, app: SalesforceApp | undefined): Router {
  const router = Router();

  router.get('/salesforce-connections', async (_req, res) => {
    res.json({ items: await listSalesforceConnections(db) });
  });

  /** Headless setups: the JWT bearer flow or username-password, logged in once before they are stored. */
  router.post('/salesforce-connections', async (req, res) => {
    res.status(201).json(await createHeadlessConnection(db, await secretBox(), req.body));
  });

  /** The web-server flow's first step: sends the admin's browser to the org's login page. */
  router.get('/salesforce-connections/authorize', async (req, res) => {
    await refusalsToConsole(req, res, async () => {
      const salesforce = requireApp(app);
      const { state, challenge, loginUrl } = await beginAuthorization(db, { name: req.query.name, ...(req.query.loginUrl ? { loginUrl: req.query.loginUrl } : {}) });
      res.redirect(302, authorizationUrl(salesforce, loginUrl, state, challenge));
    });
  });

  /** Who the connection logs in as, and the org's API usage today: one login and one API request. */
  router.get('/salesforce-connections/:id/usage', async (req, res) => {
    res.json(await salesforceUsage(db, await secretBox(), idParam(req.params.id, 'Salesforce connection', ErrorCode.CONNECTION_NOT_FOUND)));
  });

  /** What an extract task may pick: the fields of the object behind a directory source, and its list views. */
  router.get('/salesforce-connections/:id/objects/:kind/fields', async (req, res) => {
    const id = idParam(req.params.id, 'Salesforce connection', ErrorCode.CONNECTION_NOT_FOUND);
    res.json(await describeSourceObject(db, await secretBox(), id, sourceKind(req.params.kind)));
  });

  router.get('/salesforce-connections/:id/objects/:kind/list-views', async (req, res) => {
    const id = idParam(req.params.id, 'Salesforce connection', ErrorCode.CONNECTION_NOT_FOUND);
    res.json({ items: await sourceListViews(db, await secretBox(), id, sourceKind(req.params.kind)) });
  });

  router.patch('/salesforce-connections/:id', async (req, res) => {
    res.json(await renameSalesforceConnection(db, idParam(req.params.id, 'Salesforce connection', ErrorCode.CONNECTION_NOT_FOUND), req.body));
  });

  router.delete('/salesforce-connections/:id', async (req, res) => {
    const id = idParam(req.params.id, 'Salesforce connection', ErrorCode.CONNECTION_NOT_FOUND);
    const brokenWorkflows = await refuseRemovalInUse(db, 'salesforce', id, req.query.force === 'true');
    if (!(await deleteSalesforceConnection(db, id))) throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `Salesforce connection ${id} does not exist`);
    res.json({ deleted: id, brokenWorkflows });
  });

  return router;
}

/**
 * Where Salesforce sends the admin's browser back (public: the one-time state is the proof): the
 * code becomes a refresh token, stored sealed, and the page says which org is connected.
 */
export function salesforceCallbackRoute(db: Queryable, secretBox: () => Promise<SecretBox>, app: SalesforceApp | undefined): Router {
  const router = Router();
  router.get('/oauth/salesforce/callback', (req, res) => refusalsToConsole(req, res, async () => {
    const salesforce = requireApp(app);
    const { state, code, error, error_description: description } = req.query as Record<string, string | undefined>;
    const pending = await takeAuthorization(db, state ?? '');
    if (error || !code) {
      throw new AppError(ErrorCode.SALESFORCE_AUTH_FAILED, `Salesforce did not allow access for "${pending.name}": ${error ?? 'no code'}${description ? ` (${description})` : ''}`);
    }
    const session = await exchangeCode(salesforce, pending.loginUrl, code, pending.verifier, pending.name);
    const login = { flow: 'web' as const, loginUrl: pending.loginUrl, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, refreshToken: session.refreshToken };
    const connection = await insertConnection(db, await secretBox(), pending.name, login, session);
    // A person's browser (the console's "Connect a Salesforce org") goes back to the Connections page; a script reads the JSON.
    if (fromBrowser(req)) return res.redirect(303, `/connections?connected=${connection.id}`);
    res.status(201).json(connection);
  }));
  return router;
}

/** A person's browser, which asks for a page, rather than a script, which asks for JSON. */
function fromBrowser(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}

/**
 * The login's steps run in the admin's browser, away from the console: a refusal sends the browser
 * back to the Connections page, which shows it by the connect form; a script gets the JSON error.
 */
async function refusalsToConsole(req: Request, res: Response, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!isAppError(error) || !fromBrowser(req)) throw error;
    res.redirect(303, `/connections?${new URLSearchParams({ refusedCode: error.code, refusedMessage: error.message })}`);
  }
}
