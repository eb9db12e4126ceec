import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode, isAppError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** Every error the API answers: a stable code to branch on and a message for people. */
export const errorBodySchema = z.object({ error: z.object({ code: z.enum(Object.values(ErrorCode)), message: z.string() }) });

/** Answers every request no route took with a JSON 404. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new AppError(ErrorCode.NOT_FOUND, `no route for ${req.method} ${req.path}`));
};

/**
 * A request Express itself refused: its body parser (the `http-errors` shape) or its router, which
 * marks a path it cannot percent-decode with status 400 but not `expose`. Our own code throws AppError.
 */
type ClientHttpError = Error & { status: number; type?: string };

function isClientHttpError(error: unknown): error is ClientHttpError {
  const status = (error as Partial<ClientHttpError> | null)?.status;
  return error instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Turns an error into `{ error: { code, message } }`: an AppError with its own status, a bad
 * request as a 400 (413 when its body is too large), and anything else as a logged 500 that shows
 * nothing of its cause.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    let known: AppError;
    if (isAppError(error)) {
      known = error;
    } else if (isClientHttpError(error)) {
      const message = error.type === 'entity.parse.failed' ? 'the request body is not valid JSON' : error.message;
      known = new AppError(ErrorCode.BAD_REQUEST, message, { status: error.status, cause: error });
    } else {
      known = new AppError(ErrorCode.INTERNAL, 'internal error', { cause: error });
    }
    if (known.status >= 500) logger.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    res.status(known.status).json({ error: { code: known.code, message: known.message } } satisfies z.infer<typeof errorBodySchema>);
  };
}
