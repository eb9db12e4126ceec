import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { RowError, RunSummary } from '../../../../core/runs/queries.ts';
import { api, type Page, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';
import { styles } from './run.styles.ts';

type Run = Wire<RunSummary>;
type RunWithErrors = Run & { errors: Page<RowError> };

/** The phases a load goes through (worker/load), in order; a run that ended has gone through all. */
const phases = ['staging', 'checking', 'merging', 'saving'];
const errorsPerPage = 100;

/**
 * One run: a progress bar kept live by the run's server-sent events (GET /api/runs/:id/events), its
 * phase, counts per directory object and Salesforce API calls, its row errors in a table that filters
 * by any text (a page of 100 at a time) with the CSV of them all, and Cancel while it runs.
 *
 * @summary A run's live progress, counts and row errors.
 * @attr run-id - The run's id.
 */
export class RunElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = {
    runId: { type: String, attribute: 'run-id' },
    live: { state: true },
    streamError: { state: true },
    errorsOffset: { state: true },
    filter: { state: true },
    cancel: { state: true },
  };

  declare runId: string;
  /** The run as its events last showed it. */
  declare live: Run | undefined;
  declare streamError: unknown;
  declare errorsOffset: number;
  declare filter: string;
  declare cancel: { state: 'busy' | 'asked' } | { state: 'refused'; error: unknown } | undefined;

  #events: EventSource | undefined;

  readonly #run = new Task(this, {
    task: ([id, offset], { signal }) => api<RunWithErrors>(`/api/runs/${id}?errorsLimit=${errorsPerPage}&errorsOffset=${offset}`, { signal }),
    args: () => [this.runId, this.errorsOffset, this.live?.state === 'running'] as const,
    // A run read as running is followed live until it ends; one that ended has nothing more to say.
    onComplete: (run) => {
      if (run.state === 'running' && !this.#events) this.#listen();
    },
  });

  constructor() {
    super();
    this.runId = '';
    this.live = undefined;
    this.streamError = undefined;
    this.errorsOffset = 0;
    this.filter = '';
    this.cancel = undefined;
  }

  override disconnectedCallback(): void {
    this.#stopListening();
    super.disconnectedCallback();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('runId') && changed.get('runId') !== undefined) {
      this.#stopListening();
      this.live = undefined;
      this.errorsOffset = 0;
    }
  }

  #stopListening(): void {
    this.#events?.close();
    this.#events = undefined;
  }

  #listen(): void {
    const events = new EventSource(`/api/runs/${this.runId}/events`);
    this.#events = events;
    const show = (event: MessageEvent<string>) => {
      this.live = JSON.parse(event.data) as Run;
      this.streamError = undefined;
    };
    events.addEventListener('progress', show);
    events.addEventListener('end', (event) => {
      show(event);
      events.close();
    });
    // The stream answers no JSON error (a 404 closes it); the page's own read shows why.
    events.addEventListener('error', () => {
      if (events.readyState === EventSource.CLOSED && this.live?.state !== 'succeeded' && this.live?.state !== 'failed') {
        this.streamError = new Error('the live progress stopped; reload the page to see where the run is');
      }
    });
  }

  async #cancel(): Promise<void> {
    this.cancel = { state: 'busy' };
    try {
      await api(`/api/runs/${this.runId}/cancel`, { method: 'POST' });
      this.cancel = { state: 'asked' };
    } catch (error) {
      this.cancel = { state: 'refused', error };
    }
  }

  override render(): TemplateResult {
    return html`${this.#run.render({
      pending: () => (this.#run.value ? this.#page(this.#run.value) : loading('the run')),
      error: (error) => failure(error, `Run ${this.runId} could not be read`),
      complete: (run) => this.#page(run),
    })}`;
  }

  #page(read: RunWithErrors): TemplateResult {
    const run = this.live ?? read;
    const ended = run.state !== 'running';
    const step = ended ? phases.length + 1 : phases.indexOf(run.progress.phase ?? '') + 1;
    return html`
      <div class="progress">
        <label for="progress">${ended ? `Run ${run.id} ${run.state}` : `Run ${run.id}: ${run.progress.phase ?? 'starting'}`}</label>
        <progress id="progress" max=${phases.length + 1} value=${step}>${step} of ${phases.length + 1}</progress>
        <span role="status">${ended ? `Ended ${when(run.finishedAt)}` : `${run.progress.rowsRead ?? 0} rows read${run.progress.source ? ` from ${run.progress.source}` : ''}`}</span>
      </div>
      ${this.streamError ? failure(this.streamError, 'Live progress') : nothing}
      <dl>
        <dt>State</dt><dd>${run.state}${run.errorCode ? html` <code>${run.errorCode}</code> ${run.errorMessage}` : nothing}</dd>
        <dt>Phase</dt><dd>${run.progress.phase ?? '—'}</dd>
        <dt>Source</dt><dd>${run.workflowId === null ? run.source : html`<a href="/runs?workflow=${run.workflowId}">workflow ${run.workflowId}</a> (version ${run.workflowVersion})`}</dd>
        <dt>Started</dt><dd>${when(run.startedAt)}</dd>
        <dt>Salesforce API calls</dt><dd>${run.apiCalls ?? 'none (files)'}</dd>
      </dl>
      ${ended ? nothing : this.#cancelButton()}
      ${this.#counts(run)}
      ${this.#errors(read)}
    `;
  }

  #cancelButton(): TemplateResult {
    return html`<div class="actions">
      <button type="button" class="danger" ?disabled=${this.cancel?.state === 'busy' || this.cancel?.state === 'asked'} @click=${this.#cancel}>Cancel the run</button>
      ${this.cancel?.state === 'asked' ? html`<span role="status">Cancelling at its next checkpoint…</span>` : nothing}
      ${this.cancel?.state === 'refused' ? failure(this.cancel.error, 'Not cancelled') : nothing}
    </div>`;
  }

  #counts(run: Run): TemplateResult {
    const objects = Object.entries(run.counts);
    return html`<section aria-labelledby="counts"><h2 id="counts">Counts per object</h2>
      ${objects.length === 0
        ? empty('No counts: the run has not saved anything.')
        : html`<table>
            <thead><tr><th scope="col">Object</th><th scope="col">Inserted</th><th scope="col">Updated</th><th scope="col">Unchanged</th><th scope="col">Deleted</th><th scope="col">Rejected</th></tr></thead>
            <tbody>${objects.map(([object, c]) => html`<tr><th scope="row">${object}</th><td>${c.inserted}</td><td>${c.updated}</td><td>${c.unchanged}</td><td>${c.deleted}</td><td>${c.rejected}</td></tr>`)}</tbody>
          </table>`}
    </section>`;
  }

  #errors(read: RunWithErrors): TemplateResult {
    const { items, total } = read.errors;
    const needle = this.filter.toLowerCase();
    const shown = needle ? items.filter((e) => Object.values(e).some((value) => String(value ?? '').toLowerCase().includes(needle))) : items;
    return html`<section aria-labelledby="errors"><h2 id="errors">Row errors (${total})</h2>
      ${total === 0
        ? empty('No row errors.')
        : html`<div class="actions">
              <label>Filter these errors <input type="search" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} /></label>
              <a href="/api/runs/${read.id}/errors.csv" download>Download all ${total} row errors as CSV</a>
            </div>
            <table>
              <caption>Errors ${this.errorsOffset + 1}–${this.errorsOffset + items.length} of ${total}${needle ? `, ${shown.length} matching “${this.filter}”` : ''}</caption>
              <thead><tr><th scope="col">Object</th><th scope="col">Source</th><th scope="col">Line</th><th scope="col">Record</th><th scope="col">Field</th><th scope="col">Code</th><th scope="col">Message</th></tr></thead>
              <tbody>${shown.map((e) => html`<tr><td>${e.object}</td><td>${e.source}</td><td>${e.line ?? ''}</td><td>${e.recordId ?? ''}</td><td>${e.field ?? ''}</td><td><code>${e.code}</code></td><td>${e.message}</td></tr>`)}</tbody>
            </table>
            <nav class="pager" aria-label="Pages of row errors">
              <button type="button" ?disabled=${this.errorsOffset === 0} @click=${() => (this.errorsOffset = Math.max(0, this.errorsOffset - errorsPerPage))}>Previous</button>
              <button type="button" ?disabled=${this.errorsOffset + items.length >= total} @click=${() => (this.errorsOffset += errorsPerPage)}>Next</button>
            </nav>`}
    </section>`;
  }
}
