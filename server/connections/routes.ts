import { Router } from 'express';
import { createSftpConnection, deleteSftpConnection, listSftpConnections, sftpFolderQuery, sftpPreviewQuery, updateSftpConnection, type VerifySftp } from '../../core/connections/sftp.ts';
import { refuseRemovalWhileUsed, workflowsUsingConnection } from '../../core/connections/usage.ts';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { idParam, parseQuery } from '../query-params.ts';

/** The SFTP client is loaded when a connection is first tested or browsed: the web process starts without it. */
const sftpCheck = () => import('../../core/connections/sftp-check.ts');
const sftpBrowse = () => import('../../core/connections/sftp-browse.ts');
const verifySftpConnection: VerifySftp = async (connection) => (await sftpCheck()).verifySftpConnection(connection);

/** SFTP servers that export files: tested, then created or changed with their credentials; shown without them. */
export function connectionRoutes(db: Queryable, secretBox: () => Promise<SecretBox>): Router {
  const router = Router();

  router.get('/sftp-connections', async (_req, res) => {
    res.json({ items: await listSftpConnections(db) });
  });

  router.post('/sftp-connections', async (req, res) => {
    if (typeof req.body !== 'object' || req.body === null) throw new AppError(ErrorCode.BAD_REQUEST, 'the body must be a JSON object');
    res.status(201).json(await createSftpConnection(db, await secretBox(), req.body, verifySftpConnection));
  });

  /** The server's host key to trust and, once it is trusted, the folder: before a connection is saved. */
  router.post('/sftp-connections/test', async (req, res) => {
    res.json(await (await sftpCheck()).testSftpConnection(db, await secretBox(), req.body));
  });

  /** A folder of a stored connection's server, for the workflow builder to pick an extract's file in. */
  router.get('/sftp-connections/:id/files', async (req, res) => {
    const id = idParam(req.params.id, 'SFTP connection', ErrorCode.CONNECTION_NOT_FOUND);
    const { path } = parseQuery(sftpFolderQuery, req.query);
    res.json(await (await sftpBrowse()).browseSftpFolder(db, await secretBox(), id, path));
  });

  /** The file an SFTP extract would read, parsed with its delimiter, quote and encoding: its header and first rows. */
  router.get('/sftp-connections/:id/preview', async (req, res) => {
    const id = idParam(req.params.id, 'SFTP connection', ErrorCode.CONNECTION_NOT_FOUND);
    const query = parseQuery(sftpPreviewQuery, req.query);
    res.json(await (await sftpBrowse()).previewSftpFile(db, await secretBox(), id, query));
  });

  router.patch('/sftp-connections/:id', async (req, res) => {
    const id = idParam(req.params.id, 'SFTP connection', ErrorCode.CONNECTION_NOT_FOUND);
    res.json(await updateSftpConnection(db, await secretBox(), id, req.body, verifySftpConnection));
  });

  /**
   * Removing a connection breaks the workflows that read from it, so it is refused while any does,
   * naming them, unless `?force=true`; then the answer names the workflows it broke.
   */
  router.delete('/sftp-connections/:id', async (req, res) => {
    const id = idParam(req.params.id, 'SFTP connection', ErrorCode.CONNECTION_NOT_FOUND);
    const brokenWorkflows = await refuseRemovalInUse(db, 'sftp', id, req.query.force === 'true');
    if (!(await deleteSftpConnection(db, id))) throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `SFTP connection ${id} does not exist`);
    res.json({ deleted: id, brokenWorkflows });
  });

  return router;
}

const kindName = { sftp: 'SFTP', salesforce: 'Salesforce' } as const;

/** Removing a connection is refused while workflows read from it (see refuseRemovalWhileUsed). */
export async function refuseRemovalInUse(db: Queryable, kind: 'sftp' | 'salesforce', id: number, force: boolean): Promise<{ id: number; name: string }[]> {
  return refuseRemovalWhileUsed(`${kindName[kind]} connection ${id}`, await workflowsUsingConnection(db, kind, id), force);
}
