import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { containsPattern, parseQuery } from '../query-params.ts';
import { roleLabel } from '../../core/directory/roles.ts';
import { Health, Period, npsQuestion, parseSurveyMetric, type NpsMetric, type SurveyMetric, type WidgetConfig } from '../../core/widgets/config.ts';
import { bucketsOf, dayAfter, parseAsOf, periodRangeSchema, periodsUpTo, type PeriodRange } from '../../core/widgets/periods.ts';
import { orderAccounts, readAccounts, todayIn, type AccountRow, type AccountScope, type Bucket, type BucketCounts, type SurveyFigures } from '../../core/widgets/strategic-accounts-queries.ts';

/** Contract amounts can carry more digits than a double; 40 significant digits keep every cent of a division. */
const Exact = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

const positiveInt = (max: number, fallback: number) =>
  z
    .string({ error: 'must be given once' })
    .regex(/^\d+$/, `must be an integer from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be an integer from 1 to ${max}`).max(max, `must be an integer from 1 to ${max}`))
    .default(fallback);

export const widgetQuery = z.object({
  period: z.enum(['MoM', 'QoQ', 'YoY'], { error: 'must be MoM, QoQ or YoY' }).optional(),
  asOf: z.string({ error: 'must be given once' }).optional(),
  sort: z.string({ error: 'must be given once' }).default('client'),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).default('asc'),
  page: positiveInt(1_000_000, 1),
  pageSize: positiveInt(200, 50),
  search: z.string({ error: 'must be given once, as text' }).max(200, 'must be at most 200 characters').transform((q) => q.trim() || undefined).optional(),
});

const columnSchema = z.object({ key: z.string(), label: z.string() });
export type Column = z.infer<typeof columnSchema>;

const widgetAccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: z.string().nullable(),
  health: z.enum(Object.values(Health)),
  arr: z.string().nullable(),
  nps: z.number().nullable(),
  responses: z.number().int(),
  change: z.number().nullable(),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  metrics: z.array(
    z.object({ label: z.string(), value: z.string().nullable(), format: z.enum(['number', 'percent', 'currency']), decimals: z.number().int(), currency: z.string().nullable() }),
  ),
  chart: z.object({
    label: z.string(),
    /** Digits after the point of the points' values: 0 for NPS figures and counts. */
    decimals: z.number().int(),
    points: z.array(z.object({ label: z.string(), start: z.string(), value: z.number().nullable() })),
  }),
});
export type WidgetAccount = z.infer<typeof widgetAccountSchema>;

