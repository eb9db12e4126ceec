import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { Webhook, WebhookDelivery } from '../../../../core/webhooks/webhooks.ts';
import { api, type Page, type Wire } from '../api.ts';
import { styles } from '../alert-rules/alert-rules.styles.ts';
import { allPlaced, fieldError, fieldErrors, hasFieldError } from '../field-errors.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';

type Listed = Wire<Webhook>;
type Delivery = Wire<WebhookDelivery>;

/**
 * Settings → Alerts: the directory's webhooks (GET /api/webhooks) with their deliveries counted by
 * state; an admin adds one (its signing secret is shown once, right after), switches it off or on,
 * removes it, and reads a webhook's delivery log (GET /api/webhooks/:id/deliveries).
 *
 * @summary A directory's webhooks and their delivery log.
 * @attr directory - The directory whose webhooks it shows (empty: the server's default).
 */
export class WebhooksElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = {
    directory: { type: String },
    version: { state: true },
    created: { state: true },
    log: { state: true },
    rowError: { state: true },
  };

  declare directory: string;
  declare version: number;
  declare created: { state: 'busy' } | { state: 'refused'; error: unknown } | { state: 'done'; url: string; secret: string } | undefined;
  /** The webhook whose delivery log shows. */
  declare log: number | undefined;
  declare rowError: { id: number; error: unknown } | undefined;

  readonly #webhooks = new Task(this, {
    task: ([directory], { signal }) => api<{ items: Listed[] }>(`/api/webhooks${directory ? `?directory=${directory}` : ''}`, { signal }),
    args: () => [this.directory, this.version] as const,
  });

  readonly #deliveries = new Task(this, {
    task: ([id], { signal }) => (id === undefined ? Promise.resolve(null) : api<Page<Delivery>>(`/api/webhooks/${id}/deliveries`, { signal })),
    args: () => [this.log, this.version] as const,
  });

  constructor() {
    super();
    this.directory = '';
    this.version = 0;
    this.created = undefined;
    this.log = undefined;
    this.rowError = undefined;
  }

  async #onCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this.created = { state: 'busy' };
    try {
      const body = { url: data.get('url'), events: data.getAll('events'), ...(this.directory ? { directoryId: Number(this.directory) } : {}) };
      const saved = await api<Listed & { secret: string }>('/api/webhooks', { method: 'POST', body });
      this.created = { state: 'done', url: saved.url, secret: saved.secret };
      form.reset();
      this.version++;
    } catch (error) {
      this.created = { state: 'refused', error };
    }
  }

  async #change(webhook: Listed, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.rowError = undefined;
      this.version++;
    } catch (error) {
      this.rowError = { id: webhook.id, error };
    }
  }

  override render(): TemplateResult {
    const errors = this.created?.state === 'refused' ? fieldErrors(this.created.error) : null;
    const placed = allPlaced(errors, ['url', 'events']);
    return html`
      <h2>Webhooks</h2>
      <p class="hint">Each answer and each alert as a signed JSON POST (see the documentation's "Alerts and webhooks" for the signature); failed deliveries are retried with backoff.</p>
      ${this.#webhooks.render({
        pending: () => loading('the webhooks'),
        error: (error) => failure(error, 'The webhooks could not be read'),
        complete: ({ items }) => (items.length === 0 ? empty('No webhooks yet.') : this.#table(items)),
      })}
      <form class="fields" aria-label="Add a webhook" @submit=${this.#onCreate}>
        <label>Receiver URL <input name="url" type="url" required placeholder="https://hooks.example.com/bellwether"
          aria-invalid=${hasFieldError(errors, 'url') ? 'true' : 'false'} aria-describedby=${hasFieldError(errors, 'url') ? 'error-url' : nothing} /></label>
        ${fieldError(errors, 'url', 'error-url')}
        <fieldset aria-describedby=${hasFieldError(errors, 'events') ? 'error-events' : nothing}>
          <legend>Post on</legend>
          <div class="choices">
            <label><input type="checkbox" name="events" value="answer" checked />Each answer</label>
            <label><input type="checkbox" name="events" value="alert" checked />Each alert</label>
          </div>
          ${fieldError(errors, 'events', 'error-events')}
        </fieldset>
        ${this.created?.state === 'refused' && !placed ? failure(this.created.error, 'Not added') : nothing}
        <div class="actions"><button type="submit" class="primary" ?disabled=${this.created?.state === 'busy'}>Add webhook</button></div>
      </form>
      ${this.created?.state === 'done'
        ? html`<div class="secret" role="status"><p>Added ${this.created.url}. Its signing secret, shown only now: copy it into the receiver's configuration.</p>
            <p><code>${this.created.secret}</code></p></div>`
        : nothing}
      ${this.log === undefined ? nothing : this.#log()}
    `;
  }

  #table(webhooks: Listed[]): TemplateResult {
    return html`<table>
      <caption>Webhooks of this directory</caption>
      <thead><tr><th scope="col">URL</th><th scope="col">Posts on</th><th scope="col">State</th><th scope="col">Deliveries</th><th scope="col">Actions</th></tr></thead>
      <tbody>${webhooks.map((w) => html`<tr>
        <td>${w.url}</td>
        <td>${w.events.join(', ')}</td>
        <td>${w.enabled ? 'On' : 'Off'}</td>
        <td>${w.deliveries.delivered} delivered, ${w.deliveries.pending} pending, ${w.deliveries.failed} failed</td>
        <td>
          <div class="actions">
            <button type="button" aria-label="Delivery log: ${w.url}" aria-pressed=${this.log === w.id ? 'true' : 'false'} @click=${() => (this.log = this.log === w.id ? undefined : w.id)}>Delivery log</button>
            <button type="button" aria-label="${w.enabled ? 'Switch off' : 'Switch on'}: ${w.url}"
              @click=${() => this.#change(w, () => api(`/api/webhooks/${w.id}`, { method: 'PATCH', body: { enabled: !w.enabled } }))}>${w.enabled ? 'Switch off' : 'Switch on'}</button>
            <button type="button" class="danger" aria-label="Delete: ${w.url}" @click=${() => this.#change(w, async () => {
              await api(`/api/webhooks/${w.id}`, { method: 'DELETE' });
              if (this.log === w.id) this.log = undefined;
            })}>Delete</button>
          </div>
          ${this.rowError?.id === w.id ? failure(this.rowError.error, 'Not changed') : nothing}
        </td>
      </tr>`)}</tbody>
    </table>`;
  }

  #log(): TemplateResult | undefined {
    return this.#deliveries.render({
      pending: () => loading('the delivery log'),
      error: (error) => failure(error, 'The delivery log could not be read'),
      complete: (page) =>
        page === null || page.items.length === 0
          ? empty('Nothing delivered yet.')
          : html`<table>
              <caption>Delivery log, newest first (${page.total} in all)</caption>
              <thead><tr><th scope="col">Delivery</th><th scope="col">Event</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Last attempt</th></tr></thead>
              <tbody>${page.items.map((d) => html`<tr>
                <td>${d.id}</td><td>${d.event}</td><td>${d.state}</td><td>${d.attempts}</td>
                <td>${d.lastError ?? (d.lastStatus === null ? '' : String(d.lastStatus))}</td><td>${when(d.lastAttemptAt)}</td>
              </tr>`)}</tbody>
            </table>`,
    });
  }
}
