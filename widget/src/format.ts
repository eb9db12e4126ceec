// Numbers as people read them, in the element's locale. Values arrive as decimal strings (an ARR
// can hold more digits than a JS number keeps); Intl.NumberFormat formats such a string exactly.
import type { KeyMetric } from './api.ts';

type Numeric = Intl.StringNumericLiteral | number;

const isoCurrency = /^[A-Z]{3}$/;
const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

function digits(decimals: number | null | undefined): Intl.NumberFormatOptions {
  if (decimals === null || decimals === undefined) return {};
  const d = Math.max(0, Math.min(20, Math.trunc(decimals)));
  return { minimumFractionDigits: d, maximumFractionDigits: d };
}

/**
 * An amount in the account's currency when it has an ISO code (the symbol from Intl), else
 * with the configured label before it, else as a plain number.
 */
/** `currency`: an ISO 4217 code, formatted by Intl, or the configured label, written before the number. */
export function formatCurrency(value: Numeric, currency: string | null | undefined, locale: string | undefined, decimals?: number | null): string {
  if (currency && isoCurrency.test(currency)) {
    return numberFormat(locale, { style: 'currency', currency, ...digits(decimals) }).format(value);
  }
  const amount = numberFormat(locale, digits(decimals)).format(value);
  return currency ? `${currency}\u00a0${amount}` : amount;
}

/** A key metric as its configuration asks: number, percent (the value is in percent: 42.5 shows 42.5 %) or currency. */
export function formatMetric(metric: KeyMetric, locale: string | undefined): string {
  if (metric.value === null || metric.value === '') return '—';
  const value = metric.value as Intl.StringNumericLiteral;
  switch (metric.format) {
    case 'percent':
      // Intl's percent style multiplies by 100; the server sends percent points.
      return numberFormat(locale, { style: 'percent', ...digits(metric.decimals) }).format(`${value}E-2` as Intl.StringNumericLiteral);
    case 'currency':
      return formatCurrency(value, metric.currency, locale, metric.decimals);
    default:
      return numberFormat(locale, digits(metric.decimals)).format(value);
  }
}

/** A number with exactly `decimals` digits after the point, e.g. a chart's average of 4.25. */
export function formatDecimal(value: number, decimals: number, locale: string | undefined): string {
  return numberFormat(locale, digits(decimals)).format(value);
}

export function formatArr(arr: string | null, currency: string | null, locale: string | undefined): string {
  if (arr === null) return '—';
  return formatCurrency(arr as Intl.StringNumericLiteral, currency, locale, 0);
}

export function formatInteger(value: number | null, locale: string | undefined): string {
  return value === null ? '—' : numberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** A signed difference in NPS points: "+21", "−4", "0". */
export function formatChange(change: number | null, locale: string | undefined): string {
  if (change === null) return '—';
  return numberFormat(locale, { signDisplay: 'exceptZero', maximumFractionDigits: 0 }).format(change);
}

export function describeChange(change: number | null, locale: string | undefined): string {
  if (change === null) return 'no change to show';
  if (change === 0) return 'unchanged';
  const points = formatInteger(Math.abs(change), locale);
  return `${change > 0 ? 'increased' : 'decreased'} by ${points} point${Math.abs(change) === 1 ? '' : 's'}`;
}

export function formatCell(value: string | number | null | undefined, locale: string | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'number' ? numberFormat(locale, { maximumFractionDigits: 2 }).format(value) : value;
}
