import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { AlertRule } from '../../../../core/alerts/rules.ts';
import { ClientRole, ManagementRole, roleLabel } from '../../../../core/directory/roles.ts';
import type { Health } from '../../../../core/widgets/config.ts';
import { api, type Wire } from '../api.ts';
import { allPlaced, fieldError, fieldErrors, hasFieldError } from '../field-errors.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading } from '../states.ts';
import { styles } from './alert-rules.styles.ts';

type Rule = Wire<AlertRule>;

const healthValues = ['At Risk', 'Neutral', 'Opportunity', 'Not enough data'] as const satisfies readonly Health[];

/** What the rule form edits: a rule of the list, or a new one. */
type Editing = { rule: Rule | null; kind: 'answer' | 'health'; state: 'open' | 'saving' } | { rule: Rule | null; kind: 'answer' | 'health'; state: 'refused'; error: unknown };

function condition(rule: Rule): string {
  if (rule.kind === 'answer') {
    const from = rule.clientRoles.length === 0 ? 'any contact' : rule.clientRoles.map(roleLabel).join(' or ');
    return `An answer of ${rule.maxScore} or less from ${from}`;
  }
  const parts = [
    ...(rule.healthTo.length > 0 ? [`Health turns ${rule.healthTo.join(' or ')}`] : []),
    ...(rule.npsDrop !== null ? [`NPS drops ${rule.npsDrop} points or more period over period`] : []),
  ];
  return `${parts.join(', or ')} (daily digest)`;
}

function recipients(rule: Rule): string {
  return [...rule.recipients.roles.map(roleLabel), ...rule.recipients.emails].join(', ');
}

/**
 * Settings → Alerts: the directory's alert rules (GET /api/alert-rules), what each fires on and who
 * it tells. Admins create, change, switch off and remove them; the form shows the server's refusal
 * at the field it names.
 *
 * @summary A directory's alert rules.
 * @attr directory - The directory whose rules it shows (empty: the server's default).
 * @attr can-edit - The user may change the rules (admins).
 */
