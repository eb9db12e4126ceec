import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { ObjectDescribe } from '../../../../core/connections/salesforce-describe.ts';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, taskChange, type FieldErrors, type SalesforceTask } from './draft.ts';

type Connection = { id: number; name: string };
type ListView = { id: string; developerName: string; label: string };
type Org = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; describe: ObjectDescribe; views: ListView[] };

/**
 * An extract of one object of a connected org: the org, the directory source, and the fields read
 * from the org's describe. The fields the directory needs are always extracted (shown ticked and
 * locked); compound fields cannot be ticked and say why; custom fields are found by searching.
 * An optional list view narrows the records.
 *
 * @summary The Salesforce extract card of the workflow builder.
 * @fires task-change - detail: the task as changed.
 */
export class SalesforceCardElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = {
    task: { attribute: false },
    connections: { attribute: false },
    errors: { attribute: false },
    org: { state: true },
    search: { state: true },
    customOnly: { state: true },
  };

  declare task: SalesforceTask;
  declare connections: Connection[];
  declare errors: FieldErrors;
  declare org: Org | undefined;
  declare search: string;
  declare customOnly: boolean;
  #read = '';

  constructor() {
    super();
    this.connections = [];
    this.errors = {};
    this.org = undefined;
    this.search = '';
    this.customOnly = false;
  }

  override willUpdate(): void {
    const key = `${this.task.connectionId}/${this.task.object}`;
    if (this.task.connectionId && key !== this.#read) {
      this.#read = key;
      void this.#describe(this.task.connectionId, this.task.object);
    }
  }

  async #describe(connectionId: number, kind: string): Promise<void> {
    this.org = { state: 'loading' };
    try {
      const [describe, views] = await Promise.all([
        api<ObjectDescribe>(`/api/salesforce-connections/${connectionId}/objects/${kind}/fields`),
        api<{ items: ListView[] }>(`/api/salesforce-connections/${connectionId}/objects/${kind}/list-views`),
      ]);
      this.org = { state: 'ready', describe, views: views.items };
    } catch (error) {
      this.org = { state: 'failed', error };
    }
  }

  #change(part: Partial<SalesforceTask>): void {
    const task = { ...this.task, ...part };
    for (const key of Object.keys(part) as (keyof SalesforceTask)[]) if (part[key] === undefined) delete task[key];
    this.dispatchEvent(taskChange(task));
  }

  /** Ticking a field adds it after the required ones; with no extra field left, the task reads the required ones alone. */
  #tick(describe: ObjectDescribe, field: string, on: boolean): void {
    const chosen = new Set((this.task.fields ?? []).filter((f) => !describe.required.includes(f)));
    if (on) chosen.add(field);
    else chosen.delete(field);
    this.#change({ fields: chosen.size ? [...describe.required, ...chosen] : undefined });
  }

  #fields(describe: ObjectDescribe, views: ListView[]): TemplateResult {
    const chosen = new Set(this.task.fields ?? []);
    const required = new Set(describe.required.map((f) => f.toLowerCase()));
    const needle = this.search.trim().toLowerCase();
    const shown = describe.fields.filter((f) => !required.has(f.name.toLowerCase()) && (!this.customOnly || f.custom)
      && (!needle || f.name.toLowerCase().includes(needle) || f.label.toLowerCase().includes(needle)));
    const id = `${this.task.name}-fields`.replace(/\W/g, '-');
    return html`<fieldset class="card">
        <legend>Fields of ${describe.object}</legend>
        <p class="hint">Always extracted (the directory needs them): ${describe.required.join(', ')}</p>
        <div class="row">
          <label>Search fields<input type="search" .value=${this.search} @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)}></label>
          <label class="choice"><input type="checkbox" .checked=${this.customOnly} @change=${(e: Event) => (this.customOnly = (e.target as HTMLInputElement).checked)}> Custom fields only</label>
        </div>
        <div class="fields" role="group" aria-label="Fields to extract" aria-describedby="${id}-error">
          ${describe.required.map((name) => html`<label class="choice"><input type="checkbox" checked disabled> ${name} <span class="reason">(required)</span></label>`)}
          ${shown.map((f, i) => html`<label class="choice"><input type="checkbox" .checked=${chosen.has(f.name)} ?disabled=${f.refusal !== null}
              aria-describedby=${f.refusal ? `${id}-why-${i}` : nothing} @change=${(e: Event) => this.#tick(describe, f.name, (e.target as HTMLInputElement).checked)}>
            ${f.name} <span class="reason">${f.label}${f.custom ? ', custom' : ''}</span>
            ${f.refusal ? html`<span class="reason" id="${id}-why-${i}">— ${f.refusal}</span>` : nothing}</label>`)}
        </div>
        ${fieldError(this.errors, 'fields', `${id}-error`)}
      </fieldset>
      <div class="row">
        <label>List view (optional)<select @change=${(e: Event) => this.#change({ listView: (e.target as HTMLSelectElement).value || undefined })}>
          <option value="" ?selected=${!this.task.listView}>Every record</option>
          ${views.map((v) => html`<option value=${v.developerName} ?selected=${this.task.listView === v.developerName || this.task.listView === v.id}>${v.label}</option>`)}
        </select></label>
        <label class="choice"><input type="checkbox" .checked=${this.task.fullResync === true} @change=${(e: Event) => this.#change({ fullResync: (e.target as HTMLInputElement).checked || undefined })}> Extract every record again next run</label>
      </div>`;
  }

  override render(): TemplateResult {
    const org = this.org;
    return html`<div class="row">
        <label>Org<select @change=${(e: Event) => this.#change({ connectionId: Number((e.target as HTMLSelectElement).value), fields: undefined, listView: undefined })}>
          ${this.task.connectionId ? nothing : html`<option value="" selected>Choose an org</option>`}
          ${this.connections.map((c) => html`<option value=${c.id} ?selected=${this.task.connectionId === c.id}>${c.name}</option>`)}
        </select></label>
        <label>Directory source<select @change=${(e: Event) => this.#change({ object: (e.target as HTMLSelectElement).value as SalesforceTask['object'], fields: undefined, listView: undefined })}>
          ${(['accounts', 'contacts', 'teamMembers'] as const).map((o) => html`<option value=${o} ?selected=${this.task.object === o}>${{ accounts: 'Accounts (Account)', contacts: 'Contacts (Contact)', teamMembers: 'Team members (AccountTeamMember)' }[o]}</option>`)}
        </select></label>
      </div>
      ${fieldError(this.errors, 'connectionId', `${this.task.name}-org-error`)}
      ${!org ? nothing : org.state === 'loading' ? loading("the org's fields") : org.state === 'failed' ? failure(org.error, "The org's fields could not be read") : this.#fields(org.describe, org.views)}`;
  }
}
