import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';

/*
 * A Strategic Accounts widget configuration: what an embed shows, checked when it is saved so a
 * widget never meets a column it cannot fill. Extra columns come only from the B2B dataset (account
 * attributes, the hierarchy, roles); survey answers and embedded data are refused by name.
 */

export const Period = { MoM: 'MoM', QoQ: 'QoQ', YoY: 'YoY' } as const;
export type Period = (typeof Period)[keyof typeof Period];

export const managementRoles = ['ACCOUNT_EXECUTIVE', 'ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER', 'TECHNICAL_SALES_PROFESSIONAL',
  'SALES_ENGINEER', 'CUSTOMER_SUPPORT_PROFESSIONAL', 'OTHER_ACCOUNT_TEAM_MEMBER'] as const;
export const clientRoles = ['DECISION_MAKER', 'INFLUENCER', 'PROCUREMENT_FINANCE_PERSON', 'PROGRAM_MANAGER', 'EXECUTIVE_SPONSOR',
  'END_USER', 'ACCOUNT_MEMBER'] as const;

/** Per-account numbers the widget computes itself; key metrics and the chart may show them. */
export const npsMetrics = ['nps', 'responses', 'promoters', 'passives', 'detractors'] as const;
export type NpsMetric = (typeof npsMetrics)[number];

/** An account's health as the widget (and alerts) name it; nps_health in SQL decides it. */
export const Health = { OPPORTUNITY: 'Opportunity', NEUTRAL: 'Neutral', AT_RISK: 'At Risk', NOT_ENOUGH_DATA: 'Not enough data' } as const;
export type Health = (typeof Health)[keyof typeof Health];

/** What a survey metric tells of one question's answers: the latest, the period's average, or how many. */
export const surveyStatistics = ['latest', 'average', 'count'] as const;
export type SurveyStatistic = (typeof surveyStatistics)[number];

/** The question key of a survey's 0-10 NPS question; an extra question's key starts lower-case, so none is taken for it. */
export const npsQuestion = 'NPS';

/** One question of one survey, as a key metric or the chart metric names it: `survey:<surveyId>:<question>:<statistic>`. */
export type SurveyMetric = { surveyId: number; question: string; statistic: SurveyStatistic };

const surveyMetricPattern = /^survey:([1-9][0-9]{0,15}):(NPS|[a-z][a-zA-Z0-9_]{0,39}):(latest|average|count)$/;

/** The survey metric a field names, or null when it names none. */
export function parseSurveyMetric(field: string): SurveyMetric | null {
  const m = surveyMetricPattern.exec(field);
  return m ? { surveyId: Number(m[1]), question: m[2]!, statistic: m[3] as SurveyStatistic } : null;
}

const surveyMetricSyntax = 'survey:<surveyId>:<question key or NPS>:<latest, average or count>';

/** The documented defaults of the health rules (docs/widget-api.md, "Health rules"). */
export const defaultHealth = { minResponses: 5, atRiskBelow: 0, atRiskDrop: 15, opportunityFrom: 30 } as const;

const label = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const attributeName = z.string().min(1, 'names an account attribute');
const int = (min: number, max: number) => z.number().int(`must be an integer from ${min} to ${max}`).min(min, `must be an integer from ${min} to ${max}`).max(max, `must be an integer from ${min} to ${max}`);

const settingsShape = {
  period: z.enum(['MoM', 'QoQ', 'YoY'], { error: 'must be MoM, QoQ or YoY' }).default('QoQ'),
  timeZone: z.string().min(1).default('UTC'),
  chartPeriods: int(2, 36).default(8),
  columns: z.array(z.strictObject({ field: z.string().min(1, 'must not be empty'), label: label.optional() })).max(12, 'at most 12 extra columns').default([]),
  keyMetrics: z
    .array(
      z.strictObject({
        label,
        field: z.string().min(1, 'must not be empty'),
        format: z.enum(['number', 'percent', 'currency'], { error: 'must be number, percent or currency' }),
        decimals: int(0, 6).default(0),
        currencyLabel: z.string().trim().min(1).max(12).optional(),
      }),
    )
    .max(3, 'at most 3 key metrics')
    .default([]),
  chartMetric: z
    .strictObject({
      field: z
        .string()
        .refine((f) => (npsMetrics as readonly string[]).includes(f) || parseSurveyMetric(f) !== null, { error: `must be one of ${npsMetrics.join(', ')} or ${surveyMetricSyntax}` }),
      label: label.optional(),
      /** Digits after the point of a survey average's points; NPS figures are integers. */
      decimals: int(0, 6).optional(),
    })
    .default({ field: 'nps' }),
  arr: z.strictObject({ amountAttribute: attributeName, termAttribute: attributeName, termUnit: z.enum(['months', 'years'], { error: 'must be months or years' }) }).nullable().default(null),
  currencyAttribute: attributeName.nullable().default(null),
  health: z
    .strictObject({
      minResponses: int(1, 1_000_000).default(defaultHealth.minResponses),
      atRiskBelow: int(-100, 100).default(defaultHealth.atRiskBelow),
      atRiskDrop: int(1, 200).default(defaultHealth.atRiskDrop),
      opportunityFrom: int(-100, 100).default(defaultHealth.opportunityFrom),
    })
    .refine((h) => h.atRiskBelow <= h.opportunityFrom, 'atRiskBelow must not be above opportunityFrom')
    .default({ ...defaultHealth }),
  rollUp: z.boolean({ error: 'must be true or false' }).default(false),
  /** Which answers the NPS figures count: of every survey or of the ones listed, and the imported histories or not. */
  npsSource: z
    .strictObject({
      surveys: z.union([z.literal('all'), z.array(z.number().int().min(1)).min(1, 'lists at least one survey id, or is "all"').max(100)], {
        error: 'must be "all" or a list of survey ids',
      }).default('all'),
      importedHistory: z.boolean({ error: 'must be true or false' }).default(true),
    })
    .default({ surveys: 'all', importedHistory: true }),
  /** Every answer counts toward NPS, or only each contact's latest in the period. */
  npsCounting: z.enum(['everyAnswer', 'latestPerContact'], { error: 'must be everyAnswer or latestPerContact' }).default('everyAnswer'),
};

