import { Router } from 'express';
import { openApiDocument } from './document.ts';

/** `GET /openapi.json`, without a key: the API's own description, built once. */
export function openApiRoutes(): Router {
  const router = Router();
  const document = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
