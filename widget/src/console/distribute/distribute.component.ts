import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { DistributionSummary } from '../../../../core/surveys/distributions.ts';
import type { Survey } from '../../../../core/surveys/queries.ts';
import type { MailingList } from '../../../../server/directory/mailing-lists.ts';
import { api, type Wire } from '../api.ts';
import { currentDirectory, inDirectory } from '../directory-scope.ts';
import { allPlaced, fieldError, fieldErrors } from '../field-errors.ts';

/** The request's fields this form shows a refusal next to. */
const placed = ['surveyId', 'mailingListId', 'contacts', 'contacts.search', 'send', 'send.at'] as const;
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';

type Sent = { state: 'busy' } | { state: 'made'; distribution: Wire<DistributionSummary> } | { state: 'refused'; error: unknown };

/**
 * Sends a survey now or at a time to a mailing list of the directory the console shows, or to the
 * contacts a search matches (POST /api/distributions), under the directory's contact rules. Each
 * form carries a request key, so sending it twice makes one distribution.
 *
 * @summary The form that sends a survey by hand.
 */
export class DistributeElement extends LitElement {
  static override styles = shared;

  static override properties = {
    to: { state: true },
    at: { state: true },
    sent: { state: true },
  };

  declare to: 'list' | 'contacts';
  declare at: 'now' | 'later';
  declare sent: Sent | undefined;
  #requestKey = crypto.randomUUID();

  readonly #choices = new Task(this, {
    task: async (_args, { signal }) => {
      const [surveys, lists] = await Promise.all([
        api<{ items: Wire<Survey>[] }>('/api/surveys', { signal }),
        api<{ items: Wire<MailingList>[] }>(inDirectory('/api/mailing-lists'), { signal }),
      ]);
      return { surveys: surveys.items, lists: lists.items };
    },
    args: () => [] as const,
  });

  constructor() {
    super();
    this.to = 'list';
    this.at = 'now';
    this.sent = undefined;
  }

  async #onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const directory = currentDirectory();
    const body = {
      surveyId: Number(form.get('surveyId')),
      ...(directory ? { directoryId: Number(directory) } : {}),
      ...(this.to === 'list' ? { mailingListId: Number(form.get('mailingListId')) } : { contacts: { search: String(form.get('search') ?? '') } }),
      send: this.at === 'now' ? 'now' : { at: new Date(String(form.get('at'))).toISOString() },
      requestKey: this.#requestKey,
    };
    this.sent = { state: 'busy' };
    try {
      const distribution = await api<Wire<DistributionSummary>>('/api/distributions', { method: 'POST', body });
      this.sent = { state: 'made', distribution };
      this.#requestKey = crypto.randomUUID();
    } catch (error) {
      this.sent = { state: 'refused', error };
    }
  }

  override render(): TemplateResult {
    return html`<section aria-labelledby="distribute"><h2 id="distribute">Send a survey</h2>
      ${this.#choices.render({
        pending: () => loading('the surveys and mailing lists'),
        error: (error) => failure(error, 'The surveys and mailing lists could not be read'),
        complete: ({ surveys, lists }) => (surveys.length === 0 ? html`<p class="status" role="status">Create a survey first.</p>` : this.#form(surveys, lists)),
      })}
      ${this.#outcome()}
    </section>`;
  }

  #form(surveys: Wire<Survey>[], lists: Wire<MailingList>[]): TemplateResult {
    const refused = this.sent?.state === 'refused' ? this.sent.error : undefined;
    const errors = fieldErrors(refused);
    const at = (...fields: (typeof placed)[number][]) => fields.map((field) => fieldError(errors, field, `error-${field.replace('.', '-')}`));
    return html`<form aria-label="Send a survey" @submit=${this.#onSubmit}>
      <p><label>Survey <select name="surveyId">${surveys.map((s) => html`<option value=${s.id}>${s.name}</option>`)}</select></label></p>
      ${at('surveyId')}
      <fieldset><legend>To</legend>
        <label><input type="radio" name="to" value="list" .checked=${this.to === 'list'} @change=${() => (this.to = 'list')} /> a mailing list</label>
        <label><input type="radio" name="to" value="contacts" .checked=${this.to === 'contacts'} @change=${() => (this.to = 'contacts')} /> the contacts matching a search</label>
        ${this.to === 'list' && lists.length === 0
          ? html`<p>This directory has no mailing list yet: a workflow's load makes one of the contacts it brought in. Or send to the contacts matching a search.</p>`
          : this.to === 'list'
          ? html`<p><label>Mailing list <select name="mailingListId" required>${lists.map((l) => html`<option value=${l.id}>${l.name} (${l.members})</option>`)}</select></label></p>`
          : html`<p><label>Name, email or id contains <input name="search" type="search" maxlength="200" /></label> (empty: every contact)</p>`}
        ${at('mailingListId', 'contacts', 'contacts.search')}
      </fieldset>
      <fieldset><legend>When</legend>
        <label><input type="radio" name="when" value="now" .checked=${this.at === 'now'} @change=${() => (this.at = 'now')} /> now</label>
        <label><input type="radio" name="when" value="later" .checked=${this.at === 'later'} @change=${() => (this.at = 'later')} /> at</label>
        ${this.at === 'later' ? html`<label>Send at <input name="at" type="datetime-local" required /></label>` : nothing}
        ${at('send', 'send.at')}
      </fieldset>
      <p>Each contact gets at most one message; the directory's contact rules leave out those invited too recently.</p>
      <button class="primary" type="submit" ?disabled=${this.sent?.state === 'busy'}>Send the survey</button>
    </form>
    ${refused !== undefined && !allPlaced(errors, placed) ? failure(refused, 'Not sent') : nothing}`;
  }

  #outcome(): TemplateResult | typeof nothing {
    if (this.sent?.state !== 'made') return nothing;
    const d = this.sent.distribution;
    const total = Object.values(d.recipients).reduce((sum, n) => sum + n, 0);
    const reasons = Object.entries(d.skipped).map(([reason, n]) => `${n} ${reason}`).join(', ');
    const when = d.state === 'scheduled' && new Date(d.sendAt) > new Date() ? `sends at ${new Date(d.sendAt).toLocaleString()}` : 'is sending';
    const skipped = `${d.recipients.skipped} skipped${reasons ? ` (${reasons})` : ''}`;
    return html`<p class="status" role="status">Distribution ${d.id} ${when}: ${total - d.recipients.skipped} to invite, ${skipped}. <a href="/mail">Open the outbox</a>.</p>`;
  }
}
