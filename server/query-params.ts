import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode, describeIssues } from '../core/errors.ts';
import { RunState } from '../core/states.ts';

/** A non-negative integer parameter; query strings carry text, so the digits are checked before the range. */
function integer(min: number, max: number, fallback: number) {
  const message = max === Number.MAX_SAFE_INTEGER ? `must be an integer of ${min} or more` : `must be an integer from ${min} to ${max}`;
  return z
    .string({ error: message })
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message))
    .default(fallback);
}

/** The directory the migration creates ('Default'); every read targets it unless told otherwise. */
const defaultDirectoryId = 1;

const directory = integer(1, Number.MAX_SAFE_INTEGER, defaultDirectoryId);

const search = z
  .string({ error: 'must be given once, as text' })
  .max(200, 'must be at most 200 characters')
  .transform((q) => q.trim() || undefined)
  .optional();

/** A page of a directory's list. */
export const pageQuery = z.object({
  limit: integer(1, 500, 50),
  offset: integer(0, Number.MAX_SAFE_INTEGER, 0),
  directory,
});

/** A page of a directory's list, optionally narrowed by a search text. */
export const listQuery = pageQuery.extend({ q: search });
export type ListQuery = z.infer<typeof listQuery>;

export const directoryQuery = z.object({ directory });

const sorts = ['name', '-name', 'externalId', '-externalId', 'updated', '-updated'] as const;

/** A page of a directory's accounts: searched, in one of the orders an index keeps, or only the top of the hierarchy. */
export const accountsQuery = listQuery.extend({
  sort: z.enum(sorts, { error: `must be ${sorts.join(', ').replace(/, (?=[^,]+$)/, ' or ')}` }).default('name')
    .describe('by name, external id or time of the last change; a leading - reverses the order'),
  top: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false').transform((value) => value === 'true')
    .describe('true lists only the top of the hierarchy: accounts without a live parent'),
});
export type AccountsQuery = z.infer<typeof accountsQuery>;

/** An instant with its offset (`2026-12-02T00:00:00+01:00`, or `Z`): a day starts at a different instant in each time zone. */
const instant = z.iso
  .datetime({ offset: true, error: 'must be a date and time with its offset, e.g. 2026-12-02T00:00:00Z' })
  .transform((text) => new Date(text))
  .optional();

/** A page of a directory's runs, optionally of one workflow, in one state, or started from `from` and before `to`. */
export const runsQuery = pageQuery.extend({
  workflow: integer(1, Number.MAX_SAFE_INTEGER, 0).transform((id) => id || null),
  state: z.enum(Object.values(RunState), { error: `must be ${Object.values(RunState).join(', ').replace(/, (?=\w+$)/, ' or ')}` }).optional(),
  from: instant,
  to: instant,
});

export const runErrorsQuery = z.object({
  errorsLimit: integer(1, 1000, 100),
  errorsOffset: integer(0, Number.MAX_SAFE_INTEGER, 0),
});

/** Parses `req.query` with `schema`; a bad value is a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new AppError(ErrorCode.BAD_REQUEST, `query parameter "${issue.path.join('.')}" ${issue.message}`);
}

/**
 * PostgreSQL text cannot hold NUL, so a parameter carrying one would fail its query with a 500:
 * every request is checked here first, and such a path or query parameter is a 400 naming it.
 */
export const refuseNul: RequestHandler = (req, _res, next) => {
  if (req.path.includes('%00')) return next(new AppError(ErrorCode.BAD_REQUEST, 'the path must not contain a NUL character (%00)'));
  for (const [name, value] of Object.entries(req.query)) {
    if ([value].flat().some((v) => typeof v === 'string' && v.includes('\0'))) {
      return next(new AppError(ErrorCode.BAD_REQUEST, `query parameter "${name}" must not contain a NUL character`));
    }
  }
  next();
};

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
export function containsPattern(text: string | undefined): string | null {
  return text === undefined ? null : `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** A row id from the path (`/workflows/:id`); anything but one is a 404 naming `what`, as an id that does not exist. */
export function idParam(raw: unknown, what: string, code: ErrorCode = ErrorCode.NOT_FOUND): number {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,15}$/.test(raw)) throw new AppError(code, `${what} ${String(raw)} does not exist`);
  return Number(raw);
}

/** A request's JSON body, which every write takes as one object. */
export function jsonBody(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(ErrorCode.BAD_REQUEST, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** A request's JSON body checked against `schema`; a bad one is a 400 naming each problem and `what` the body is. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(jsonBody(body));
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, `invalid ${what}: ${describeIssues(parsed.error, '(body)')}`);
  return parsed.data;
}
