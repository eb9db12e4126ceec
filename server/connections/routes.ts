import { Router } from 'express';
import { createSftpConnection, deleteSftpConnection, listSftpConnections, workflowsUsingSftpConnection } from '../../core/connections/sftp.ts';
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

  /**
   * Removing a connection breaks the workflows that read from it, so it is refused while any does,
   * naming them, unless `?force=true`; then the answer names the workflows it broke.
   */
  router.delete('/sftp-connections/:id', async (req, res) => {
    const id = /^[1-9]\d{0,15}$/.test(req.params.id) ? Number(req.params.id) : 0;
    const users = id ? await workflowsUsingSftpConnection(db, id) : [];
    if (users.length > 0 && req.query.force !== 'true') {
      const names = users.map((w) => `"${w.name}" (${w.id})`).join(', ');
      throw new AppError(ErrorCode.CONFLICT, `SFTP connection ${id} is used by workflow ${names}: removing it breaks them; add ?force=true to remove it anyway`);
    }
    if (!id || !(await deleteSftpConnection(db, id))) {
      throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `SFTP connection ${req.params.id} does not exist`);
    }
    res.json({ deleted: id, brokenWorkflows: users });
  });

  return router;
}
