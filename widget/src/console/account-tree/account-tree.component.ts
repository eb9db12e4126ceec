import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { AccountListItem, CappedPage } from '../../../../server/directory/queries.ts';
import { api, type Wire } from '../api.ts';
import { inDirectory } from '../directory-scope.ts';
import { accountHref } from '../pages/directory-pages.ts';
import { navigate } from '../routes.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading } from '../states.ts';
import { styles } from './account-tree.styles.ts';

type Account = Wire<AccountListItem>;

/** The accounts of one level read so far; `more` when the server has another page of them. */
type Level = { items: Account[]; total: number; capped: boolean; more: boolean };

/** A row the reader can move to: an account, or the "show more" row that ends a level with more to read. */
type Row = { key: string; parent: string | null; account: Account | null };

const pageSize = 100;

const accountKey = (externalId: string) => `a:${externalId}`;
const moreKey = (parent: string | null) => `m:${parent ?? ''}`;

/**
 * The account hierarchy as a tree (the WAI-ARIA tree pattern): the top of the hierarchy first, each
 * account expanding to its children, read from the server when first expanded, a page at a time.
 * Up and Down move, Right expands or enters, Left collapses or leaves, Home and End jump, Enter opens
 * the account; a click on the triangle expands, a click on the name opens.
 *
 * @summary The directory's accounts as an expandable tree.
 */
