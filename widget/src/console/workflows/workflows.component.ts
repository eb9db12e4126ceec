import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { Workflow } from '../../../../core/workflows/queries.ts';

/** A workflow as GET /api/workflows lists it: with when its schedule next starts a run. */
type Listed = Workflow & { nextRunAt: Date | null };
import { api, type Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { withQuery } from '../routes.ts';
import { shared } from '../shared.styles.ts';
import { failure, when } from '../states.ts';

type Started = { state: 'busy' } | { state: 'queued' } | { state: 'refused'; error: unknown };

/**
 * The workflows (GET /api/workflows), each with its schedule and the next time it runs on it, Run now (POST /api/workflows/:id/runs), a link
 * to its builder and one to its runs; New workflow opens the builder on an empty one. A refused start (disabled, or a run already waiting) shows the server's error beside
 * the button that asked.
 *
 * @summary The workflows list, with Run now.
 */
export class WorkflowsElement extends LitElement {
  static override styles = shared;

  static override properties = { started: { state: true } };

  declare started: ReadonlyMap<number, Started>;

  constructor() {
    super();
    this.started = new Map();
  }

  async #runNow(workflow: Wire<Workflow>): Promise<void> {
    this.#set(workflow.id, { state: 'busy' });
    try {
      await api(`/api/workflows/${workflow.id}/runs`, { method: 'POST' });
      this.#set(workflow.id, { state: 'queued' });
    } catch (error) {
      this.#set(workflow.id, { state: 'refused', error });
    }
  }

  #set(id: number, started: Started): void {
    this.started = new Map(this.started).set(id, started);
  }

  #actions(workflow: Wire<Workflow>): TemplateResult {
    const started = this.started.get(workflow.id);
    return html`<div class="actions">
        <button type="button" aria-label="Run now: ${workflow.name}" ?disabled=${started?.state === 'busy'} @click=${() => this.#runNow(workflow)}>Run now</button>
        <a href="/workflows/${workflow.id}">Open<span class="visually-hidden"> ${workflow.name}</span></a>
        <a href=${withQuery('/runs', { workflow: String(workflow.id) })}>Runs<span class="visually-hidden"> of ${workflow.name}</span></a>
      </div>
      ${started?.state === 'queued' ? html`<p class="done" role="status">Started: it is on the <a href=${withQuery('/runs', { workflow: String(workflow.id) })}>runs page</a>.</p>` : nothing}
      ${started?.state === 'refused' ? failure(started.error, 'Not started') : nothing}`;
  }

  override render(): TemplateResult {
    const columns: Column<Wire<Listed>>[] = [
      { label: 'Name', cell: (w) => w.name },
      { label: 'Version', cell: (w) => String(w.version) },
      { label: 'Enabled', cell: (w) => (w.enabled ? 'yes' : 'no') },
      { label: 'Schedule', cell: (w) => (w.definition.schedule ? JSON.stringify(w.definition.schedule) : 'on demand') },
      { label: 'Next run', cell: (w) => (w.nextRunAt ? when(w.nextRunAt) : w.definition.schedule && !w.enabled ? 'none (disabled)' : '—') },
      { label: 'Changed', cell: (w) => when(w.updatedAt) },
      { label: 'Actions', cell: (w) => this.#actions(w) },
    ];
    return html`<p><a href="/workflows/new">New workflow</a></p>
      <bw-list source="/api/workflows" label="Workflows" noun="workflows" .columns=${columns}></bw-list>`;
  }
}
