import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';

/*
 * The origins whose pages may call the widget API, kept in the database so an admin adds a portal
 * in the console without a restart. CORS_ORIGINS still counts: its origins are listed alongside,
 * marked as coming from the environment, and cannot be removed here.
 */

export const allowedOriginSchema = z.object({
  origin: z.string(),
  /** `environment`: from CORS_ORIGINS, changed only there. */
  source: z.enum(['console', 'environment']),
  addedBy: z.string().nullable(),
  addedAt: z.date().nullable(),
});
export type AllowedOrigin = z.infer<typeof allowedOriginSchema>;

export const originInput = z.strictObject({ origin: z.string({ error: 'names an origin, e.g. https://portal.example.com' }) });

/** `https://host[:port]` as a browser sends it in Origin; anything with a path, query or other scheme is refused by name. */
export function normalOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new AppError(ErrorCode.BAD_REQUEST, `origin: "${text}" is not an address; write it as https://portal.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError(ErrorCode.BAD_REQUEST, `origin: "${text}" is not http or https`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new AppError(ErrorCode.BAD_REQUEST, `origin: "${text}" has more than an origin; a browser sends only ${url.origin}`);
  }
  return url.origin;
}

export async function listAllowedOrigins(db: Queryable, fromEnvironment: readonly string[]): Promise<AllowedOrigin[]> {
  const stored = await db.query<AllowedOrigin>(`select origin, 'console' as source, added_by as "addedBy", added_at as "addedAt" from allowed_origins order by origin`);
  const environment = fromEnvironment.map((origin): AllowedOrigin => ({ origin, source: 'environment', addedBy: null, addedAt: null }));
  return [...environment, ...stored.filter((o) => !fromEnvironment.includes(o.origin))];
}

export async function addAllowedOrigin(db: Queryable, input: unknown, addedBy: string | null): Promise<AllowedOrigin> {
  const parsed = originInput.safeParse(input);
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, 'the body is { "origin": "https://portal.example.com" }');
  const origin = normalOrigin(parsed.data.origin);
  const [row] = await db.query<AllowedOrigin>(
    `insert into allowed_origins (origin, added_by) values ($1, $2) on conflict (origin) do update set origin = excluded.origin
     returning origin, 'console' as source, added_by as "addedBy", added_at as "addedAt"`,
    [origin, addedBy],
  );
  return row!;
}

export async function removeAllowedOrigin(db: Queryable, origin: string, fromEnvironment: readonly string[]): Promise<void> {
  const normal = normalOrigin(origin);
  if (fromEnvironment.includes(normal)) throw new AppError(ErrorCode.CONFLICT, `${normal} is allowed by CORS_ORIGINS: remove it there`);
  const removed = await db.query('delete from allowed_origins where origin = $1 returning 1', [normal]);
  if (removed.length === 0) throw new AppError(ErrorCode.NOT_FOUND, `${normal} is not an allowed origin`);
}

/** Whether the database allows `origin` (the environment's origins are checked before, without a query). */
export async function originStored(db: Queryable, origin: string): Promise<boolean> {
  return (await db.query('select 1 from allowed_origins where origin = $1', [origin])).length > 0;
}
