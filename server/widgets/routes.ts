import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AdminKey } from '../../core/admin-key.ts';
import type { Db, Queryable } from '../../core/db.ts';
import { AppError, ErrorCode, describeIssues } from '../../core/errors.ts';
import { allowOrigins } from '../cors.ts';
import { idParam, jsonBody } from '../query-params.ts';
import { refuseRemovalWhileUsed, workflowsUsingWidgetConfig } from '../../core/connections/usage.ts';
import { principalOf } from '../people/access.ts';
import { addAllowedOrigin, listAllowedOrigins, originStored, removeAllowedOrigin } from './allowed-origins.ts';
import { checkAgainstDirectory, parseWidgetConfig, type WidgetConfig } from '../../core/widgets/config.ts';
import { createWidgetConfig, deleteWidgetConfig, findWidgetConfig, listWidgetConfigs, updateWidgetConfig } from '../../core/widgets/config-queries.ts';
import type { EmbedScope, EmbedTokens } from './embed-tokens.ts';
import { strategicAccounts } from './strategic-accounts.ts';

export type WidgetAccess = { embedTokens: () => Promise<EmbedTokens>; corsOrigins: readonly string[] };

export const tokenRequest = z.strictObject({
  configId: z.number({ error: 'names the widget configuration (its id)' }).int().min(1),
  userEmail: z.email('must be an email address').optional(),
  expiresInSeconds: z.number().int().min(60, 'must be from 60 to 31536000 (a year)').max(31_536_000, 'must be from 60 to 31536000 (a year)').default(86_400),
});

/** Saved widget configurations and the embed tokens that show them (admin key). */
export function widgetConfigRoutes(db: Queryable, access: WidgetAccess): Router {
  const router = Router();
  router.get('/widget-configs', async (_req, res) => {
    res.json({ items: await listWidgetConfigs(db) });
  });
  router.post('/widget-configs', async (req, res) => {
    res.status(201).json(await createWidgetConfig(db, jsonBody(req.body)));
  });
  /**
   * What the widget would show with a configuration not saved yet (the body, checked as a save
   * checks it), for the console's designer: the same answer as GET /api/widgets/strategic-accounts.
   */
  router.post('/widget-configs/preview', async (req, res) => {
    const body = jsonBody(req.body);
    const { name, directoryId, settings } = parseWidgetConfig({ name: 'Preview', ...body });
    await checkAgainstDirectory(db, directoryId, settings);
    const now = new Date();
    const draft: WidgetConfig = { id: 0, name, directoryId, ...settings, createdAt: now, updatedAt: now };
    res.json(await strategicAccounts(db, draft, req.query, { userEmail: null }));
  });
  router.get('/widget-configs/:id', async (req, res) => {
    res.json(await findWidgetConfig(db, idParam(req.params.id, 'widget configuration')));
  });
  router.patch('/widget-configs/:id', async (req, res) => {
    res.json(await updateWidgetConfig(db, idParam(req.params.id, 'widget configuration'), jsonBody(req.body)));
  });
  // A write-back task names its configuration: removing it would fail the workflow's next run, so it is refused unless forced.
  router.delete('/widget-configs/:id', async (req, res) => {
    const config = await findWidgetConfig(db, idParam(req.params.id, 'widget configuration'));
    refuseRemovalWhileUsed(`widget configuration ${config.id} ("${config.name}")`, await workflowsUsingWidgetConfig(db, config.id), req.query.force === 'true');
    await deleteWidgetConfig(db, config.id);
    res.status(204).end();
  });
  router.get('/allowed-origins', async (_req, res) => {
    res.json({ items: await listAllowedOrigins(db, access.corsOrigins) });
  });
  router.post('/allowed-origins', async (req, res) => {
    const principal = principalOf(res);
    res.status(201).json(await addAllowedOrigin(db, jsonBody(req.body), principal.kind === 'session' ? principal.user.email : null));
  });
  router.delete('/allowed-origins', async (req, res) => {
    const { origin } = req.query;
    if (typeof origin !== 'string') throw new AppError(ErrorCode.BAD_REQUEST, 'query parameter "origin" names the origin to remove');
    await removeAllowedOrigin(db, origin, access.corsOrigins);
    res.status(204).end();
  });
  router.post('/embed-tokens', async (req, res) => {
    const parsed = tokenRequest.safeParse(jsonBody(req.body));
    if (!parsed.success) {
      throw new AppError(ErrorCode.BAD_REQUEST, `invalid embed token request: ${describeIssues(parsed.error, '(body)')}`);
    }
    const { configId: id, userEmail, expiresInSeconds } = parsed.data;
    const config = await findWidgetConfig(db, id);
    const tokens = await access.embedTokens();
    res.status(201).json(await tokens.issue({ configId: config.id, directoryId: config.directoryId, userEmail: userEmail ?? null }, expiresInSeconds));
  });
  // For a system that mints tokens itself, per user, such as the Apex class inside Salesforce.
  router.get('/embed-tokens/signing-key', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json((await access.embedTokens()).signingKey());
  });
  return router;
}

