import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { Directory } from '../../../../core/directory/directories.ts';
import type { ContactRules } from '../../../../core/surveys/contact-rules.ts';
import { api, type Wire } from '../api.ts';
import { currentDirectory } from '../directory-scope.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading, when } from '../states.ts';
import { allPlaced, fieldError, fieldErrors } from '../field-errors.ts';

/**
 * How often one address may be invited, per directory: at most N invitations in a rolling period,
 * of all surveys together or of each apart (GET/PUT /api/directories/:id/contact-rules). Editors
 * read it; admins change it.
 *
 * @summary A directory's contact frequency rule.
 * @attr can-edit - The user may change the rule (admins).
 */
export class ContactRulesElement extends LitElement {
  static override styles = shared;

  static override properties = {
    directories: { attribute: false },
    canEdit: { type: Boolean, attribute: 'can-edit' },
    chosen: { state: true },
    saving: { state: true },
    version: { state: true },
  };

  /** The directories to choose from. */
  declare directories: Wire<Directory>[];
  declare canEdit: boolean;
  declare chosen: number | undefined;
  declare saving: { state: 'busy' } | { state: 'saved' } | { state: 'refused'; error: unknown } | undefined;
  declare version: number;

  readonly #rules = new Task(this, {
    task: ([id], { signal }) => api<Wire<ContactRules>>(`/api/directories/${id}/contact-rules`, { signal }),
    args: () => [this.#directoryId(), this.version] as const,
  });

  constructor() {
    super();
    this.directories = [];
    this.canEdit = false;
    this.chosen = undefined;
    this.saving = undefined;
    this.version = 0;
  }

  /** The directory chosen here, else the one the console shows, else the first. */
  #directoryId(): number | undefined {
    const shown = Number(currentDirectory());
    return this.chosen ?? this.directories.find((d) => d.id === shown)?.id ?? this.directories[0]?.id;
  }

  async #onSave(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    this.saving = { state: 'busy' };
    try {
      await api(`/api/directories/${this.#directoryId()}/contact-rules`, {
        method: 'PUT',
        body: { maxInvitations: Number(form.get('maxInvitations')), periodDays: Number(form.get('periodDays')), perSurvey: form.get('perSurvey') === 'on' },
      });
      this.saving = { state: 'saved' };
      this.version++;
    } catch (error) {
      this.saving = { state: 'refused', error };
    }
  }

  override render(): TemplateResult {
    if (this.directories.length === 0) return html``;
    const id = this.#directoryId();
    return html`<section aria-labelledby="contact-rules">
      <h2 id="contact-rules">Contact rules</h2>
      <p>How often one address may be invited to surveys. Whatever the rule, the same survey never goes to the same address twice within 12 hours.</p>
      <label>Directory <select @change=${(e: Event) => { this.chosen = Number((e.target as HTMLSelectElement).value); this.saving = undefined; }}>
        ${this.directories.map((d) => html`<option value=${d.id} ?selected=${d.id === id}>${d.name}</option>`)}
      </select></label>
      ${this.#rules.render({
        pending: () => loading('the contact rules'),
        error: (error) => failure(error, 'The contact rules could not be read'),
        complete: (rules) => this.#form(rules),
      })}
    </section>`;
  }

  #form(rules: Wire<ContactRules>): TemplateResult {
    const refused = this.saving?.state === 'refused' ? this.saving.error : undefined;
    const errors = fieldErrors(refused);
    const at = (field: string) => fieldError(errors, field, `error-${field}`);
    return html`<form class="inline" aria-label="Contact rules" @submit=${this.#onSave}>
        <label>At most <input name="maxInvitations" type="number" min="1" max="100" required .value=${String(rules.maxInvitations)} ?disabled=${!this.canEdit} /> invitations per address</label>
        ${at('maxInvitations')}
        <label>every <input name="periodDays" type="number" min="1" max="730" required .value=${String(rules.periodDays)} ?disabled=${!this.canEdit} /> days</label>
        ${at('periodDays')}
        <label><input name="perSurvey" type="checkbox" .checked=${rules.perSurvey} ?disabled=${!this.canEdit} /> counted for each survey apart</label>
        ${this.canEdit ? html`<button class="primary" type="submit" ?disabled=${this.saving?.state === 'busy'}>Save the rule</button>` : nothing}
      </form>
      <p class="status" role="status">${rules.updatedAt === null ? 'The default rule: one invitation per 30 days.' : `Saved ${when(rules.updatedAt)}.`}${this.saving?.state === 'saved' ? ' The rule is saved.' : ''}</p>
      ${refused !== undefined && !allPlaced(errors, ['maxInvitations', 'periodDays']) ? failure(refused, 'Not saved') : nothing}`;
  }
}
