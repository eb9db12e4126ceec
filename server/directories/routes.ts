import { Router } from 'express';
import type { Db } from '../../core/db.ts';
import { ErrorCode } from '../../core/errors.ts';
import { idParam, parseBody } from '../query-params.ts';
import { findContactRules, saveContactRules } from '../../core/surveys/contact-rules.ts';
import { createDirectory, deleteDirectory, directoryInput, findDirectory, listDirectories, renameDirectory } from '../../core/directory/directories.ts';

/** The directories: list, create, rename, and remove with what it removes named first (GET one); each one's contact rules. */
export function directoriesRoutes(db: Db): Router {
  const router = Router();
  const id = (raw: unknown) => idParam(raw, 'directory', ErrorCode.DIRECTORY_NOT_FOUND);
  router.get('/directories', async (_req, res) => {
    res.json({ items: await listDirectories(db) });
  });
  router.post('/directories', async (req, res) => {
    res.status(201).json(await createDirectory(db, parseBody(directoryInput, req.body, 'directory').name));
  });
  router.get('/directories/:id', async (req, res) => {
    res.json(await findDirectory(db, id(req.params.id)));
  });
  router.patch('/directories/:id', async (req, res) => {
    const directory = id(req.params.id);
    res.json(await renameDirectory(db, directory, parseBody(directoryInput, req.body, 'directory').name));
  });
  router.delete('/directories/:id', async (req, res) => {
    const directory = id(req.params.id);
    res.json({ deleted: directory, removed: await deleteDirectory(db, directory) });
  });
  router.get('/directories/:id/contact-rules', async (req, res) => {
    res.json(await findContactRules(db, id(req.params.id)));
  });
  router.put('/directories/:id/contact-rules', async (req, res) => {
    res.json(await saveContactRules(db, id(req.params.id), req.body));
  });
  return router;
}
