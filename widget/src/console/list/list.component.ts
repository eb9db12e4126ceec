import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading } from '../states.ts';

/** One column of a list: its header, and what a row shows in it. */
export type Column<T> = { label: string; cell: (item: T) => unknown };

type Answer<T> = { items: T[]; total?: number; capped?: boolean };

/** One order a list route takes as `sort`. */
export type SortOption = { value: string; label: string };

const pageSize = 50;

/**
 * A list read from one of the API's GET routes: a table with a caption, its loading, empty and error
 * states, and, for paged routes, a search field and Previous / Next.
 *
 * @summary A table of what an API list route answers.
 *
 * @attr source - The route, e.g. `/api/accounts` (a query may follow).
 * @attr label - The table's caption, e.g. `Accounts`.
 * @attr noun - What the items are, lower case and plural, for the states (`accounts`).
 * @attr paged - The route takes `limit` and `offset` and answers `total`.
 * @attr searchable - The route takes a search text as `q`.
 * @prop columns - The columns, in order.
 * @prop sorts - The orders the route takes as `sort`, the first its default; none shows no choice.
 */
export class ListElement<T extends object = object> extends LitElement {
  static override styles = shared;

  static override properties = {
    source: { type: String },
    label: { type: String },
    noun: { type: String },
    paged: { type: Boolean },
    searchable: { type: Boolean },
    columns: { attribute: false },
    sorts: { attribute: false },
    sort: { state: true },
    offset: { state: true },
    search: { state: true },
    version: { state: true },
  };

  declare source: string;
  declare label: string;
  declare noun: string;
  declare paged: boolean;
  declare searchable: boolean;
  declare columns: Column<T>[];
  declare sorts: SortOption[];
  declare sort: string;
  declare offset: number;
  declare search: string;
  declare version: number;

  readonly #items = new Task(this, {
    task: ([source, paged, offset, search, sort], { signal }) => {
      if (!source) return Promise.resolve<Answer<T>>({ items: [] });
      const query = new URLSearchParams(paged ? { limit: String(pageSize), offset: String(offset) } : {});
      if (search) query.set('q', search);
      if (sort) query.set('sort', sort);
      const url = query.size ? `${source}${source.includes('?') ? '&' : '?'}${query}` : source;
      return api<Answer<T>>(url, { signal });
    },
    args: () => [this.source, this.paged, this.offset, this.search, this.sort, this.version] as const,
  });

  constructor() {
    super();
    this.source = '';
    this.label = '';
    this.noun = 'items';
    this.paged = false;
    this.searchable = false;
    this.columns = [];
    this.sorts = [];
    this.sort = '';
    this.offset = 0;
    this.search = '';
    this.version = 0;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('source') && changed.get('source') !== undefined) this.offset = 0;
  }

  #onSearch(event: SubmitEvent): void {
    event.preventDefault();
    this.search = String(new FormData(event.target as HTMLFormElement).get('q') ?? '').trim();
    this.offset = 0;
  }

  #onSort(event: Event): void {
    this.sort = (event.target as HTMLSelectElement).value;
    this.offset = 0;
  }

  /** Reads the list again (after a change the page made). */
  reload(): void {
    this.version++;
  }

  override render(): TemplateResult {
    return html`
      ${this.searchable
        ? html`<form class="inline" role="search" aria-label="Search ${this.noun}" @submit=${this.#onSearch}>
            <label>Search ${this.noun} <input type="search" name="q" .value=${this.search} /></label>
            <button type="submit">Search</button>
          </form>`
        : nothing}
      ${this.sorts.length
        ? html`<label class="sort">Sort by <select @change=${this.#onSort}>
            ${this.sorts.map((option) => html`<option value=${option.value} ?selected=${option.value === (this.sort || this.sorts[0]!.value)}>${option.label}</option>`)}
          </select></label>`
        : nothing}
      ${this.#items.render({
        pending: () => loading(this.noun),
        error: (error) => failure(error, `The ${this.noun} could not be read`),
        complete: (answer) => this.#table(answer),
      })}
    `;
  }

  #table({ items, total, capped = false }: Answer<T>): TemplateResult {
    if (items.length === 0) return empty(this.search ? `No ${this.noun} match “${this.search}”.` : `No ${this.noun} yet.`);
    return html`
      <table>
        <caption>${this.label}</caption>
        <thead><tr>${this.columns.map((column) => html`<th scope="col">${column.label}</th>`)}</tr></thead>
        <tbody>${items.map((item) => html`<tr>${this.columns.map((column) => html`<td>${column.cell(item)}</td>`)}</tr>`)}</tbody>
      </table>
      ${this.paged && total !== undefined ? this.#pager(items.length, total, capped) : nothing}
    `;
  }

  /** A capped total is a lower bound (the server stops counting there): Next stays until a page comes back short. */
  #pager(count: number, total: number, capped: boolean): TemplateResult {
    const last = capped ? count < pageSize : this.offset + count >= total;
    return html`<nav class="pager" aria-label="Pages of ${this.noun}">
      <button type="button" ?disabled=${this.offset === 0} @click=${() => (this.offset = Math.max(0, this.offset - pageSize))}>Previous</button>
      <span>${this.offset + 1}–${this.offset + count} of ${capped ? `more than ${total.toLocaleString()}` : total.toLocaleString()}</span>
      <button type="button" ?disabled=${last} @click=${() => (this.offset += pageSize)}>Next</button>
    </nav>`;
  }
}
