import { Router } from 'express';
import { createSftpConnection, deleteSftpConnection, listSftpConnections } from '../../core/connections/sftp.ts';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secret-box.ts';

/** SFTP servers that export files: created with their credentials, shown without them. */
export function connectionRoutes(db: Queryable, secretBox: () => Promise<SecretBox>): Router {
  const router = Router();

  router.get('/sftp-connections', async (_req, res) => {
    res.json({ items: await listSftpConnections(db) });
  });

  router.post('/sftp-connections', async (req, res) => {
    if (typeof req.body !== 'object' || req.body === null) throw new AppError(ErrorCode.BAD_REQUEST, 'the body must be a JSON object');
    res.status(201).json(await createSftpConnection(db, await secretBox(), req.body));
  });

  router.delete('/sftp-connections/:id', async (req, res) => {
    const id = /^[1-9]\d{0,15}$/.test(req.params.id) ? Number(req.params.id) : 0;
    if (!id || !(await deleteSftpConnection(db, id))) {
      throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `SFTP connection ${req.params.id} does not exist`);
    }
    res.status(204).end();
  });

  return router;
}
