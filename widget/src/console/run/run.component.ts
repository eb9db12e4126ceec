import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { RowError, RunSummary, UploadRead, WriteBackReportRow } from '../../../../core/runs/queries.ts';
import type { DistributionSummary } from '../../../../core/surveys/distributions.ts';
import type { Audience, SkipReason } from '../../../../core/states.ts';
import { api, ApiError, type Page, type Wire } from '../api.ts';
import { navigate } from '../routes.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';
import { startedHere } from './started-runs.ts';
import { styles } from './run.styles.ts';

type Run = Wire<RunSummary>;
type RunWithErrors = Run & { errors: Page<RowError>; uploads?: UploadRead[]; writeBacks?: WriteBackReportRow[] };

/** The phases a load goes through (worker/load), in order; a run that ended has gone through all. */
const phases = ['staging', 'checking', 'merging', 'saving'];
const errorsPerPage = 100;
/** How often a run asked for here, that no worker has started yet, is read again. */
const waitingMs = 1000;
/** A distribution's audience and skip reasons in words (core/states.ts). */
const audiences: Record<Audience, string> = { new: 'contacts the run added', newOrChanged: 'contacts the run added or changed', all: 'every contact of the run' };
const skipReasons: Record<SkipReason, string> = {
  deleted: 'deleted', no_email: 'no email', opted_out: 'opted out', not_new: 'already in the directory', unchanged: 'not changed by the run',
  contact_frequency: 'invited recently (contact rule)', same_survey_12h: 'same survey within 12 hours',
};

/** How often the distribution is read again while it sends, and how long after the run ended one may still appear (the workflow schedules it after the load). */
const distributionMs = 2000;
const distributionGraceMs = 30_000;

