import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { findDirectory } from '../../core/directory/directories.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { createWebhook, deleteWebhook, findWebhook, listWebhookDeliveries, listWebhooks, updateWebhook } from '../../core/webhooks/webhooks.ts';
import { directoryQuery, idParam, jsonBody, pageQuery, parseQuery } from '../query-params.ts';

/** A directory's webhooks and their delivery log; the signing secret is shown once, when a webhook is created. */
export function webhookRoutes(db: Queryable, secretBox: () => Promise<SecretBox>): Router {
  const router = Router();
  const id = (raw: unknown) => idParam(raw, 'webhook');
  router.get('/webhooks', async (req, res) => {
    const { directory } = parseQuery(directoryQuery, req.query);
    await findDirectory(db, directory);
    res.json({ items: await listWebhooks(db, directory) });
  });
  router.post('/webhooks', async (req, res) => {
    res.status(201).json(await createWebhook(db, await secretBox(), jsonBody(req.body)));
  });
  router.get('/webhooks/:id', async (req, res) => {
    res.json(await findWebhook(db, id(req.params.id)));
  });
  router.patch('/webhooks/:id', async (req, res) => {
    res.json(await updateWebhook(db, id(req.params.id), jsonBody(req.body)));
  });
  router.delete('/webhooks/:id', async (req, res) => {
    await deleteWebhook(db, id(req.params.id));
    res.status(204).end();
  });
  router.get('/webhooks/:id/deliveries', async (req, res) => {
    const { limit, offset } = parseQuery(pageQuery.omit({ directory: true }), req.query);
    res.json(await listWebhookDeliveries(db, id(req.params.id), { limit, offset }));
  });
  return router;
}