const settingsSchema = z.strictObject(settingsShape);
export type WidgetSettings = z.infer<typeof settingsSchema>;

/** Stored settings with the defaults of fields added since they were saved, so an older configuration keeps its meaning. */
export function storedSettings(stored: unknown): WidgetSettings {
  return settingsSchema.parse(stored);
}

/** A configuration as it is created; a change gives any of its fields. */
export const widgetConfigInput = z.strictObject({
  name: z.string({ error: 'a widget configuration needs a name' }).trim().min(1, 'a widget configuration needs a name').max(200),
  directoryId: z.number().int().min(1).default(1),
  ...settingsShape,
});

/** A saved configuration as the API shows it. */
export const widgetConfigSchema = z.object({ id: z.number().int(), name: z.string(), directoryId: z.number().int(), ...settingsShape, createdAt: z.date(), updatedAt: z.date() });
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

/** A configuration checked in itself (shape, ranges); `checkAgainstDirectory` checks what it names. */
export function parseWidgetConfig(input: unknown): { name: string; directoryId: number; settings: WidgetSettings } {
  const parsed = widgetConfigInput.safeParse(input);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error, '(body)');
    throw new AppError(ErrorCode.BAD_REQUEST, `invalid widget configuration: ${issues}`);
  }
  const { name, directoryId, ...settings } = parsed.data;
  return { name, directoryId, settings };
}

type AttributeDefinition = { name: string; dataType: 'Integer' | 'Decimal' | 'String' | 'Enum' | 'DateTime' };

/** A column field the widget can fill, or why not. */
export function columnProblem(field: string, attributes: Map<string, AttributeDefinition>): string | null {
  if (field === 'parent' || field === 'externalId') return null;
  if (field.startsWith('attribute:')) {
    return attributes.has(field.slice(10)) ? null : `"${field}" names no account attribute of this directory (it has: ${[...attributes.keys()].sort().join(', ') || 'none'})`;
  }
  if (field.startsWith('role:')) {
    const role = field.slice(5);
    return (managementRoles as readonly string[]).includes(role) || (clientRoles as readonly string[]).includes(role)
      ? null
      : `"${field}" names no role: use one of ${[...managementRoles, ...clientRoles].join(', ')}`;
  }
  const hint = parseSurveyMetric(field) ? ' (a survey metric is shown as a key metric or the chart metric)' : '';
  return `"${field}" is not a field of the B2B dataset: a column shows attribute:<name>, parent, externalId or role:<ROLE>; survey answers and embedded data are never columns${hint}`;
}

const numeric = new Set(['Integer', 'Decimal']);

/** The survey metrics a configuration shows: its key metrics', then the chart's. */
function surveyMetricsOf(settings: Pick<WidgetSettings, 'keyMetrics' | 'chartMetric'>): SurveyMetric[] {
  return [...settings.keyMetrics.map((m) => m.field), settings.chartMetric.field].map(parseSurveyMetric).filter((m): m is SurveyMetric => m !== null);
}

