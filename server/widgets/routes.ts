import { Router, type RequestHandler } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { createWidgetConfig, deleteWidgetConfig, findWidgetConfig, listWidgetConfigs, updateWidgetConfig } from './config-queries.ts';
import { strategicAccounts } from './strategic-accounts.ts';

function configId(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,15}$/.test(raw)) throw new AppError(ErrorCode.NOT_FOUND, `widget configuration ${String(raw)} does not exist`);
  return Number(raw);
}

function body(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(ErrorCode.BAD_REQUEST, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Saved widget configurations (admin key). */
export function widgetConfigRoutes(db: Queryable): Router {
  const router = Router();
  router.get('/widget-configs', async (_req, res) => {
    res.json({ items: await listWidgetConfigs(db) });
  });
  router.post('/widget-configs', async (req, res) => {
    res.status(201).json(await createWidgetConfig(db, body(req.body)));
  });
  router.get('/widget-configs/:id', async (req, res) => {
    res.json(await findWidgetConfig(db, configId(req.params.id)));
  });
  router.patch('/widget-configs/:id', async (req, res) => {
    res.json(await updateWidgetConfig(db, configId(req.params.id), body(req.body)));
  });
  router.delete('/widget-configs/:id', async (req, res) => {
    await deleteWidgetConfig(db, configId(req.params.id));
    res.status(204).end();
  });
  return router;
}

/** The data of a Strategic Accounts widget; `authorize` lets the request through and says whose accounts it may see. */
export function strategicAccountsRoutes(db: Queryable, authorize: RequestHandler): Router {
  const router = Router();
  router.get('/widgets/strategic-accounts', authorize, async (req, res) => {
    const { config: raw } = req.query;
    if (raw === undefined) throw new AppError(ErrorCode.BAD_REQUEST, 'query parameter "config" names the widget configuration (its id)');
    const config = await findWidgetConfig(db, configId(raw));
    res.json(await strategicAccounts(db, config, req.query, { userEmail: null }));
  });
  return router;
}
