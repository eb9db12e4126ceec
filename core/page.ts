import { z } from 'zod';
import { AppError, ErrorCode } from './errors.ts';

/** One page of a list, with how many items match in all. */
export type Page<T> = { items: T[]; total: number; limit: number; offset: number };

/** A page of `item`s as the API answers it. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
}

export type Window = { limit: number; offset: number };

/**
 * The rows of a paged list statement, which selects `total` beside the page's columns from the
 * directory row left-joined to the page: no row at all means the directory does not exist; one
 * row whose `key` column is null means the page is empty (an offset past the end still knows
 * the total, which `count(*) over ()` alone would lose).
 */
export type PagedRows<T> = ({ total: number } & { [K in keyof T]: T[K] | null })[];

/** The page of a paged list statement's rows, or null when its directory does not exist. */
export function toPage<T extends object>(rows: PagedRows<T>, key: keyof T, window: Window): Page<T> | null {
  if (rows.length === 0) return null;
  const items = rows.filter((row) => row[key] !== null).map(({ total: _, ...item }) => item as T);
  return { items, total: rows[0]!.total, limit: window.limit, offset: window.offset };
}

/** The page, or a 404 when its directory does not exist. */
export function directoryPage<T>(page: Page<T> | null, directoryId: number): Page<T> {
  if (page === null) throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${directoryId} does not exist`);
  return page;
}
