import { Router } from 'express';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { directoryPage } from '../../core/page.ts';
import { parseQuery, runErrorsQuery, runsQuery } from '../query-params.ts';
import { failLostRuns, findRun, listRuns, requestCancel, runErrorsCsv } from '../../core/runs/queries.ts';
import { watchRuns, Wakeup } from '../../core/runs/run-changes.ts';
import type { Notifications } from '../../core/notifications.ts';
import { RunState } from '../../core/states.ts';

/** Fits a bigint run id, so anything longer is simply not a run. */
const runIdPattern = /^[1-9]\d{0,17}$/;

/** The history of loads: each run's outcome, counts and row errors. */
export function runRoutes(db: Db, notifications: Notifications): Router {
  const router = Router();

  router.get('/runs', async (req, res) => {
    const { limit, offset, directory, workflow, state, from, to } = parseQuery(runsQuery, req.query);
    res.json(directoryPage(await listRuns(db, directory, { workflowId: workflow, state, from, to }, { limit, offset }), directory));
  });

  router.get('/runs/:id', async (req, res) => {
    const { errorsLimit, errorsOffset } = parseQuery(runErrorsQuery, req.query);
    const id = req.params.id;
    const run = runIdPattern.test(id) ? await findRun(db, id, { limit: errorsLimit, offset: errorsOffset }) : null;
    if (!run) throw new AppError(ErrorCode.NOT_FOUND, `run ${id} does not exist`);
    const { errors, ...summary } = run;
    res.json({ ...summary, errors: { items: errors, total: summary.errorCount, limit: errorsLimit, offset: errorsOffset } });
  });

  /**
   * Stops a running sync at its next checkpoint (202); it rolls back and ends failed with
   * RUN_CANCELLED. A run whose process died reaches no checkpoint: it ends at once (200), WORKER_LOST.
   */
  router.post('/runs/:id/cancel', async (req, res) => {
    const id = req.params.id;
    const run = runIdPattern.test(id) ? await findRun(db, id, { limit: 0, offset: 0 }) : null;
    if (!run) throw new AppError(ErrorCode.NOT_FOUND, `run ${id} does not exist`);
    if (!(await requestCancel(db, id))) throw new AppError(ErrorCode.CONFLICT, `run ${id} is not running (it ${run.state})`);
    const lost = await failLostRuns(db, id);
    if (lost.length === 0) res.status(202).json({ id: run.id, cancelRequested: true });
    else res.status(200).json({ id: run.id, cancelRequested: true, state: 'failed', errorCode: ErrorCode.WORKER_LOST });
  });

  /** Every row error of the run as CSV, streamed, for a spreadsheet. */
  router.get('/runs/:id/errors.csv', async (req, res) => {
    const id = req.params.id;
    const run = runIdPattern.test(id) ? await findRun(db, id, { limit: 0, offset: 0 }) : null;
    if (!run) throw new AppError(ErrorCode.NOT_FOUND, `run ${id} does not exist`);
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="run-${run.id}-errors.csv"` });
    await db.tx(async (tx) => {
      for await (const line of runErrorsCsv(tx, run.id)) res.write(`${line}\n`);
    });
    res.end();
  });

  /**
   * Server-sent events: the run as it changes (`progress`), then `end` once it has finished. The run
   * is read again when the database announces a change of it, not on a timer.
   */
  router.get('/runs/:id/events', async (req, res) => {
    const id = req.params.id;
    if (!runIdPattern.test(id)) throw new AppError(ErrorCode.NOT_FOUND, `run ${id} does not exist`);
    const changed = new Wakeup();
    // Listening before the first read, so a change between the two is not missed.
    const stop = await watchRuns(notifications, (change) => {
      if (change === null || change.id === id) changed.wake();
    });
    try {
      const read = () => findRun(db, id, { limit: 0, offset: 0 });
      let run = await read();
      if (!run) throw new AppError(ErrorCode.NOT_FOUND, `run ${id} does not exist`);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let closed = false;
      req.on('close', () => {
        closed = true;
        changed.wake();
      });
      let last = '';
      while (run && !closed) {
        const { errors: _, ...summary } = run;
        const data = JSON.stringify(summary);
        if (data !== last) res.write(`event: progress\ndata: ${data}\n\n`);
        last = data;
        if (run.state !== RunState.running) {
          res.write(`event: end\ndata: ${data}\n\n`);
          break;
        }
        await changed.next();
        if (!closed) run = await read();
      }
      res.end();
    } finally {
      await stop();
    }
  });

  return router;
}
