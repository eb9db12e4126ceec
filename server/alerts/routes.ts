import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { createAlertRule, deleteAlertRule, findAlertRule, listAlertRules, updateAlertRule } from '../../core/alerts/rules.ts';
import { findDirectory } from '../../core/directory/directories.ts';
import { directoryQuery, idParam, jsonBody, parseQuery } from '../query-params.ts';

/** A directory's alert rules: list, create, change (switch off with `enabled: false`), remove. */
export function alertRuleRoutes(db: Queryable): Router {
  const router = Router();
  const id = (raw: unknown) => idParam(raw, 'alert rule');
  router.get('/alert-rules', async (req, res) => {
    const { directory } = parseQuery(directoryQuery, req.query);
    await findDirectory(db, directory);
    res.json({ items: await listAlertRules(db, directory) });
  });
  router.post('/alert-rules', async (req, res) => {
    res.status(201).json(await createAlertRule(db, jsonBody(req.body)));
  });
  router.get('/alert-rules/:id', async (req, res) => {
    res.json(await findAlertRule(db, id(req.params.id)));
  });
  router.patch('/alert-rules/:id', async (req, res) => {
    res.json(await updateAlertRule(db, id(req.params.id), jsonBody(req.body)));
  });
  router.delete('/alert-rules/:id', async (req, res) => {
    await deleteAlertRule(db, id(req.params.id));
    res.status(204).end();
  });
  return router;
}
