import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { SftpFolder } from '../../../../core/connections/sftp.ts';
import { describeBytes } from '../../../../core/uploads/bytes.ts';
import { api, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';

type Listing = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; folder: Wire<SftpFolder> };

/**
 * The folders of a stored SFTP connection's server, as its login sees them: opened one at a time,
 * from `start` (none: the folder the login starts in), down into a folder or up to its parent; a
 * file is picked with its button.
 *
 * @summary The folder browser of an SFTP extract.
 * @fires file-picked - detail: the absolute path of the file picked.
 */
export class SftpBrowserElement extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        border: 1px solid var(--bw-border);
        border-radius: 4px;
        padding: 0 0.75rem 0.5rem;
        margin: 0 0 0.5rem;
      }
      .scroll {
        max-height: 20rem;
        overflow: auto;
      }
      td button {
        background: none;
        border: none;
        padding: 0;
        color: var(--bw-accent);
        text-decoration: underline;
        cursor: pointer;
        font: inherit;
        text-align: left;
      }
    `,
  ];

  static override properties = {
    connectionId: { type: Number, attribute: 'connection-id' },
    start: { attribute: false },
    picked: { attribute: false },
    listing: { state: true },
  };

  /** The stored connection whose server is browsed. */
  declare connectionId: number;
  /** The folder first opened; undefined: the folder the login starts in. */
  declare start: string | undefined;
  /** The file the extract reads now, marked in its folder. */
  declare picked: string | undefined;
  declare listing: Listing;

  #request: AbortController | undefined;
  /** The last folder listed, to go back to when another cannot be. */
  #shown: string | undefined;

  constructor() {
    super();
    this.start = undefined;
    this.picked = undefined;
    this.listing = { state: 'loading' };
  }

  /** Put back on the page after a listing was dropped with it: the folder is asked for again. */
  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && this.listing.state === 'loading') void this.#open(this.#shown ?? this.start);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#request?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('connectionId')) void this.#open(this.start);
  }

  /** Lists a folder; a folder asked for meanwhile wins, so a quick second click is the one shown. */
  async #open(folder: string | undefined, focus = false): Promise<void> {
    this.#request?.abort();
    const request = new AbortController();
    this.#request = request;
    this.listing = { state: 'loading' };
    const query = folder === undefined ? '' : `?${new URLSearchParams({ path: folder })}`;
    try {
      const answer = await api<Wire<SftpFolder>>(`/api/sftp-connections/${this.connectionId}/files${query}`, { signal: request.signal });
      if (request.signal.aborted) return;
      this.listing = { state: 'ready', folder: answer };
      this.#shown = answer.folder;
    } catch (error) {
      if (request.signal.aborted) return;
      this.listing = { state: 'failed', error };
    }
    // The button pressed is gone with the folder it was in: the reader goes on from the new folder's name.
    if (focus) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[data-focus]')?.focus();
    }
  }

  #pick(path: string): void {
    this.dispatchEvent(new CustomEvent('file-picked', { detail: path }));
  }

  #entries(folder: Wire<SftpFolder>): TemplateResult {
    const path = (name: string) => (folder.folder === '/' ? `/${name}` : `${folder.folder}/${name}`);
    if (folder.entries.length === 0) return empty('This folder is empty.');
    return html`<div class="scroll"><table>
        <caption class="visually-hidden">Entries of ${folder.folder}</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Modified</th></tr></thead>
        <tbody>${folder.entries.map((e) => html`<tr>
          <td>${e.type === 'folder'
            ? html`<button type="button" @click=${() => this.#open(path(e.name), true)}><span class="visually-hidden">Open folder </span>${e.name}/</button>`
            : e.type === 'file'
              ? html`<button type="button" aria-current=${this.picked === path(e.name) ? 'true' : nothing} @click=${() => this.#pick(path(e.name))}><span class="visually-hidden">Pick </span>${e.name}</button>${this.picked === path(e.name) ? html` (picked)` : nothing}`
              : e.name}</td>
          <td>${e.type === 'file' ? describeBytes(e.size) : ''}</td>
          <td>${when(e.modifiedAt)}</td>
        </tr>`)}</tbody>
      </table></div>
      ${folder.moreEntries ? html`<p class="status">${folder.moreEntries} more entries are not shown: type the path, or a pattern, instead.</p>` : nothing}`;
  }

  override render(): TemplateResult {
    const listing = this.listing;
    if (listing.state === 'loading') return loading('the folder');
    if (listing.state === 'failed') {
      return html`${failure(listing.error, 'The folder could not be listed')}
        ${this.#shown === undefined
          ? html`<button type="button" data-focus @click=${() => this.#open(undefined, true)}>Open the login's folder</button>`
          : html`<button type="button" data-focus @click=${() => this.#open(this.#shown, true)}>Back to ${this.#shown}</button>`}`;
    }
    const folder = listing.folder;
    return html`<p><span tabindex="-1" data-focus>Folder <code>${folder.folder}</code></span>
        ${folder.parent === null ? nothing : html`<button type="button" @click=${() => this.#open(folder.parent!, true)}>Up to ${folder.parent}</button>`}</p>
      ${this.#entries(folder)}`;
  }
}
