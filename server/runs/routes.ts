import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { directoryPage } from '../../core/page.ts';
import { pageQuery, parseQuery, runErrorsQuery } from '../query-params.ts';
import { findRun, listRuns } from '../../core/runs/queries.ts';

/** Fits a bigint run id, so anything longer is simply not a run. */
const runIdPattern = /^[1-9]\d{0,17}$/;

/** The history of loads: each run's outcome, counts and row errors. */
export function runRoutes(db: Queryable): Router {
  const router = Router();

  router.get('/runs', async (req, res) => {
    const { limit, offset, directory } = parseQuery(pageQuery, req.query);
    res.json(directoryPage(await listRuns(db, directory, { limit, offset }), directory));
  });

  router.get('/runs/:id', async (req, res) => {
    const { errorsLimit, errorsOffset } = parseQuery(runErrorsQuery, req.query);
    const id = req.params.id;
    const run = runIdPattern.test(id) ? await findRun(db, id, { limit: errorsLimit, offset: errorsOffset }) : null;
    if (!run) throw new AppError(ErrorCode.NOT_FOUND, `run ${id} does not exist`);
    const { errors, ...summary } = run;
    res.json({ ...summary, errors: { items: errors, total: summary.errorCount, limit: errorsLimit, offset: errorsOffset } });
  });

  return router;
}
