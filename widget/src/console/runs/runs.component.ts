import { LitElement, html, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { RunSummary } from '../../../../core/runs/queries.ts';
import type { Workflow } from '../../../../core/workflows/queries.ts';
import { api, type Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { currentDirectory, inDirectory } from '../directory-scope.ts';
import { navigate, withQuery } from '../routes.ts';
import { shared } from '../shared.styles.ts';
import { failure, when } from '../states.ts';

const states = ['running', 'succeeded', 'failed'] as const;

/** The API's window for a day in the reader's time zone: from its midnight to the next. */
function dayWindow(date: string): Record<string, string> {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  if (!year || !month || !day) return {};
  return { from: new Date(year, month - 1, day).toISOString(), to: new Date(year, month - 1, day + 1).toISOString() };
}

/**
 * The runs, newest first (GET /api/runs), filtered by workflow, state and the day they started. The
 * filters live in the address (/runs?workflow=&state=&date=), so a filtered list can be linked to.
 *
 * @summary The runs list with its filters.
 * @attr workflow - A workflow's id; empty: every run.
 * @attr state - `running`, `succeeded` or `failed`; empty: any.
 * @attr date - `YYYY-MM-DD` in the reader's time zone; empty: any day.
 */
export class RunsElement extends LitElement {
  static override styles = shared;

  static override properties = { workflow: { type: String }, state: { type: String }, date: { type: String } };

  declare workflow: string;
  declare state: string;
  declare date: string;

  readonly #workflows = new Task(this, {
    task: (_args, { signal }) => api<{ items: Wire<Workflow>[] }>('/api/workflows', { signal }),
    args: () => [] as const,
  });

  constructor() {
    super();
    this.workflow = '';
    this.state = '';
    this.date = '';
  }

  #onFilter(event: SubmitEvent): void {
    event.preventDefault();
    const form = Object.fromEntries([...new FormData(event.target as HTMLFormElement)].map(([name, value]) => [name, String(value)]));
    const href = withQuery('/runs', { ...form, directory: currentDirectory() ?? '' });
    // The same filters again read the list again: runs come and go while the page is open.
    if (href === location.pathname + location.search) this.renderRoot.querySelector('bw-list')?.reload();
    else navigate(href);
  }

  override render(): TemplateResult {
    const names = new Map((this.#workflows.value?.items ?? []).map((w) => [w.id, w.name]));
    const columns: Column<Wire<RunSummary>>[] = [
      { label: 'Run', cell: (r) => html`<a href="/runs/${r.id}">Run ${r.id}</a>` },
      { label: 'Workflow', cell: (r) => (r.workflowId === null ? r.source : `${names.get(r.workflowId) ?? `workflow ${r.workflowId}`} (v${r.workflowVersion})`) },
      { label: 'State', cell: (r) => r.state },
      { label: 'Started', cell: (r) => when(r.startedAt) },
      { label: 'Finished', cell: (r) => when(r.finishedAt) },
      { label: 'Row errors', cell: (r) => String(r.errorCount) },
      { label: 'Error', cell: (r) => (r.errorCode ? html`<code>${r.errorCode}</code> ${r.errorMessage}` : '') },
    ];
    const source = inDirectory(withQuery('/api/runs', { workflow: this.workflow, state: this.state, ...dayWindow(this.date) }));
    return html`
      <form class="inline" aria-label="Filter runs" @submit=${this.#onFilter}>
        <label>Workflow
          <select name="workflow">
            <option value="">Any workflow</option>
            ${(this.#workflows.value?.items ?? []).map((w) => html`<option value=${w.id} ?selected=${String(w.id) === this.workflow}>${w.name}</option>`)}
          </select>
        </label>
        <label>State
          <select name="state">
            <option value="">Any state</option>
            ${states.map((s) => html`<option value=${s} ?selected=${s === this.state}>${s}</option>`)}
          </select>
        </label>
        <label>Started on <input type="date" name="date" .value=${this.date} /></label>
        <button type="submit">Filter</button>
      </form>
      ${this.#workflows.error ? failure(this.#workflows.error, 'The workflows could not be read') : ''}
      <bw-list source=${source} label="Runs, newest first" noun="runs" paged .columns=${columns}></bw-list>
    `;
  }
}