const bearer = /^Bearer +(\S+) *$/i;

/** The admin key sees every account; an embed token only what it was issued for. */
async function authorize(req: Request, adminKey: AdminKey, access: WidgetAccess): Promise<EmbedScope | 'admin'> {
  const header = req.get('authorization');
  const presented = header === undefined ? undefined : bearer.exec(header)?.[1];
  if (presented !== undefined && adminKey.verify(presented)) return 'admin';
  if (presented === undefined) {
    throw new AppError(ErrorCode.UNAUTHORIZED, 'an embed token or the admin API key is required: send it as "Authorization: Bearer <token>"');
  }
  // A JWT has three dot-separated parts; anything else was meant as an admin key.
  if (presented.split('.').length !== 3) throw new AppError(ErrorCode.UNAUTHORIZED, 'the admin API key is not valid');
  return (await access.embedTokens()).verify(presented);
}

/**
 * The data of a Strategic Accounts widget, for the admin key or an embed token, called from the
 * pages of the allowed origins. Mounted before the admin-key check.
 */
export function strategicAccountsRoutes(db: Db, adminKey: AdminKey, access: WidgetAccess): Router {
  const router = Router();
  router.use('/widgets/strategic-accounts', allowOrigins(access.corsOrigins, ['GET'], (origin) => originStored(db, origin)));
  router.get('/widgets/strategic-accounts', async (req, res) => {
    const scope = await authorize(req, adminKey, access).catch((error: unknown) => {
      res.set('WWW-Authenticate', 'Bearer');
      throw error;
    });
    const { config: raw } = req.query;
    if (raw === undefined) throw new AppError(ErrorCode.BAD_REQUEST, 'query parameter "config" names the widget configuration (its id)');
    const id = idParam(raw, 'widget configuration');
    if (scope !== 'admin' && scope.configId !== id) throw new AppError(ErrorCode.FORBIDDEN, `this embed token shows widget configuration ${scope.configId}, not ${id}`);
    const config = await findWidgetConfig(db, id);
    if (scope !== 'admin' && scope.directoryId !== config.directoryId) {
      throw new AppError(ErrorCode.FORBIDDEN, `this embed token was issued for directory ${scope.directoryId}; the configuration now shows directory ${config.directoryId}`);
    }
    // Both statements read one snapshot, without JIT: their plans cost enough to pass jit_above_cost
    // at ten thousand accounts, and compiling them takes seconds where running them takes milliseconds.
    const data = await db.tx(async (tx) => {
      await tx.query('set local jit = off');
      return strategicAccounts(tx, config, req.query, { userEmail: scope === 'admin' ? null : scope.userEmail });
    });
    res.json(data);
  });
  return router;
}