export class AlertRulesElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = {
    directory: { type: String },
    canEdit: { type: Boolean, attribute: 'can-edit' },
    version: { state: true },
    editing: { state: true },
    rowError: { state: true },
  };

  declare directory: string;
  declare canEdit: boolean;
  declare version: number;
  declare editing: Editing | undefined;
  declare rowError: { id: number; error: unknown } | undefined;

  readonly #rules = new Task(this, {
    task: ([directory], { signal }) => api<{ items: Rule[] }>(`/api/alert-rules${directory ? `?directory=${directory}` : ''}`, { signal }),
    args: () => [this.directory, this.version] as const,
  });

  constructor() {
    super();
    this.directory = '';
    this.canEdit = false;
    this.version = 0;
    this.editing = undefined;
    this.rowError = undefined;
  }

  #open(rule: Rule | null): void {
    this.editing = { rule, kind: rule?.kind ?? 'answer', state: 'open' };
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('form[aria-label] input[name="name"]')?.focus());
  }

  async #onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.editing) return;
    const { rule, kind } = this.editing;
    const form = new FormData(event.target as HTMLFormElement);
    const number = (name: string) => (String(form.get(name) ?? '').trim() === '' ? null : Number(form.get(name)));
    const body = {
      name: form.get('name'),
      kind,
      enabled: form.get('enabled') === 'on',
      ...(kind === 'answer'
        ? { maxScore: number('maxScore'), clientRoles: form.getAll('clientRoles') }
        : { healthTo: form.getAll('healthTo'), npsDrop: number('npsDrop') }),
      recipients: {
        roles: form.getAll('roles'),
        emails: String(form.get('emails') ?? '').split(/[\s,;]+/).filter((e) => e !== ''),
      },
      ...(rule === null && this.directory ? { directoryId: Number(this.directory) } : {}),
    };
    this.editing = { rule, kind, state: 'saving' };
    try {
      await api(rule ? `/api/alert-rules/${rule.id}` : '/api/alert-rules', { method: rule ? 'PATCH' : 'POST', body });
      this.editing = undefined;
      this.version++;
    } catch (error) {
      this.editing = { rule, kind, state: 'refused', error };
    }
  }

  async #change(rule: Rule, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.rowError = undefined;
      this.version++;
    } catch (error) {
      this.rowError = { id: rule.id, error };
    }
  }

  override render(): TemplateResult {
    return html`
      <h2>Alert rules</h2>
      <p class="hint">An answer rule mails within a minute of a low score, once per answer; a health rule is checked every morning and sends one digest per person.</p>
      ${this.#rules.render({
        pending: () => loading('the alert rules'),
        error: (error) => failure(error, 'The alert rules could not be read'),
        complete: ({ items }) => (items.length === 0 ? empty('No alert rules: nobody is alerted.') : this.#table(items)),
      })}
      ${this.canEdit && !this.editing ? html`<p><button type="button" class="primary" @click=${() => this.#open(null)}>New alert rule</button></p>` : nothing}
      ${this.editing ? this.#form(this.editing) : nothing}
    `;
  }

  #table(rules: Rule[]): TemplateResult {
    return html`<table>
      <caption>Alert rules of this directory</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Alerts on</th><th scope="col">Tells</th><th scope="col">State</th>${this.canEdit ? html`<th scope="col">Actions</th>` : nothing}</tr></thead>
      <tbody>${rules.map((rule) => html`<tr>
        <td>${rule.name}</td>
        <td>${condition(rule)}</td>
        <td>${recipients(rule)}</td>
        <td>${rule.enabled ? 'On' : 'Off'}</td>
        ${this.canEdit ? html`<td>
          <div class="actions">
            <button type="button" aria-label="Edit: ${rule.name}" @click=${() => this.#open(rule)}>Edit</button>
            <button type="button" aria-label="${rule.enabled ? 'Switch off' : 'Switch on'}: ${rule.name}"
              @click=${() => this.#change(rule, () => api(`/api/alert-rules/${rule.id}`, { method: 'PATCH', body: { enabled: !rule.enabled } }))}>${rule.enabled ? 'Switch off' : 'Switch on'}</button>
            <button type="button" class="danger" aria-label="Delete: ${rule.name}" @click=${() => this.#change(rule, () => api(`/api/alert-rules/${rule.id}`, { method: 'DELETE' }))}>Delete</button>
          </div>
          ${this.rowError?.id === rule.id ? failure(this.rowError.error, 'Not changed') : nothing}
        </td>` : nothing}
      </tr>`)}</tbody>
    </table>`;
  }

  /** A group of boxes named `name`; the server's errors at `path` show inside it. */
  #checkboxes(group: { legend: string; name: string; path?: string; values: readonly string[]; checked: readonly string[]; label?: (value: string) => string }, errors: Map<string, string[]> | null): TemplateResult {
    const path = group.path ?? group.name;
    const id = `error-${path}`;
    const label = group.label ?? roleLabel;
    return html`<fieldset aria-describedby=${hasFieldError(errors, path) ? id : nothing}>
      <legend>${group.legend}</legend>
      <div class="choices">${group.values.map((value) => html`<label><input type="checkbox" name=${group.name} value=${value} ?checked=${group.checked.includes(value)} />${label(value)}</label>`)}</div>
      ${fieldError(errors, path, id)}
    </fieldset>`;
  }

  #form(editing: Editing): TemplateResult {
    const rule = editing.rule;
    const errors = editing.state === 'refused' ? fieldErrors(editing.error) : null;
    const input = (name: string) => ({ invalid: hasFieldError(errors, name) ? 'true' : 'false', describedBy: hasFieldError(errors, name) ? `error-${name}` : nothing });
    const unplaced = editing.state === 'refused' && !allPlaced(errors, ['name', 'maxScore', 'clientRoles', 'healthTo', 'npsDrop', 'recipients', 'recipients.roles', 'recipients.emails', 'kind']);
    return html`<form class="fields" aria-label=${rule ? `Edit alert rule ${rule.name}` : 'New alert rule'} @submit=${this.#onSubmit}>
      <label>Name <input name="name" required .value=${rule?.name ?? ''} aria-invalid=${input('name').invalid} aria-describedby=${input('name').describedBy} /></label>
      ${fieldError(errors, 'name', 'error-name')}
      <label>Alerts on
        <select name="kind" aria-describedby=${hasFieldError(errors, 'kind') ? 'error-kind' : nothing}
          @change=${(event: Event) => (this.editing = { ...editing, kind: (event.target as HTMLSelectElement).value as 'answer' | 'health' })}>
          <option value="answer" ?selected=${editing.kind === 'answer'}>An answer (detractor alert)</option>
          <option value="health" ?selected=${editing.kind === 'health'}>An account's Health or NPS (daily digest)</option>
        </select>
      </label>
      ${fieldError(errors, 'kind', 'error-kind')}
      ${editing.kind === 'answer'
        ? html`<label>Score at or below <input name="maxScore" type="number" min="0" max="10" required .value=${String(rule?.maxScore ?? 6)}
              aria-invalid=${input('maxScore').invalid} aria-describedby=${input('maxScore').describedBy} /></label>
            ${fieldError(errors, 'maxScore', 'error-maxScore')}
            ${this.#checkboxes({ legend: 'Only from these client roles (none: any contact)', name: 'clientRoles', values: Object.values(ClientRole), checked: rule?.clientRoles ?? [] }, errors)}`
        : html`${this.#checkboxes({ legend: 'When Health changes to', name: 'healthTo', values: healthValues, checked: rule?.healthTo ?? ['At Risk'], label: (v) => v }, errors)}
            <label>Or when NPS drops by at least (points, period over period) <input name="npsDrop" type="number" min="1" max="200" .value=${rule?.npsDrop === null || rule?.npsDrop === undefined ? '' : String(rule.npsDrop)}
              aria-invalid=${input('npsDrop').invalid} aria-describedby=${input('npsDrop').describedBy} /></label>
            ${fieldError(errors, 'npsDrop', 'error-npsDrop')}`}
      ${this.#checkboxes({ legend: "Tell the account's", name: 'roles', path: 'recipients.roles', values: Object.values(ManagementRole), checked: rule?.recipients.roles ?? ['ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER'] }, errors)}
      ${fieldError(errors, 'recipients', 'error-recipients')}
      <label>And these addresses (one per line) <textarea name="emails" rows="3" .value=${rule?.recipients.emails.join('\n') ?? ''}
        aria-invalid=${input('recipients.emails').invalid} aria-describedby=${input('recipients.emails').describedBy}></textarea></label>
      ${fieldError(errors, 'recipients.emails', 'error-recipients.emails')}
      <label class="check"><input type="checkbox" name="enabled" ?checked=${rule?.enabled ?? true} />On</label>
      ${unplaced ? failure((editing as { error: unknown }).error, 'Not saved') : nothing}
      <div class="actions">
        <button type="submit" class="primary" ?disabled=${editing.state === 'saving'}>Save rule</button>
        <button type="button" @click=${() => (this.editing = undefined)}>Cancel</button>
      </div>
    </form>`;
  }
}
