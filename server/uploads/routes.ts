import { Router } from 'express';
import { refuseRemovalWhileUsed, workflowsUsingUpload } from '../../core/connections/usage.ts';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode, isAppError } from '../../core/errors.ts';
import { deleteUpload, findUpload, listUploads, newestUpload } from '../../core/uploads/queries.ts';
import { previewUpload, uploadPreviewQuery } from '../../core/uploads/preview-upload.ts';
import { checkUploadName, storeUpload, tooLarge } from '../../core/uploads/store-upload.ts';
import { principalOf } from '../people/access.ts';
import { asBadRequest, uploadBytes } from '../../core/uploads/read-upload.ts';
import { csvSource } from '../../core/records/csv-source.ts';
import { idParam, pageQuery, parseQuery } from '../query-params.ts';

/**
 * Uploaded files under /api/uploads: `POST /api/uploads?name=accounts.csv` with the file's bytes as
 * the raw body (any content type; read as it arrives, never held whole), the list, and removal.
 * Mounted before the JSON body parser, so a body is never parsed, whatever its type.
 */
export function uploadRoutes(db: Db, maxBytes: number): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const name = checkUploadName(req.query.name);
    const declared = Number(req.get('content-length'));
    // Refused before a byte is read when the client says how large it is; otherwise while it streams.
    if (declared > maxBytes) throw tooLarge(maxBytes);
    const principal = principalOf(res);
    const uploadedBy = principal.kind === 'session' ? principal.user.email : null;
    const upload = await storeUpload(db, { name, uploadedBy, maxBytes }, req).catch((error: unknown) => {
      // A client that went away is no failure of the server's: said as such, not logged as a 500.
      if (req.destroyed && !isAppError(error)) throw new AppError(ErrorCode.BAD_REQUEST, `the upload of "${name}" broke off before its end: nothing of it is kept`, { cause: error });
      throw error;
    });
    res.status(201).json(upload);
  });

  router.get('/', async (req, res) => {
    const { limit, offset } = parseQuery(pageQuery.omit({ directory: true }), req.query);
    res.json({ ...(await listUploads(db, { limit, offset })), limit, offset });
  });

  /** The header row of an uploaded CSV: the columns an import can map from. */
  router.get('/:id/columns', async (req, res) => {
    const id = idParam(req.params.id, 'upload');
    const upload = await findUpload(db, id);
    if (!upload) throw new AppError(ErrorCode.NOT_FOUND, `upload ${id} does not exist`);
    const bytes = uploadBytes(db, upload);
    try {
      res.json({ upload: id, name: upload.name, columns: (await csvSource(upload.name, bytes).catch(asBadRequest)).columns });
    } finally {
      bytes.destroy();
    }
  });

  /** The newest upload of a name, parsed with a task's delimiter, quote and encoding: its header and first rows. */
  router.get('/preview', async (req, res) => {
    const { name, ...dialect } = parseQuery(uploadPreviewQuery, req.query);
    res.json(await previewUpload(db, name, dialect));
  });

  /**
   * A workflow reads the newest upload of the names it gives: removing that one is refused while
   * any workflow names it, unless `?force=true`. An older one of the same name is read by none.
   */
  router.delete('/:id', async (req, res) => {
    const id = idParam(req.params.id, 'upload');
    const upload = await findUpload(db, id);
    if (!upload) throw new AppError(ErrorCode.NOT_FOUND, `upload ${id} does not exist`);
    const read = (await newestUpload(db, upload.name))?.id === id;
    const brokenWorkflows = read ? refuseRemovalWhileUsed(`the uploaded file "${upload.name}" (${id})`, await workflowsUsingUpload(db, upload.name), req.query.force === 'true') : [];
    if (!(await deleteUpload(db, id))) throw new AppError(ErrorCode.NOT_FOUND, `upload ${id} does not exist`);
    res.json({ deleted: id, brokenWorkflows });
  });

  return router;
}
