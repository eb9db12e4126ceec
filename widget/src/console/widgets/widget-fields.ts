// What the widget designer offers in its pickers: columns from the B2B dataset only (account
// attributes, the hierarchy, roles), and the sources a key metric or the chart may show. A new kind of
// source is one more entry in `metricSources`: the form lists whatever it answers.
import type { AttributeDefinition } from '../../../../server/directory/attribute-definitions.ts';
import { ClientRole, ManagementRole } from '../../../../core/directory/roles.ts';
import type { NpsMetric, WidgetConfig } from '../../../../core/widgets/config.ts';
import type { Wire } from '../api.ts';

/** A configuration as the designer edits it: everything a save sends. */
export type Draft = Omit<Wire<WidgetConfig>, 'id' | 'createdAt' | 'updatedAt'>;
export type KeyMetric = Draft['keyMetrics'][number];

export type Option = { value: string; label: string; group: string };

const words = (name: string) => name.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export function columnOptions(attributes: readonly Wire<AttributeDefinition>[]): Option[] {
  return [
    ...attributes.map((a) => ({ value: `attribute:${a.name}`, label: `${a.name} (${a.dataType})`, group: 'Account attributes' })),
    { value: 'parent', label: 'Parent account', group: 'Hierarchy' },
    { value: 'externalId', label: 'Account id', group: 'Hierarchy' },
    ...[...Object.values(ManagementRole), ...Object.values(ClientRole)].map((role) => ({ value: `role:${role}`, label: words(role), group: 'Roles' })),
  ];
}

// Typed by the server's own list (a type import keeps its checks out of the console's bundle), so a metric it adds must be named here.
const npsLabels: Record<NpsMetric, string> = {
  nps: 'NPS', responses: 'Answers', promoters: 'Promoters', passives: 'Passives', detractors: 'Detractors',
};
const npsMetrics = Object.keys(npsLabels) as NpsMetric[];

/** A survey as the designer offers its questions: the NPS question and each extra scale. */
export type SurveyQuestions = { id: number; name: string; extraQuestions: readonly { key: string; text: string }[] };

const statistics = { latest: 'latest answer', average: 'average in the period', count: 'answers in the period' } as const;

/** Each survey question's latest answer, period average and answer count: `survey:<id>:<question>:<statistic>`. */
function surveySources(surveys: readonly SurveyQuestions[]): Option[] {
  return surveys.flatMap((survey) =>
    [{ key: 'NPS', text: 'NPS question' }, ...survey.extraQuestions].flatMap((q) =>
      (Object.keys(statistics) as (keyof typeof statistics)[]).map((statistic) => ({
        value: `survey:${survey.id}:${q.key}:${statistic}`,
        label: `${q.key === 'NPS' ? 'NPS score' : q.key}, ${statistics[statistic]}`,
        group: `Survey: ${survey.name}`,
      })),
    ),
  );
}

/** What a key metric may show. */
export function metricSources(attributes: readonly Wire<AttributeDefinition>[], draft: Pick<Draft, 'arr'>, surveys: readonly SurveyQuestions[] = []): Option[] {
  return [
    ...npsMetrics.map((m) => ({ value: m, label: npsLabels[m], group: 'NPS' })),
    { value: 'change', label: 'NPS change on the previous period', group: 'NPS' },
    ...(draft.arr ? [{ value: 'arr', label: 'ARR (from the contract settings)', group: 'Contract' }] : []),
    ...attributes
      .filter((a) => a.dataType === 'Integer' || a.dataType === 'Decimal')
      .map((a) => ({ value: `attribute:${a.name}`, label: `${a.name} (${a.dataType})`, group: 'Account attributes' })),
    ...surveySources(surveys),
  ];
}

/** What the chart may plot, one point per period. */
export function chartSources(surveys: readonly SurveyQuestions[] = []): Option[] {
  return [...npsMetrics.map((m) => ({ value: m, label: npsLabels[m], group: 'NPS' })), ...surveySources(surveys)];
}

/** Options grouped as `<optgroup>`s take them. */
export function grouped(options: readonly Option[]): [string, Option[]][] {
  const groups = new Map<string, Option[]>();
  for (const option of options) groups.set(option.group, [...(groups.get(option.group) ?? []), option]);
  return [...groups];
}

export function newDraft(directoryId: number): Draft {
  return {
    name: '', directoryId, period: 'QoQ', timeZone: 'UTC', chartPeriods: 8, columns: [], keyMetrics: [],
    chartMetric: { field: 'nps' }, arr: null, currencyAttribute: null,
    health: { minResponses: 5, atRiskBelow: 0, atRiskDrop: 15, opportunityFrom: 30 }, rollUp: false,
    npsSource: { surveys: 'all', importedHistory: true }, npsCounting: 'everyAnswer',
  };
}

/** A saved configuration as a draft: what the API shows less what it adds. */
export function draftOf(config: Wire<WidgetConfig>): Draft {
  const { id: _id, createdAt: _c, updatedAt: _u, ...draft } = config;
  return draft;
}
