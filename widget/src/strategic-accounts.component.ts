import { LitElement, adoptStyles, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { fetchStrategicAccounts, periods, type Account, type Column, type SortOrder, type StrategicAccounts } from './api.ts';
import { describeChange, formatArr, formatCell, formatChange, formatDecimal, formatInteger, formatMetric } from './format.ts';
import { lineChart } from './line-chart.ts';
import { styles } from './strategic-accounts.styles.ts';

export type View = 'table' | 'cards';

const numericColumns = new Set(['arr', 'nps', 'change']);
/** The columns every answer starts with, in this order (the API's contract); configured ones follow. */
const defaultColumns = ['client', 'health', 'arr', 'nps', 'change'];

/**
 * Every strategic account's health over a period: a sortable table (the default columns, then the
 * configured ones) or account cards with up to three key metrics and a line chart.
 *
 * @summary Strategic accounts' NPS, health and trend, read from a Bellwether server.
 *
 * @attr api - The Bellwether server's origin, e.g. `https://bellwether.example.com`; empty: the page's own origin.
 * @attr config - The id of the saved widget configuration to show (required).
 * @attr token - An embed token for that configuration (or an admin API key), sent as `Authorization: Bearer`.
 * @attr period - `MoM`, `QoQ` or `YoY`; unset: the configuration's default. Reflects the switcher.
 * @attr as-of - `YYYY-MM-DD`: the day whose period is current; unset: today in the configuration's time zone.
 * @attr view - `table` (default) or `cards`. Reflects the switcher.
 * @attr page-size - Accounts per page, default 50.
 * @attr locale - A BCP 47 locale for numbers and currencies; unset: the page's `lang`, else the browser's.
 * @prop draft - A configuration not saved yet (its JSON body), shown instead of `config` on the console's own origin: the widget designer's preview.
 * @attr shadow-mode - `closed` renders into a closed shadow root, which Salesforce's Lightning Web Security
 *   requires of third-party web components; read once, when the element is first connected. Default `open`.
 *
 * @event period-change - The user chose a period; `detail: { period }`.
 * @event sort-change - The user sorted the table; `detail: { sort, order }`.
 * @event accounts-load - Data arrived; `detail: { total, period }`.
 * @event accounts-error - The server refused or could not be reached; `detail: { code, status, message }`.
 *
 * @csspart toolbar - The bar holding the title, the period range, the search field and the switchers.
 * @csspart search - The field that filters accounts by client name (on the server).
 * @csspart period-switcher - The MoM / QoQ / YoY buttons' group. @csspart period-button - Each of them.
 * @csspart view-switcher - The Table / Cards buttons' group.
 * @csspart table - The accounts table. @csspart header-cell - A column header. @csspart row - A table row.
 * @csspart cell - A table cell. @csspart health - A health badge.
 * @csspart cards - The list of cards. @csspart card - One account card. @csspart metric - One key metric.
 * @csspart chart - A card's chart figure. @csspart chart-line - The line of a chart.
 * @csspart status - The loading and empty messages. @csspart error - The error message.
 * @csspart pager - The page buttons.
 *
 * @cssprop --sa-font - Font shorthand. @cssprop --sa-color-text, --sa-color-muted, --sa-color-background,
 *   --sa-color-surface, --sa-color-border, --sa-color-accent, --sa-color-on-accent, --sa-color-positive,
 *   --sa-color-negative, --sa-color-neutral - Colours. @cssprop --sa-radius - Corner radius.
 * @cssprop --sa-chart-line - The chart's line colour (default: the accent).
 */
export class StrategicAccountsElement extends LitElement {
  static override styles = styles;

  static override properties = {
    api: { type: String },
    config: { type: String },
    token: { type: String },
    period: { type: String, reflect: true },
    asOf: { type: String, attribute: 'as-of' },
    view: { type: String, reflect: true },
    pageSize: { type: Number, attribute: 'page-size' },
    locale: { type: String },
    sort: { state: true },
    order: { state: true },
    page: { state: true },
    search: { state: true },
    draft: { attribute: false },
  };

  declare api: string;
  declare config: string;
  declare token: string;
  declare period: string | undefined;
  declare asOf: string | undefined;
  declare view: View;
  declare pageSize: number;
  declare locale: string | undefined;
  declare sort: string | undefined;
  declare order: SortOrder;
  declare page: number;
  declare search: string;
  declare draft: object | undefined;

  readonly #data = new Task(this, {
    task: ([api, config, token, period, asOf, sort, order, page, pageSize, search, draft], { signal }) => {
      if (!config && !draft) throw new Error('the config attribute is missing: set it to the id of a saved widget configuration');
      return fetchStrategicAccounts({ api, config, token, period: period as StrategicAccounts['period'] | undefined, asOf, sort, order, page, pageSize, search, draft }, signal);
    },
    args: () => [this.api, this.config, this.token, this.period, this.asOf, this.sort, this.order, this.page, this.pageSize, this.search, this.draft] as const,
    onComplete: (data) => this.#emit('accounts-load', { total: data.total, period: data.period }),
    onError: (error) => {
      const { code = 'ERROR', status = 0 } = error as { code?: string; status?: number };
      this.#emit('accounts-error', { code, status, message: (error as Error).message });
    },
  });

  /** Looked up once per render: a page of accounts formats thousands of numbers. */
  #locale: string | undefined;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.api = '';
    this.config = '';
    this.token = '';
    this.view = 'table';
    this.pageSize = 50;
    this.order = 'asc';
    this.page = 1;
    this.search = '';
  }

  override willUpdate(changed: PropertyValues<this>): void {
    // A new configuration or period starts from its first page.
    if ((changed.has('config') || changed.has('period')) && !changed.has('page')) this.page = 1;
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    if (this.getAttribute('shadow-mode') !== 'closed') return super.createRenderRoot();
    const root = this.attachShadow({ ...StrategicAccountsElement.shadowRootOptions, mode: 'closed' });
    adoptStyles(root, StrategicAccountsElement.elementStyles);
    return root;
  }

  #emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #choosePeriod(period: string): void {
    if (period === this.period) return;
    this.period = period;
    this.#emit('period-change', { period });
  }

  /** Asks the server once typing pauses, not at every key. */
  #onSearch(event: InputEvent): void {
    const text = (event.target as HTMLInputElement).value.trim();
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => {
      this.search = text;
      this.page = 1;
    }, 250);
  }

  /** The server sorts by client name until asked otherwise. */
  get #sortKey(): string {
    return this.sort ?? 'client';
  }

  #sortBy(key: string): void {
    this.order = this.#sortKey === key && this.order === 'asc' ? 'desc' : 'asc';
    this.sort = key;
    this.page = 1;
    this.#emit('sort-change', { sort: this.sort, order: this.order });
  }

  /** Asks the server again, as the error message's "Try again" button does. */
  refresh(): Promise<void> {
    return this.#data.run();
  }

  #change(change: number | null): TemplateResult {
    const locale = this.#locale;
    const direction = change === null || change === 0 ? '' : change > 0 ? 'up' : 'down';
    return html`<span class=${direction} aria-hidden="true">${formatChange(change, locale)}</span
      ><span class="visually-hidden">${describeChange(change, locale)}</span>`;
  }

  /**
   * One table row: the five default columns (the API sends them first, in this order), then the
   * configured ones. One template per row renders a page of 1,000 accounts markedly faster than
   * one per cell.
   */
  #row(account: Account, columns: Column[]): TemplateResult {
    const locale = this.#locale;
    return html`<tr part="row" data-account=${account.id}>
      <th scope="row" part="cell">${account.name}</th>
      <td part="cell"><span class="health" part="health" data-health=${account.health}>${account.health}</span></td>
      <td part="cell" class="num">${formatArr(account.arr, account.currency, locale)}</td>
      <td part="cell" class="num">${formatInteger(account.nps, locale)}</td>
      <td part="cell" class="num">${this.#change(account.change)}</td>
      ${columns.slice(defaultColumns.length).map((column) => html`<td part="cell">${formatCell(account.values[column.key], locale)}</td>`)}
    </tr>`;
  }

  #table(data: StrategicAccounts): TemplateResult {
    const sortLabel = (column: Column) => (this.#sortKey === column.key ? (this.order === 'asc' ? 'ascending' : 'descending') : 'none');
    return html`<div class="table-wrap">
      <table part="table">
        <caption>
          ${data.current.label} against ${data.previous.label}
        </caption>
        <thead>
          <tr>
            ${data.columns.map(
              (column) =>
                html`<th scope="col" part="header-cell" class=${numericColumns.has(column.key) ? 'num' : ''} aria-sort=${sortLabel(column)}>
                  <button type="button" data-sort=${column.key} @click=${() => this.#sortBy(column.key)}>${column.label}</button>
                </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${data.accounts.map((account) => this.#row(account, data.columns))}
        </tbody>
      </table>
    </div>`;
  }

  #cards(data: StrategicAccounts): TemplateResult {
    const locale = this.#locale;
    return html`<ul class="cards" part="cards" aria-label="Accounts">
      ${data.accounts.map(
        (account) =>
          html`<li class="card" part="card" data-account=${account.id}>
            <h3>${account.name}</h3>
            <span class="health" part="health" data-health=${account.health}>${account.health}</span>
            NPS ${formatInteger(account.nps, locale)} (${this.#change(account.change)})
            ${account.metrics.length
              ? html`<dl class="metrics">
                  ${account.metrics.slice(0, 3).map(
                    (metric) => html`<div class="metric" part="metric"><dt>${metric.label}</dt><dd>${formatMetric(metric, locale)}</dd></div>`,
                  )}
                </dl>`
              : nothing}
            ${lineChart(account.chart.label, account.chart.points, (value) => formatDecimal(value, account.chart.decimals, locale))}
          </li>`,
      )}
    </ul>`;
  }

  #pager(data: StrategicAccounts): TemplateResult | typeof nothing {
    const pages = Math.ceil(data.total / data.pageSize);
    if (pages <= 1) return nothing;
    return html`<nav class="pager" part="pager" aria-label="Pages">
      <button type="button" ?disabled=${data.page <= 1} @click=${() => (this.page = data.page - 1)}>Previous</button>
      <span>Page ${data.page} of ${pages}</span>
      <button type="button" ?disabled=${data.page >= pages} @click=${() => (this.page = data.page + 1)}>Next</button>
    </nav>`;
  }

  #toolbar(data: StrategicAccounts | undefined): TemplateResult {
    const current = data?.period ?? this.period;
    return html`<div class="toolbar" part="toolbar">
      <div>
        <h2 class="title">${data?.config.name ?? 'Strategic accounts'}</h2>
        ${data ? html`<span class="range">${data.current.label} (${data.current.start} – ${data.current.end})</span>` : nothing}
      </div>
      <div class="switchers">
        <input type="search" part="search" placeholder="Search clients" aria-label="Search clients" @input=${this.#onSearch} />
        <div class="group" role="group" aria-label="Period" part="period-switcher">
          ${periods.map(
            (period) =>
              html`<button type="button" part="period-button" aria-pressed=${period === current ? 'true' : 'false'} @click=${() => this.#choosePeriod(period)}>
                ${period}
              </button>`,
          )}
        </div>
        <div class="group" role="group" aria-label="View" part="view-switcher">
          ${(['table', 'cards'] as const).map(
            (view) =>
              html`<button type="button" aria-pressed=${this.view === view ? 'true' : 'false'} @click=${() => (this.view = view)}>
                ${view === 'table' ? 'Table' : 'Cards'}
              </button>`,
          )}
        </div>
      </div>
    </div>`;
  }

  override render(): TemplateResult {
    this.#locale = this.locale || this.closest('[lang]')?.getAttribute('lang') || undefined;
    const status = this.#data.status;
    // While a new period or page loads, the last answer stays on screen, marked busy.
    const data = status === TaskStatus.ERROR ? undefined : this.#data.value;
    const busy = status === TaskStatus.PENDING;
    let body: TemplateResult;
    let announcement = '';
    if (status === TaskStatus.ERROR) {
      const message = (this.#data.error as Error | undefined)?.message ?? 'unknown error';
      body = html`<div class="status error" part="error" role="alert">
        <p>Could not load the accounts: ${message}</p>
        <button type="button" @click=${() => this.refresh()}>Try again</button>
      </div>`;
    } else if (!data) {
      body = html`<div class="status" part="status">Loading accounts…</div>`;
      announcement = 'Loading accounts';
    } else if (data.accounts.length === 0) {
      const which = this.search ? `matching “${this.search}” ` : '';
      body = html`<div class="status" part="status">No accounts ${which}to show for ${data.current.label}.</div>`;
      announcement = `No accounts for ${data.current.label}`;
    } else {
      body = html`${this.view === 'cards' ? this.#cards(data) : this.#table(data)}${this.#pager(data)}`;
      const sorted = this.sort ? `, sorted by ${data.columns.find((c) => c.key === this.sort)?.label ?? this.sort}, ${this.order === 'asc' ? 'ascending' : 'descending'}` : '';
      announcement = busy ? 'Loading accounts' : `${data.total} accounts, ${data.current.label}${sorted}`;
    }
    return html`<section aria-busy=${busy ? 'true' : 'false'} aria-label=${data?.config.name ?? 'Strategic accounts'}>
      ${this.#toolbar(data)}${body}
      <div class="visually-hidden" role="status" aria-live="polite">${announcement}</div>
    </section>`;
  }
}
