import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { defaultTemplates, placeholders, render, renderSubject, type TemplateValues } from '../../../../core/surveys/template.ts';
import { api, type Page } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, taskChange, type DistributeTask, type FieldErrors, type Task } from './draft.ts';

type Contact = { externalId: string; firstName: string | null; lastName: string | null; email: string | null; accounts: { externalId: string }[] };
type Send = DistributeTask['send'];

/** A chosen audience, left unset for the default ('new') so the definition stays as short as written. */
function audienceOf(value: string): DistributeTask['audience'] {
  return value === 'newOrChanged' || value === 'all' ? value : undefined;
}

/**
 * Sends a survey to the mailing list a load makes: the survey, its link type, whom of the list it
 * invites (its audience), when it sends, and
 * the subject and bodies with their placeholders, previewed for a real contact of the directory.
 *
 * @summary The distribute card of the workflow builder.
 * @fires task-change - detail: the task as changed.
 */
export class DistributeCardElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = {
    task: { attribute: false },
    loads: { attribute: false },
    surveys: { attribute: false },
    directoryId: { type: Number, attribute: 'directory-id' },
    errors: { attribute: false },
    contacts: { state: true },
    contact: { state: true },
    accountName: { state: true },
    refusal: { state: true },
  };

  declare task: DistributeTask;
  /** The load tasks before this one, by name. */
  declare loads: string[];
  declare surveys: { id: number; name: string; title: string }[];
  /** The directory the load fills: the preview's contacts come from it. */
  declare directoryId: number;
  declare errors: FieldErrors;
  declare contacts: Contact[];
  declare contact: Contact | undefined;
  declare accountName: string | null;
  declare refusal: unknown;
  #readFor = 0;

  constructor() {
    super();
    this.loads = [];
    this.surveys = [];
    this.directoryId = 1;
    this.errors = {};
    this.contacts = [];
    this.contact = undefined;
    this.accountName = null;
    this.refusal = undefined;
  }

  override willUpdate(): void {
    if (this.directoryId !== this.#readFor) {
      this.#readFor = this.directoryId;
      void this.#readContacts();
    }
  }

  async #readContacts(): Promise<void> {
    try {
      const page = await api<Page<Contact>>(`/api/contacts?directory=${this.directoryId}&limit=20`);
      this.contacts = page.items.filter((c) => c.email);
      await this.#pick(this.contacts[0]);
    } catch (error) {
      this.refusal = error;
    }
  }

  async #pick(contact: Contact | undefined): Promise<void> {
    this.contact = contact;
    this.accountName = null;
    const account = contact?.accounts[0]?.externalId;
    if (!account) return;
    const found = await api<{ displayName: string }>(`/api/accounts/${encodeURIComponent(account)}?directory=${this.directoryId}`).catch(() => null);
    this.accountName = found?.displayName ?? null;
  }

  #change(part: Record<string, unknown>): void {
    const task: Record<string, unknown> = { ...this.task, ...part };
    for (const [key, value] of Object.entries(part)) if (value === undefined || value === '') delete task[key];
    this.dispatchEvent(taskChange(task as Task));
  }

  #send(send: Send | undefined): TemplateResult {
    const mode = !send || send === 'now' ? 'now' : 'delayMinutes' in send ? 'delay' : 'at';
    return html`<label>Send<select @change=${(e: Event) => {
        const value = (e.target as HTMLSelectElement).value;
        this.#change({ send: value === 'now' ? undefined : value === 'delay' ? { delayMinutes: 60 } : { at: new Date(Date.now() + 86_400_000).toISOString() } });
      }}>
        <option value="now" ?selected=${mode === 'now'}>When the load ends</option>
        <option value="delay" ?selected=${mode === 'delay'}>Some minutes after the load</option>
        <option value="at" ?selected=${mode === 'at'}>At a set time</option>
      </select></label>
      ${send && send !== 'now' && 'delayMinutes' in send ? html`<label>Minutes after the load<input type="number" min="1" .value=${String(send.delayMinutes)} @change=${(e: Event) => this.#change({ send: { delayMinutes: Number((e.target as HTMLInputElement).value) } })}></label>` : nothing}
      ${send && send !== 'now' && 'at' in send ? html`<label>At (your time)<input type="datetime-local" .value=${new Date(new Date(send.at).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16)}
        @change=${(e: Event) => this.#change({ send: { at: new Date((e.target as HTMLInputElement).value).toISOString() } })}></label>` : nothing}`;
  }

  #preview(): TemplateResult {
    const c = this.contact;
    if (!c) return html`<p class="hint">The email is previewed for a contact of the directory once it has one.</p>`;
    const survey = this.surveys.find((s) => s.id === this.task.surveyId);
    const values: TemplateValues = {
      firstName: c.firstName, lastName: c.lastName, accountName: this.accountName, surveyTitle: survey?.title ?? null,
      surveyLink: `${location.origin}/s/…`, optOutLink: `${location.origin}/o/…`,
    };
    return html`<section aria-label="Email preview">
      <div class="row"><label>Preview for<select @change=${(e: Event) => this.#pick(this.contacts.find((x) => x.externalId === (e.target as HTMLSelectElement).value))}>
        ${this.contacts.map((x) => html`<option value=${x.externalId} ?selected=${x === c}>${[x.firstName, x.lastName].filter(Boolean).join(' ')} &lt;${x.email}&gt;</option>`)}
      </select></label></div>
      <p><strong>To:</strong> ${c.email}<br><strong>Subject:</strong> <span class="subject">${renderSubject(this.task.subject ?? defaultTemplates.subject, values)}</span></p>
      <pre class="body">${render(this.task.text ?? defaultTemplates.text, values, 'text')}</pre>
    </section>`;
  }

  override render(): TemplateResult {
    const t = this.task;
    const id = t.name.replace(/\W/g, '-');
    const text = (key: 'subject' | 'text' | 'html', label: string, multi: boolean) => html`<label>${label}
        ${multi
          ? html`<textarea aria-describedby="${id}-${key}-error" .value=${t[key] ?? defaultTemplates[key]} @change=${(e: Event) => this.#change({ [key]: (e.target as HTMLTextAreaElement).value })}></textarea>`
          : html`<input aria-describedby="${id}-${key}-error" .value=${t[key] ?? defaultTemplates[key]} @change=${(e: Event) => this.#change({ [key]: (e.target as HTMLInputElement).value })}>`}</label>
      ${fieldError(this.errors, key, `${id}-${key}-error`)}`;
    return html`<div class="row">
        <label>Mailing list of<select aria-describedby="${id}-load-error" @change=${(e: Event) => this.#change({ load: (e.target as HTMLSelectElement).value })}>
          ${this.loads.map((l) => html`<option ?selected=${t.load === l}>${l}</option>`)}
        </select></label>
        <label>Survey<select aria-describedby="${id}-survey-error" @change=${(e: Event) => this.#change({ surveyId: Number((e.target as HTMLSelectElement).value) })}>
          ${t.surveyId ? nothing : html`<option value="" selected>Choose a survey</option>`}
          ${this.surveys.map((s) => html`<option value=${s.id} ?selected=${t.surveyId === s.id}>${s.name}</option>`)}
        </select></label>
        <label>Link<select @change=${(e: Event) => this.#change({ linkType: (e.target as HTMLSelectElement).value === 'individual' ? undefined : 'anonymous' })}>
          <option value="individual" ?selected=${(t.linkType ?? 'individual') === 'individual'}>One per contact (answers are attributed)</option>
          <option value="anonymous" ?selected=${t.linkType === 'anonymous'}>Anonymous (one shared link)</option>
        </select></label>
        <label>Audience<select @change=${(e: Event) => this.#change({ audience: audienceOf((e.target as HTMLSelectElement).value) })}>
          <option value="new" ?selected=${(t.audience ?? 'new') === 'new'}>The contacts the run added</option>
          <option value="newOrChanged" ?selected=${t.audience === 'newOrChanged'}>The contacts the run added or changed</option>
          <option value="all" ?selected=${t.audience === 'all'}>Every contact of the list (contact rules allowing)</option>
        </select></label>
        ${this.#send(t.send)}
        <label>From (optional)<input .value=${t.from ?? ''} placeholder="Acme Surveys <surveys@example.com>" @change=${(e: Event) => this.#change({ from: (e.target as HTMLInputElement).value.trim() })}></label>
      </div>
      ${fieldError(this.errors, 'load', `${id}-load-error`)}${fieldError(this.errors, 'surveyId', `${id}-survey-error`)}${fieldError(this.errors, 'send', `${id}-send-error`)}
      <p class="hint">Placeholders: ${placeholders.map((p, i) => html`${i ? ', ' : ''}<code>{{${p}}}</code>`)}; <code>{{firstName|there}}</code> gives a fallback. Both bodies need <code>{{optOutLink}}</code>.</p>
      ${text('subject', 'Subject', false)}${text('text', 'Text body', true)}${text('html', 'HTML body', true)}
      ${this.refusal ? failure(this.refusal, 'No contact to preview the email for') : this.#preview()}`;
  }
}
