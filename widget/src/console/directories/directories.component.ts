import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { Directory, RemovalCounts } from '../../../../core/directory/directories.ts';
import { api, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';

type Listed = Wire<Directory>;

/** What one row is doing: renaming, or confirming a delete after reading what it removes. */
type Pending =
  | { id: number; state: 'renaming' }
  | { id: number; state: 'reading' }
  | { id: number; state: 'confirming'; removes: RemovalCounts }
  | { id: number; state: 'refused'; error: unknown; action: string };

/**
 * Settings → Directories: the directories with their live accounts and contacts, and their contact
 * rules; admins create, rename and delete them. Deleting first reads what it removes (GET /api/directories/:id → removes)
 * and asks to confirm with those counts.
 *
 * @summary The directories, and what deleting one removes.
 * @attr can-edit - The user may create, rename and delete (admins).
 */
export class DirectoriesElement extends LitElement {
  static override styles = shared;

  static override properties = {
    canEdit: { type: Boolean, attribute: 'can-edit' },
    version: { state: true },
    pending: { state: true },
    created: { state: true },
  };

  declare canEdit: boolean;
  declare version: number;
  declare pending: Pending | undefined;
  declare created: { state: 'busy' } | { state: 'refused'; error: unknown } | undefined;

  readonly #directories = new Task(this, {
    task: (_args, { signal }) => api<{ items: Listed[] }>('/api/directories', { signal }),
    args: () => [this.version] as const,
  });

  constructor() {
    super();
    this.canEdit = false;
    this.version = 0;
    this.pending = undefined;
    this.created = undefined;
  }

  async #attempt(id: number, action: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.pending = undefined;
      this.version++;
    } catch (error) {
      this.pending = { id, state: 'refused', error, action };
    }
  }

  async #onCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this.created = { state: 'busy' };
    try {
      await api('/api/directories', { method: 'POST', body: Object.fromEntries(new FormData(form)) });
      this.created = undefined;
      form.reset();
      this.version++;
    } catch (error) {
      this.created = { state: 'refused', error };
    }
  }

  #onRename(event: SubmitEvent, directory: Listed): void {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(event.target as HTMLFormElement));
    void this.#attempt(directory.id, 'Not renamed', () => api(`/api/directories/${directory.id}`, { method: 'PATCH', body }));
  }

  async #askDelete(directory: Listed): Promise<void> {
    this.pending = { id: directory.id, state: 'reading' };
    try {
      const { removes } = await api<{ removes: RemovalCounts }>(`/api/directories/${directory.id}`);
      this.pending = { id: directory.id, state: 'confirming', removes };
    } catch (error) {
      this.pending = { id: directory.id, state: 'refused', error, action: 'What deleting removes could not be read' };
    }
  }

  override render(): TemplateResult {
    return html`
      ${this.canEdit
        ? html`<form class="inline" aria-label="Create a directory" @submit=${this.#onCreate}>
              <label>New directory's name <input name="name" required /></label>
              <button class="primary" type="submit" ?disabled=${this.created?.state === 'busy'}>Create</button>
            </form>
            ${this.created?.state === 'refused' ? failure(this.created.error, 'Not created') : nothing}`
        : nothing}
      ${this.#directories.render({
        pending: () => loading('the directories'),
        error: (error) => failure(error, 'The directories could not be read'),
        complete: ({ items }) => (items.length === 0 ? empty('No directories yet.') : html`${this.#table(items)}<bw-contact-rules .directories=${items} ?can-edit=${this.canEdit}></bw-contact-rules>`),
      })}
    `;
  }

  #table(directories: Listed[]): TemplateResult {
    return html`<table>
      <caption>Directories</caption>
      <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Accounts</th><th scope="col">Contacts</th><th scope="col">Created</th>${this.canEdit ? html`<th scope="col">Actions</th>` : nothing}</tr></thead>
      <tbody>${directories.map((d) => html`<tr>
        <td>${d.id}</td>
        <td>${this.pending?.id === d.id && this.pending.state === 'renaming'
          ? html`<form class="inline" aria-label="Rename ${d.name}" @submit=${(e: SubmitEvent) => this.#onRename(e, d)}>
              <label>New name <input name="name" required .value=${d.name} /></label>
              <button type="submit">Save</button>
              <button type="button" @click=${() => (this.pending = undefined)}>Keep the name</button>
            </form>`
          : d.name}</td>
        <td>${d.accounts}</td>
        <td>${d.contacts}</td>
        <td>${when(d.createdAt)}</td>
        ${this.canEdit ? html`<td>${this.#actions(d)}</td>` : nothing}
      </tr>`)}</tbody>
    </table>`;
  }

  #actions(directory: Listed): TemplateResult {
    const pending = this.pending?.id === directory.id ? this.pending : undefined;
    if (pending?.state === 'confirming') {
      const { accounts, contacts, runs, mailingLists, widgetConfigs } = pending.removes;
      return html`<div role="alertdialog" aria-labelledby="confirm-${directory.id}">
        <p id="confirm-${directory.id}">Deleting “${directory.name}” removes ${accounts} accounts, ${contacts} contacts, ${runs} runs, ${mailingLists} mailing lists and ${widgetConfigs} widget configurations.</p>
        <div class="actions">
          <button type="button" class="danger" @click=${() => this.#attempt(directory.id, 'Not deleted', () => api(`/api/directories/${directory.id}`, { method: 'DELETE' }))}>Delete it and all it holds</button>
          <button type="button" @click=${() => (this.pending = undefined)}>Keep it</button>
        </div>
      </div>`;
    }
    return html`<div class="actions">
        <button type="button" aria-label="Rename: ${directory.name}" @click=${() => (this.pending = { id: directory.id, state: 'renaming' })}>Rename</button>
        <button type="button" class="danger" aria-label="Delete: ${directory.name}" ?disabled=${pending?.state === 'reading'} @click=${() => this.#askDelete(directory)}>Delete</button>
      </div>
      ${pending?.state === 'refused' ? failure(pending.error, pending.action) : nothing}`;
  }
}