export class AccountTreeElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = {
    levels: { state: true },
    expanded: { state: true },
    busy: { state: true },
    focused: { state: true },
    problem: { state: true },
  };

  /** Read levels by parent id ('' for the top). */
  declare levels: Map<string, Level>;
  declare expanded: Set<string>;
  /** Levels being read, by parent id. */
  declare busy: Set<string>;
  /** The key of the row that takes Tab (roving tabindex). */
  declare focused: string;
  declare problem: { error: unknown; context: string } | null;

  #moveFocus = false;

  constructor() {
    super();
    this.levels = new Map();
    this.expanded = new Set();
    this.busy = new Set();
    this.focused = '';
    this.problem = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.levels.has('')) void this.#read(null);
  }

  /** Reads the next page of `parent`'s children (the top of the hierarchy for null). */
  async #read(parent: string | null): Promise<void> {
    const id = parent ?? '';
    if (this.busy.has(id)) return;
    const known = this.levels.get(id);
    const offset = known?.items.length ?? 0;
    this.busy = new Set(this.busy).add(id);
    try {
      const query = `limit=${pageSize}&offset=${offset}`;
      const page = await api<Wire<CappedPage<AccountListItem>>>(inDirectory(parent === null ? `/api/accounts?top=true&${query}` : `/api/accounts/${encodeURIComponent(parent)}/children?${query}`));
      const more = page.capped ? page.items.length === pageSize : offset + page.items.length < page.total;
      this.levels = new Map(this.levels).set(id, { items: [...(known?.items ?? []), ...page.items], total: page.total, capped: page.capped, more });
      this.problem = null;
      if (!this.focused && page.items[0]) this.focused = accountKey(page.items[0].externalId);
      // "Show more" goes away or moves down: the reader continues on the first account it brought.
      if (this.focused === moreKey(parent) && page.items[0]) this.#focus(accountKey(page.items[0].externalId));
    } catch (error) {
      this.problem = { error, context: parent === null ? 'The top of the hierarchy could not be read' : `The accounts under ${parent} could not be read` };
    } finally {
      const busy = new Set(this.busy);
      busy.delete(id);
      this.busy = busy;
    }
  }

  #toggle(account: Account): void {
    const expanded = new Set(this.expanded);
    if (expanded.delete(account.externalId)) {
      this.expanded = expanded;
      return;
    }
    this.expanded = expanded.add(account.externalId);
    if (!this.levels.has(account.externalId)) void this.#read(account.externalId);
  }

  /** The rows shown, in order: what the arrow keys move through. */
  #rows(parent: string | null = null, rows: Row[] = []): Row[] {
    const level = this.levels.get(parent ?? '');
    if (!level) return rows;
    for (const account of level.items) {
      rows.push({ key: accountKey(account.externalId), parent, account });
      if (this.expanded.has(account.externalId)) this.#rows(account.externalId, rows);
    }
    if (level.more) rows.push({ key: moreKey(parent), parent, account: null });
    return rows;
  }

  #focus(key: string): void {
    this.focused = key;
    this.#moveFocus = true;
  }

  #onKeydown(event: KeyboardEvent): void {
    const rows = this.#rows();
    const index = rows.findIndex((row) => row.key === this.focused);
    const row = rows[index];
    if (!row) return;
    const account = row.account;
    const handled = (() => {
      switch (event.key) {
        case 'ArrowDown': return rows[index + 1] && this.#focus(rows[index + 1]!.key);
        case 'ArrowUp': return rows[index - 1] && this.#focus(rows[index - 1]!.key);
        case 'Home': return this.#focus(rows[0]!.key);
        case 'End': return this.#focus(rows.at(-1)!.key);
        case 'ArrowRight':
          if (!account?.hasChildren) return true;
          if (!this.expanded.has(account.externalId)) return this.#toggle(account);
          return rows[index + 1]?.parent === account.externalId && this.#focus(rows[index + 1]!.key);
        case 'ArrowLeft':
          if (account && this.expanded.has(account.externalId)) return this.#toggle(account);
          return row.parent !== null && this.#focus(accountKey(row.parent));
        case 'Enter':
        case ' ':
          return this.#activate(row);
        default: return false;
      }
    })();
    if (handled !== false) event.preventDefault();
  }

  #activate(row: Row): void {
    if (row.account) navigate(accountHref(row.account.externalId));
    else void this.#read(row.parent);
  }

  override updated(): void {
    if (!this.#moveFocus) return;
    this.#moveFocus = false;
    this.renderRoot.querySelector<HTMLElement>(`[data-key="${CSS.escape(this.focused)}"]`)?.focus();
  }

  override render(): TemplateResult {
    const top = this.levels.get('');
    const problem = this.problem ? failure(this.problem.error, this.problem.context) : nothing;
    if (!top) return html`${this.busy.has('') ? loading('the hierarchy') : nothing}${problem}`;
    if (top.items.length === 0) return empty('No accounts yet.');
    return html`
      <p class="status" id="tree-help">Arrow keys move through the accounts and expand them; Enter opens one.</p>
      <ul role="tree" aria-label="Account hierarchy" aria-describedby="tree-help" @keydown=${this.#onKeydown}>
        ${this.#level(null, 1)}
      </ul>
      ${problem}
    `;
  }

  #level(parent: string | null, depth: number): TemplateResult[] {
    const level = this.levels.get(parent ?? '')!;
    const size = level.capped ? -1 : level.total;
    const items = level.items.map((account, i) => this.#item(account, depth, i + 1, size));
    if (level.more) {
      const key = moreKey(parent);
      const shown = `${level.items.length.toLocaleString()} of ${level.capped ? `more than ${level.total.toLocaleString()}` : level.total.toLocaleString()} shown`;
      items.push(html`<li role="treeitem" class="more" data-key=${key} aria-level=${depth} aria-setsize=${size} aria-posinset=${level.items.length + 1}
        tabindex=${this.focused === key ? 0 : -1} aria-busy=${this.busy.has(parent ?? '') ? 'true' : 'false'}
        @click=${() => { this.#focus(key); void this.#read(parent); }}>Show more (${shown})</li>`);
    }
    return items;
  }

  #item(account: Account, depth: number, position: number, size: number): TemplateResult {
    const key = accountKey(account.externalId);
    const open = this.expanded.has(account.externalId);
    const children = open ? this.levels.get(account.externalId) : undefined;
    return html`<li role="treeitem" data-key=${key} aria-level=${depth} aria-setsize=${size} aria-posinset=${position}
        aria-expanded=${account.hasChildren ? String(open) : nothing} aria-busy=${this.busy.has(account.externalId) ? 'true' : 'false'}
        tabindex=${this.focused === key ? 0 : -1}>
      <span class="row">
        <span class="toggle" aria-hidden="true" @click=${() => { this.#focus(key); if (account.hasChildren) this.#toggle(account); }}></span>
        <span class="name" @click=${() => navigate(accountHref(account.externalId))}>${account.displayName}</span>
        <span class="id">${account.externalId}</span>
      </span>
      ${children ? html`<ul role="group">${this.#level(account.externalId, depth + 1)}</ul>` : nothing}
    </li>`;
  }
}
