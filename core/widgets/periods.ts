import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';
import type { Period } from './config.ts';

/*
 * NPS periods on calendar boundaries: a month, a quarter (Jan-Mar, ...) or a year (Jan-Dec). Pure
 * dates here; the database turns each start into an instant in the configuration's time zone.
 */

/** A period as the API shows it: inclusive calendar dates. */
export const periodRangeSchema = z.object({ label: z.string(), start: z.string(), end: z.string() });
export type PeriodRange = z.infer<typeof periodRangeSchema>;

const monthsPer: Record<Period, number> = { MoM: 1, QoQ: 3, YoY: 12 };
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Months since year 0, so periods step by plain addition. */
function monthIndex(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function firstDay(index: number): string {
  return isoDate(Date.UTC(Math.floor(index / 12), index % 12, 1));
}

function label(period: Period, index: number): string {
  const year = Math.floor(index / 12);
  if (period === 'MoM') return `${monthNames[index % 12]} ${year}`;
  if (period === 'QoQ') return `Q${Math.floor((index % 12) / 3) + 1} ${year}`;
  return String(year);
}

/** The `count` periods up to and including the one holding `asOf`, oldest first. */
export function periodsUpTo(period: Period, asOf: string, count: number): PeriodRange[] {
  const length = monthsPer[period];
  const current = Math.floor(monthIndex(asOf) / length) * length;
  return Array.from({ length: count }, (_, k) => {
    const start = current - (count - 1 - k) * length;
    // Day 0 of the next period's first month is this period's last day.
    const next = start + length;
    return { label: label(period, start), start: firstDay(start), end: isoDate(Date.UTC(Math.floor(next / 12), next % 12, 0)) };
  });
}

/** The day after `date`. */
export function dayAfter(date: string): string {
  return isoDate(Date.parse(`${date}T00:00:00Z`) + 86_400_000);
}

/**
 * The periods as the account reads count them: each from its start to before the day after its
 * end, the current one only up to `asOf` (answers given after it are not known yet on that date).
 */
export function bucketsOf(periods: PeriodRange[], asOf: string): { start: string; until: string }[] {
  return periods.map((p, i) => ({ start: p.start, until: dayAfter(i === periods.length - 1 ? asOf : p.end) }));
}

/** Checks an `asOf` parameter: a real calendar date, YYYY-MM-DD. */
export function parseAsOf(raw: string): string {
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(raw) && raw >= '1900-01-01' && isoDate(Date.parse(`${raw}T00:00:00Z`) || 0) === raw;
  if (!valid) throw new AppError(ErrorCode.BAD_REQUEST, `query parameter "asOf" must be a calendar date as YYYY-MM-DD, got "${raw}"`);
  return raw;
}