/** What the widget shows: one page of accounts with their health, NPS and chart. */
export const widgetDataSchema = z.object({
  config: z.object({ id: z.number().int(), name: z.string() }),
  period: z.enum(Object.values(Period)),
  asOf: z.string(),
  timeZone: z.string(),
  current: periodRangeSchema,
  previous: periodRangeSchema,
  columns: z.array(columnSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  accounts: z.array(widgetAccountSchema),
});
export type WidgetData = z.infer<typeof widgetDataSchema>;

const metricLabels: Record<NpsMetric, string> = { nps: 'NPS', responses: 'Responses', promoters: 'Promoters', passives: 'Passives', detractors: 'Detractors' };

function defaultLabel(field: string): string {
  if (field === 'parent') return 'Parent account';
  if (field === 'externalId') return 'Account ID';
  if (field.startsWith('role:')) return roleLabel(field.slice(5));
  return field.slice(10);
}

/** The columns in display order: the five defaults, then the configuration's extras. */
export function widgetColumns(config: WidgetConfig, period: Period): Column[] {
  return [
    { key: 'client', label: 'Client' },
    { key: 'health', label: 'Health' },
    { key: 'arr', label: 'ARR' },
    { key: 'nps', label: 'NPS' },
    { key: 'change', label: `${period} change (NPS points)` },
    ...config.columns.map((c) => ({ key: c.field, label: c.label ?? defaultLabel(c.field) })),
  ];
}

/** ARR = contract amount / term in years, summed over the accounts rolled into one; null when no account has both. */
function annualRevenue(config: WidgetConfig, inputs: AccountRow['arrInputs']): Decimal | null {
  if (!config.arr || !inputs) return null;
  const yearsPerTerm = config.arr.termUnit === 'months' ? new Exact(1).div(12) : new Exact(1);
  let total: Decimal | null = null;
  for (const [amount, term] of inputs) {
    if (amount === null || term === null || new Exact(term).isZero()) continue;
    const arr = new Exact(amount).div(new Exact(term).times(yearsPerTerm));
    total = total === null ? arr : total.plus(arr);
  }
  return total;
}

function fixed(value: Decimal.Value | null, decimals: number): string | null {
  return value === null ? null : new Exact(value).toFixed(decimals);
}

const statisticLabels = { latest: 'latest', average: 'average', count: 'answers' } as const;

/** A survey metric's default chart label, e.g. "csat (average)" or "NPS answer (latest)". */
function surveyMetricLabel(metric: SurveyMetric): string {
  return `${metric.question === npsQuestion ? 'NPS answer' : metric.question} (${statisticLabels[metric.statistic]})`;
}

/** A survey metric's value in one bucket (`at`, in the figures' order): the latest answer, the average of the answers, or how many there were. */
function surveyValue(metric: SurveyMetric, figures: SurveyFigures | null, at: number): Decimal | null {
  if (!figures) return null;
  const answers = figures.answers[at] ?? 0;
  const total = figures.totals[at] ?? null;
  const latest = figures.latest[at] ?? null;
  if (metric.statistic === 'latest') return latest === null ? null : new Exact(latest);
  if (metric.statistic === 'count') return new Exact(answers);
  return answers > 0 && total !== null ? new Exact(total).div(answers) : null;
}

function toAccount(config: WidgetConfig, periods: PeriodRange[], surveyFields: string[], row: AccountRow): WidgetAccount {
  const current = row.buckets[row.buckets.length - 1]!;
  const previous = row.buckets[row.buckets.length - 2]!;
  const change = current.nps !== null && previous.nps !== null ? current.nps - previous.nps : null;
  const arr = annualRevenue(config, row.arrInputs);
  const currencyValue = config.currencyAttribute ? row.attributes[config.currencyAttribute] : null;
  const currency = typeof currencyValue === 'string' ? currencyValue : null;
  const values: WidgetAccount['values'] = {};
  for (const { field } of config.columns) {
    if (field === 'externalId') values[field] = row.id;
    else if (field === 'parent') values[field] = row.parent;
    else if (field.startsWith('role:')) values[field] = row.roles?.[field.slice(5)] ?? null;
    else values[field] = row.attributes[field.slice(10)] ?? null;
  }
  // Bucket `bucket` (from 1) of the field's figures, which come per field in `surveyFields`' order.
  const surveyAt = (field: string, metric: SurveyMetric, bucket: number) =>
    surveyValue(metric, row.surveyFigures, surveyFields.indexOf(field) * row.buckets.length + bucket - 1);
  const metricValue = (field: string): Decimal.Value | null => {
    if (field === 'arr') return arr;
    if (field === 'change') return change;
    if (field.startsWith('attribute:')) return row.attributes[field.slice(10)] ?? null;
    const survey = parseSurveyMetric(field);
    if (survey) return surveyAt(field, survey, row.buckets.length);
    return current[field as NpsMetric];
  };
  const chartField = config.chartMetric.field;
  const chartSurvey = parseSurveyMetric(chartField);
  // An average is drawn to two decimals unless the configuration says otherwise; answers, counts and NPS figures are integers.
  const chartDecimals = chartSurvey ? (config.chartMetric.decimals ?? (chartSurvey.statistic === 'average' ? 2 : 0)) : 0;
  const chartValue = (bucket: BucketCounts, i: number): number | null => {
    if (!chartSurvey) return bucket[chartField as NpsMetric];
    const value = surveyAt(chartField, chartSurvey, i + 1);
    return value === null ? null : value.toDecimalPlaces(chartDecimals).toNumber();
  };
  return {
    id: row.id,
    name: row.name,
    currency,
    health: row.health as Health,
    arr: arr === null ? null : arr.toFixed(2),
    nps: current.nps,
    responses: current.responses,
    change,
    values,
    metrics: config.keyMetrics.map((m) => ({
      label: m.label,
      value: fixed(metricValue(m.field), m.decimals),
      format: m.format,
      decimals: m.decimals,
      currency: m.format === 'currency' ? (m.currencyLabel ?? currency) : null,
    })),
    chart: {
      label: config.chartMetric.label ?? (chartSurvey ? surveyMetricLabel(chartSurvey) : metricLabels[chartField as NpsMetric]),
      decimals: chartDecimals,
      points: row.buckets.map((b, i) => ({ label: periods[i]!.label, start: periods[i]!.start, value: chartValue(b, i) })),
    },
  };
}

/** The widget's data for one configuration, as its embed (or an admin) asked for it. */
export async function strategicAccounts(db: Queryable, config: WidgetConfig, rawQuery: unknown, access: { userEmail: string | null }): Promise<WidgetData> {
  const query = parseQuery(widgetQuery, rawQuery);
  const period = query.period ?? config.period;
  const asOf = query.asOf === undefined ? await todayIn(db, config.timeZone) : parseAsOf(query.asOf);
  const columns = widgetColumns(config, period);
  if (!columns.some((c) => c.key === query.sort) && query.sort !== 'responses') {
    throw new AppError(ErrorCode.BAD_REQUEST, `query parameter "sort" must be one of ${[...columns.map((c) => c.key), 'responses'].join(', ')}`);
  }
  const periods = periodsUpTo(period, asOf, config.chartPeriods);
  const buckets: Bucket[] = bucketsOf(periods, asOf);
  const scope: AccountScope = { directoryId: config.directoryId, pattern: containsPattern(query.search), userEmail: access.userEmail, rollUp: config.rollUp };
  const { total, ids } = await orderAccounts(db, scope, config, { previous: buckets.at(-2)!, current: buckets.at(-1)! }, {
    key: query.sort,
    descending: query.order === 'desc',
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  const roles = config.columns.filter((c) => c.field.startsWith('role:')).map((c) => c.field.slice(5));
  // Each survey metric is read once, however many places show it.
  const surveyFields = [...new Set([...config.keyMetrics.map((m) => m.field), config.chartMetric.field].filter((f) => parseSurveyMetric(f) !== null))];
  const wanted = surveyFields.map((f) => ({ ...parseSurveyMetric(f)!, everyBucket: f === config.chartMetric.field }));
  const rows = await readAccounts(db, scope, config, ids, buckets, roles, wanted);
  return {
    config: { id: config.id, name: config.name },
    period,
    asOf,
    timeZone: config.timeZone,
    current: periods.at(-1)!,
    previous: periods.at(-2)!,
    columns,
    total,
    page: query.page,
    pageSize: query.pageSize,
    accounts: rows.map((row) => toAccount(config, periods, surveyFields, row)),
  };
}