/**
 * One run: a progress bar kept live by the run's server-sent events (GET /api/runs/:id/events), its
 * phase, counts per directory object and Salesforce API calls, its row errors in a table that filters
 * by any text (a page of 100 at a time) with the CSV of them all, the survey distributions of the
 * mailing list it loaded, Cancel while it runs and Run again (a workflow's run) once it ended.
 *
 * @summary A run's live progress, counts, distribution and row errors.
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
    again: { state: true },
    waits: { state: true },
    distributionReads: { state: true },
  };

  declare runId: string;
  /** The run as its events last showed it. */
  declare live: Run | undefined;
  declare streamError: unknown;
  declare errorsOffset: number;
  declare filter: string;
  declare cancel: { state: 'busy' | 'asked' } | { state: 'refused'; error: unknown } | undefined;
  declare again: { state: 'busy' } | { state: 'refused'; error: unknown } | undefined;
  /** Times this page read the run as not started yet: each one reads it again. */
  declare waits: number;
  /** Times the distribution was read again while it was still on its way. */
  declare distributionReads: number;

  #events: EventSource | undefined;
  #waitTimer: ReturnType<typeof setTimeout> | undefined;
  #distributionTimer: ReturnType<typeof setTimeout> | undefined;

  readonly #run = new Task(this, {
    task: async ([id, offset], { signal }) => {
      try {
        return await api<RunWithErrors>(`/api/runs/${id}?errorsLimit=${errorsPerPage}&errorsOffset=${offset}`, { signal });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'NOT_FOUND' && startedHere.has(id)) this.#waitTimer = setTimeout(() => this.waits++, waitingMs);
        throw error;
      }
    },
    // The live state, not whether it runs: a run that ended between this read and the stream's first
    // event is only ever seen live as ended, and its errors and uploads must still be read again.
    args: () => [this.runId, this.errorsOffset, this.live?.state, this.waits] as const,
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
    this.again = undefined;
    this.waits = 0;
    this.distributionReads = 0;
  }

  /**
   * The distributions that invite the contacts this run loaded, read again every few seconds while
   * one is still sending, or none has appeared yet shortly after the run ended.
   */
  readonly #distributions = new Task(this, {
    task: ([id], { signal }) => api<{ items: Wire<DistributionSummary>[] }>(`/api/distributions?run=${id}`, { signal }),
    args: () => [this.runId, this.live?.state ?? this.#run.value?.state, this.distributionReads] as const,
    onComplete: ({ items }) => {
      const run = this.live ?? this.#run.value;
      if (!run || run.state === 'running') return;
      const justEnded = run.finishedAt !== null && Date.now() - new Date(run.finishedAt).getTime() < distributionGraceMs;
      const onItsWay = items.some((d) => d.state !== 'finished') || (items.length === 0 && run.state === 'succeeded' && justEnded);
      clearTimeout(this.#distributionTimer);
      if (onItsWay) this.#distributionTimer = setTimeout(() => this.distributionReads++, distributionMs);
    },
  });

  override disconnectedCallback(): void {
    clearTimeout(this.#waitTimer);
    clearTimeout(this.#distributionTimer);
    this.#stopListening();
    super.disconnectedCallback();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('runId') && changed.get('runId') !== undefined) {
      this.#stopListening();
      this.live = undefined;
      this.errorsOffset = 0;
      this.cancel = undefined;
      this.again = undefined;
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

  /** Starts the same workflow again (its current version) and shows the new run. */
  async #runAgain(workflowId: number): Promise<void> {
    this.again = { state: 'busy' };
    try {
      const { runId } = await api<{ runId: number }>(`/api/workflows/${workflowId}/runs`, { method: 'POST' });
      startedHere.add(String(runId));
      navigate(`/runs/${runId}`);
    } catch (error) {
      this.again = { state: 'refused', error };
    }
  }

  override render(): TemplateResult {
    return html`${this.#run.render({
      pending: () => (this.#run.value ? this.#page(this.#run.value) : loading('the run')),
      error: (error) =>
        error instanceof ApiError && error.code === 'NOT_FOUND' && startedHere.has(this.runId)
          ? html`<p class="status" role="status">Run ${this.runId} waits for a worker to start it…</p>`
          : failure(error, `Run ${this.runId} could not be read`),
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
        ${read.uploads
          ? html`<dt>Uploaded files read</dt>
              <dd>${read.uploads.map((u, i) => html`${i > 0 ? ', ' : ''}<a href="/connections/uploads">${u.name}</a> (upload ${u.uploadId}, ${u.object})`)}</dd>`
          : nothing}
      </dl>
      ${this.#actions(run)}
      ${this.#counts(run)}
      ${this.#writeBacks(read)}
      ${this.#distribution()}
      ${this.#errors(read)}
    `;
  }

  /** Cancel while it runs; Run again once a workflow's run has ended (a load from the command line has no workflow to start). */
  #actions(run: Run): TemplateResult {
    const ended = run.state !== 'running';
    const workflowId = run.workflowId;
    return html`<div class="actions">
      ${ended
        ? nothing
        : html`<button type="button" class="danger" ?disabled=${this.cancel?.state === 'busy' || this.cancel?.state === 'asked'} @click=${this.#cancel}>Cancel the run</button>`}
      ${ended && workflowId !== null
        ? html`<button type="button" ?disabled=${this.again?.state === 'busy'} @click=${() => this.#runAgain(workflowId)}>Run again</button>`
        : nothing}
      ${this.cancel?.state === 'asked' ? html`<span role="status">Cancelling at its next checkpoint…</span>` : nothing}
      ${this.cancel?.state === 'refused' ? failure(this.cancel.error, 'Not cancelled') : nothing}
      ${this.again?.state === 'refused' ? failure(this.again.error, 'Not started') : nothing}
    </div>`;
  }

  /** What each write-back task sent to Salesforce after the load; its refused records are among the row errors. */
  #writeBacks(read: RunWithErrors): TemplateResult | typeof nothing {
    if (!read.writeBacks?.length) return nothing;
    const how = { bulk: 'Bulk API 2.0', collections: 'sObject Collections', none: 'nothing to send' } as const;
    return html`<section aria-labelledby="write-backs"><h2 id="write-backs">Write-back to Salesforce</h2>
      <table aria-labelledby="write-backs">
        <thead><tr><th scope="col">Task</th><th scope="col">Accounts</th><th scope="col">Changed, sent</th><th scope="col">Written</th><th scope="col">Refused</th>
          <th scope="col">How</th><th scope="col">API calls</th><th scope="col">Detractor Tasks opened</th><th scope="col">Error</th></tr></thead>
        <tbody>${read.writeBacks.map((w) => html`<tr><th scope="row">${w.task}</th><td>${w.accounts}</td><td>${w.changed}</td><td>${w.succeeded}</td><td>${w.failed}</td>
          <td>${how[w.method]}${w.jobId ? ` (job ${w.jobId})` : ''}</td><td>${w.apiCalls}</td><td>${w.tasksCreated}${w.tasksFailed ? `, ${w.tasksFailed} refused` : ''}</td>
          <td>${w.errorCode ? html`<code>${w.errorCode}</code> ${w.errorMessage}` : ''}</td></tr>`)}</tbody>
      </table>
    </section>`;
  }

  #distribution(): TemplateResult {
    return html`<section aria-labelledby="distribution"><h2 id="distribution">Distribution</h2>
      ${this.#distributions.render({
        pending: () => (this.#distributions.value ? this.#distributionTable(this.#distributions.value.items) : loading('the distribution')),
        error: (error) => failure(error, 'The distribution could not be read'),
        complete: ({ items }) => this.#distributionTable(items),
      })}
    </section>`;
  }

  #distributionTable(items: Wire<DistributionSummary>[]): TemplateResult {
    if (items.length === 0) return empty('No survey distribution: this run invited no one.');
    return html`<table aria-labelledby="distribution">
        <thead><tr><th scope="col">Distribution</th><th scope="col">Audience</th><th scope="col">State</th><th scope="col">Invited</th><th scope="col">Skipped</th><th scope="col">Why skipped</th><th scope="col">Sent</th></tr></thead>
        <tbody>${items.map((d) => {
          const all = Object.values(d.recipients).reduce((sum, n) => sum + n, 0);
          const why = Object.entries(d.skipped).map(([reason, n]) => `${skipReasons[reason as SkipReason] ?? reason}: ${n}`).join('; ');
          return html`<tr><th scope="row">Distribution ${d.id}</th><td>${audiences[d.audience]}</td><td>${d.state}</td><td>${all - d.recipients.skipped}</td><td>${d.recipients.skipped}</td><td>${why}</td><td>${d.recipients.sent}</td></tr>`;
        })}</tbody>
      </table>
      <p><a href="/mail">Open the outbox</a> to read the invitations kept there.</p>`;
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
            <div class="scroll" tabindex="0" role="region" aria-label="Row errors table">
            <table class="errors">
              <caption>Errors ${this.errorsOffset + 1}–${this.errorsOffset + items.length} of ${total}${needle ? `, ${shown.length} matching “${this.filter}”` : ''}</caption>
              <thead><tr><th scope="col">Object</th><th scope="col">Source</th><th scope="col">Line</th><th scope="col">Record</th><th scope="col">Field</th><th scope="col">Code</th><th scope="col">Message</th></tr></thead>
              <tbody>${shown.map((e) => html`<tr><td>${e.object}</td><td>${e.source}</td><td>${e.line ?? ''}</td><td>${e.recordId ?? ''}</td><td>${e.field ?? ''}</td><td><code>${e.code}</code></td><td>${e.message}</td></tr>`)}</tbody>
            </table>
            </div>
            <nav class="pager" aria-label="Pages of row errors">
              <button type="button" ?disabled=${this.errorsOffset === 0} @click=${() => (this.errorsOffset = Math.max(0, this.errorsOffset - errorsPerPage))}>Previous</button>
              <button type="button" ?disabled=${this.errorsOffset + items.length >= total} @click=${() => (this.errorsOffset += errorsPerPage)}>Next</button>
            </nav>`}
    </section>`;
  }
}
