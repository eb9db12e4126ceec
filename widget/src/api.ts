// The data endpoint the element reads (GET /api/widgets/strategic-accounts), as the server answers it.
import type { WidgetAccount, WidgetData } from '../../server/widgets/strategic-accounts.ts';

export const periods = ['MoM', 'QoQ', 'YoY'] as const;
export type Period = (typeof periods)[number];

export const sortOrders = ['asc', 'desc'] as const;
export type SortOrder = (typeof sortOrders)[number];

// The response's types are the server's own: the element is built against what the endpoint answers.
export type StrategicAccounts = WidgetData;
export type Account = WidgetAccount;
export type Health = WidgetAccount['health'];
export type KeyMetric = WidgetAccount['metrics'][number];
export type MetricFormat = KeyMetric['format'];
export type ChartPoint = WidgetAccount['chart']['points'][number];
export type Column = WidgetData['columns'][number];
export type PeriodRange = WidgetData['current'];

export type Query = {
  api: string;
  config: string;
  token: string;
  period: Period | undefined;
  asOf: string | undefined;
  sort: string | undefined;
  order: SortOrder;
  page: number;
  pageSize: number;
  /** Part of a client's name; empty: every account. */
  search: string;
  /** A configuration not saved yet, shown by the console's designer (POST /api/widget-configs/preview, as the signed-in admin). */
  draft?: object | undefined;
};

/** A refusal the server explained (`{ error: { code, message } }`), or a network failure. */
export class WidgetApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'WidgetApiError';
    this.code = code;
    this.status = status;
  }
}

export function requestUrl(query: Query): string {
  const params = new URLSearchParams({ config: query.config, page: String(query.page), pageSize: String(query.pageSize) });
  if (query.period) params.set('period', query.period);
  if (query.asOf) params.set('asOf', query.asOf);
  if (query.search) params.set('search', query.search);
  if (query.sort) {
    params.set('sort', query.sort);
    params.set('order', query.order);
  }
  // `api` is the server's origin (and any path prefix); none means the page's own origin.
  return `${query.api.replace(/\/+$/, '')}/api/${query.draft ? 'widget-configs/preview' : 'widgets/strategic-accounts'}?${params}`;
}

export async function fetchStrategicAccounts(query: Query, signal: AbortSignal): Promise<StrategicAccounts> {
  let response: Response;
  try {
    const headers: Record<string, string> = query.token ? { authorization: `Bearer ${query.token}` } : {};
    response = await fetch(
      requestUrl(query),
      query.draft ? { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(query.draft), signal } : { headers, signal },
    );
  } catch (error) {
    if (signal.aborted) throw error;
    throw new WidgetApiError('NETWORK', `the server at ${query.api || location.origin} could not be reached`, 0);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const refusal = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const message = typeof refusal?.message === 'string' ? refusal.message : `the server answered ${response.status}`;
    throw new WidgetApiError(typeof refusal?.code === 'string' ? refusal.code : 'HTTP', message, response.status);
  }
  return body as StrategicAccounts;
}