/** Why a survey metric field cannot be shown: bad syntax, an unknown survey, or a question the survey does not ask. */
function surveyMetricProblem(field: string, surveys: Map<number, { name: string; keys: string[] }>): string | null {
  const metric = parseSurveyMetric(field);
  if (!metric) return `"${field}" is not a survey metric: use ${surveyMetricSyntax}, e.g. survey:1:csat:latest`;
  const survey = surveys.get(metric.surveyId);
  if (!survey) return `"${field}" names survey ${metric.surveyId}, which does not exist`;
  if (metric.question !== npsQuestion && !survey.keys.includes(metric.question)) {
    return `"${field}": survey ${metric.surveyId} ("${survey.name}") asks no question "${metric.question}" (it has: ${[npsQuestion, ...survey.keys].join(', ')})`;
  }
  return null;
}

/**
 * Checks every attribute, role and metric a configuration names against its directory, and the
 * time zone against the database's zone list (the one that draws the period boundaries).
 */
export async function checkAgainstDirectory(db: Queryable, directoryId: number, settings: WidgetSettings): Promise<void> {
  const surveyIds = [
    ...new Set([
      ...surveyMetricsOf(settings).map((m) => m.surveyId),
      ...(settings.npsSource.surveys === 'all' ? [] : settings.npsSource.surveys),
    ]),
  ];
  const [row] = await db.query<{ found: boolean; attributes: AttributeDefinition[]; zoneKnown: boolean; surveys: { id: number; name: string; keys: string[] }[] }>(
    `select exists (select 1 from directories where id = $1) as found,
      coalesce((select json_agg(json_build_object('name', name, 'dataType', data_type)) from account_attribute_definitions where directory_id = $1), '[]') as attributes,
      exists (select 1 from pg_timezone_names where name = $2) as "zoneKnown",
      coalesce((select json_agg(json_build_object('id', s.id, 'name', s.name, 'keys', (select coalesce(json_agg(q ->> 'key'), '[]') from jsonb_array_elements(s.extra_questions) q)))
        from surveys s where s.id = any($3::bigint[])), '[]') as surveys`,
    [directoryId, settings.timeZone, surveyIds],
  );
  if (!row!.found) throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, `directory ${directoryId} does not exist`);
  const attributes = new Map(row!.attributes.map((a) => [a.name, a]));
  const surveys = new Map(row!.surveys.map((s) => [s.id, s]));
  const problems: string[] = [];
  if (!row!.zoneKnown) problems.push(`timeZone: "${settings.timeZone}" is not an IANA time zone name (e.g. Europe/Berlin)`);
  settings.columns.forEach((c, i) => {
    const problem = columnProblem(c.field, attributes);
    if (problem) problems.push(`columns.${i}.field: ${problem}`);
  });
  const attributeOfType = (path: string, name: string, types: Set<string>, what: string) => {
    const found = attributes.get(name);
    if (!found) problems.push(`${path}: "${name}" names no account attribute of this directory`);
    else if (!types.has(found.dataType)) problems.push(`${path}: "${name}" is ${/^[AEIOU]/.test(found.dataType) ? 'an' : 'a'} ${found.dataType} attribute, and ${what}`);
  };
  settings.keyMetrics.forEach((m, i) => {
    const path = `keyMetrics.${i}.field`;
    if (m.field.startsWith('attribute:')) attributeOfType(path, m.field.slice(10), numeric, 'a key metric needs an Integer or Decimal one');
    else if (m.field === 'arr') {
      if (!settings.arr) problems.push(`${path}: "arr" needs the arr setting (which attributes hold the contract amount and term)`);
    } else if (m.field.startsWith('survey:')) {
      const problem = surveyMetricProblem(m.field, surveys);
      if (problem) problems.push(`${path}: ${problem}`);
    } else if (m.field !== 'change' && !(npsMetrics as readonly string[]).includes(m.field)) {
      problems.push(`${path}: "${m.field}" is not a metric: use ${[...npsMetrics, 'change', 'arr'].join(', ')}, attribute:<name> or ${surveyMetricSyntax}`);
    }
  });
  if (settings.chartMetric.field.startsWith('survey:')) {
    const problem = surveyMetricProblem(settings.chartMetric.field, surveys);
    if (problem) problems.push(`chartMetric.field: ${problem}`);
  }
  if (settings.npsSource.surveys !== 'all') {
    settings.npsSource.surveys.forEach((id, i) => {
      if (!surveys.has(id)) problems.push(`npsSource.surveys.${i}: survey ${id} does not exist`);
    });
  }
  if (settings.arr) {
    attributeOfType('arr.amountAttribute', settings.arr.amountAttribute, numeric, 'the contract amount must be an Integer or Decimal');
    attributeOfType('arr.termAttribute', settings.arr.termAttribute, numeric, 'the term must be an Integer or Decimal');
  }
  if (settings.currencyAttribute) attributeOfType('currencyAttribute', settings.currencyAttribute, new Set(['String', 'Enum']), 'a currency code is a String or Enum');
  if (problems.length > 0) throw new AppError(ErrorCode.BAD_REQUEST, `invalid widget configuration: ${problems.join('; ')}`);
}
