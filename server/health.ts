import { Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../core/db.ts';
import type { Logger } from '../core/log.ts';

/** An unreachable server can leave a connection attempt hanging; a probe must answer sooner. */
const databaseTimeoutMs = 3000;

export const healthSchema = z.object({ status: z.literal('ok'), database: z.literal('ok') });
export const unhealthySchema = z.object({ status: z.literal('unavailable'), database: z.literal('unreachable') });

/** `GET /health`, without a key: whether the process runs and its database answers. */
export function healthRoutes(db: Queryable, logger: Logger): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    try {
      await withTimeout(db.query('select 1'), databaseTimeoutMs);
      res.json({ status: 'ok', database: 'ok' } satisfies z.infer<typeof healthSchema>);
    } catch (error) {
      logger.warn({ err: error }, 'health check: the database did not answer');
      res.status(503).json({ status: 'unavailable', database: 'unreachable' } satisfies z.infer<typeof unhealthySchema>);
    }
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
