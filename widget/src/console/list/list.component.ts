import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading } from '../states.ts';

/** One column of a list: its header, and what a row shows in it. */
export type Column<T> = { label: string; cell: (item: T) => unknown };

type Answer<T> = { items: T[]; total?: number };

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
  declare offset: number;
  declare search: string;
  declare version: number;

  readonly #items = new Task(this, {
    task: ([source, paged, offset, search], { signal }) => {
      if (!source) return Promise.resolve<Answer<T>>({ items: [] });
      const query = new URLSearchParams(paged ? { limit: String(pageSize), offset: String(offset) } : {});
      if (search) query.set('q', search);
      const url = query.size ? `${source}${source.includes('?') ? '&' : '?'}${query}` : source;
      return api<Answer<T>>(url, { signal });
    },
    args: () => [this.source, this.paged, this.offset, this.search, this.version] as const,
  });

  constructor() {
    super();
    this.source = '';
    this.label = '';
    this.noun = 'items';
    this.paged = false;
    this.searchable = false;
    this.columns = [];
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
      ${this.#items.render({
        pending: () => loading(this.noun),
        error: (error) => failure(error, `The ${this.noun} could not be read`),
        complete: (answer) => this.#table(answer),
      })}
    `;
  }

  #table({ items, total }: Answer<T>): TemplateResult {
    if (items.length === 0) return empty(this.search ? `No ${this.noun} match “${this.search}”.` : `No ${this.noun} yet.`);
    return html`
      <table>
        <caption>${this.label}</caption>
        <thead><tr>${this.columns.map((column) => html`<th scope="col">${column.label}</th>`)}</tr></thead>
        <tbody>${items.map((item) => html`<tr>${this.columns.map((column) => html`<td>${column.cell(item)}</td>`)}</tr>`)}</tbody>
      </table>
      ${this.paged && total !== undefined ? this.#pager(items.length, total) : nothing}
    `;
  }

  #pager(count: number, total: number): TemplateResult {
    return html`<nav class="pager" aria-label="Pages of ${this.noun}">
      <button type="button" ?disabled=${this.offset === 0} @click=${() => (this.offset = Math.max(0, this.offset - pageSize))}>Previous</button>
      <span>${this.offset + 1}–${this.offset + count} of ${total}</span>
      <button type="button" ?disabled=${this.offset + count >= total} @click=${() => (this.offset += pageSize)}>Next</button>
    </nav>`;
  }
}
