import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { WorkflowPreview } from '../../../../core/workflows/preview.ts';
import { api, type Page } from '../api.ts';
import { navigate } from '../routes.ts';
import { startedHere } from '../run/started-runs.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading, when } from '../states.ts';
import { builderStyles } from './builder.styles.ts';
import {
  errorsUnder, fieldError, fieldErrors, freeName, kindOf, requiredColumns,
  type DistributeTask, type Draft, type FieldErrors, type FileTask, type LoadTask, type SalesforceTask, type Schedule, type SourceKind, type Task, type WriteBackTask,
} from './draft.ts';

type Saved = { id: number; name: string; enabled: boolean; version: number; definition: Draft };
type Version = { version: number; definition: Draft; createdAt: string };
type Named = { id: number; name: string };
type Lookups = { salesforce: Named[]; sftp: Named[]; surveys: (Named & { title: string })[]; directories: Named[]; uploads: string[] };
type Preview = { state: 'busy' } | { state: 'failed'; error: unknown } | { state: 'ready'; preview: WorkflowPreview; draft: string };
type Busy = 'saving' | 'running' | undefined;

const countColumns = ['inserted', 'updated', 'unchanged', 'deleted', 'rejected', 'skipped'] as const;

/**
 * Builds a workflow as a list of task cards, each a form: its schedule, extracts from Salesforce,
 * an upload or SFTP, loads with their mappings, survey distributions and write-backs to Salesforce; tasks of other kinds as
 * JSON. Preview shows what a run of the draft would do (nothing is written); Save stores the draft
 * through the API as the workflow's next version, and a refusal shows at the fields it names. The
 * saved versions and the definition as JSON are below.
 *
 * @summary The workflow builder.
 */
export class WorkflowBuilderElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = {
    workflowId: { attribute: 'workflow-id' },
    canEdit: { type: Boolean, attribute: 'can-edit' },
    saved: { state: true },
    name: { state: true },
    enabled: { state: true },
    draft: { state: true },
    versions: { state: true },
    lookups: { state: true },
    readError: { state: true },
    errors: { state: true },
    refusal: { state: true },
    preview: { state: true },
    busy: { state: true },
    done: { state: true },
    missingColumns: { state: true },
  };

  /** Empty for a new workflow. */
  declare workflowId: string;
  declare canEdit: boolean;
  declare saved: Saved | undefined;
  declare name: string;
  declare enabled: boolean;
  declare draft: Draft;
  declare versions: Version[];
  declare lookups: Lookups | undefined;
  declare readError: unknown;
  declare errors: FieldErrors;
  declare refusal: unknown;
  declare preview: Preview | undefined;
  declare busy: Busy;
  declare done: TemplateResult | undefined;
  /** Per file extract task, the columns its previewed header lacks. */
  declare missingColumns: ReadonlyMap<string, string[]>;
  #readFor: string | undefined;

  constructor() {
    super();
    this.workflowId = '';
    this.canEdit = false;
    this.saved = undefined;
    this.name = '';
    this.enabled = true;
    this.draft = { tasks: [] };
    this.versions = [];
    this.lookups = undefined;
    this.readError = undefined;
    this.errors = {};
    this.refusal = undefined;
    this.preview = undefined;
    this.busy = undefined;
    this.done = undefined;
    this.missingColumns = new Map();
  }

  override willUpdate(): void {
    if (this.#readFor !== this.workflowId) {
      this.#readFor = this.workflowId;
      void this.#read();
    }
  }

  async #read(): Promise<void> {
    try {
      const [salesforce, sftp, surveys, directories, uploads] = await Promise.all([
        api<{ items: Named[] }>('/api/salesforce-connections'),
        api<{ items: Named[] }>('/api/sftp-connections'),
        api<{ items: (Named & { title: string })[] }>('/api/surveys'),
        api<{ items: Named[] }>('/api/directories'),
        api<Page<{ name: string }>>('/api/uploads?limit=100'),
      ]);
      this.lookups = { salesforce: salesforce.items, sftp: sftp.items, surveys: surveys.items, directories: directories.items, uploads: [...new Set(uploads.items.map((u) => u.name))] };
      if (this.workflowId) await this.#readWorkflow(Number(this.workflowId));
    } catch (error) {
      this.readError = error;
    }
  }

  async #readWorkflow(id: number): Promise<void> {
    const [saved, versions] = await Promise.all([api<Saved>(`/api/workflows/${id}`), api<{ items: Version[] }>(`/api/workflows/${id}/versions`)]);
    this.saved = saved;
    this.name = saved.name;
    this.enabled = saved.enabled;
    this.draft = saved.definition;
    this.versions = versions.items;
  }

  #setTasks(tasks: Task[]): void {
    this.draft = { ...this.draft, tasks };
  }

  #replace(i: number, task: Task): void {
    const old = this.draft.tasks[i]!;
    // A renamed task keeps the loads and distributions that name it.
    const tasks = this.draft.tasks.map((t, j) => (j === i ? task : old.name === task.name ? t : renameReference(t, old.name, task.name)));
    this.#setTasks(tasks);
  }

  #move(i: number, by: number): void {
    const tasks = this.draft.tasks.slice();
    const [task] = tasks.splice(i, 1);
    tasks.splice(i + by, 0, task!);
    this.#setTasks(tasks);
  }

  #add(kind: 'salesforce' | 'upload' | 'sftp' | 'load' | 'distribute' | 'writeBack'): void {
    const tasks = this.draft.tasks;
    const lookups = this.lookups!;
    const taken = (object: SourceKind) => tasks.some((t) => t.type === 'extract' && t.object === object);
    const object: SourceKind = !taken('accounts') ? 'accounts' : !taken('contacts') ? 'contacts' : 'teamMembers';
    const label = { accounts: 'Accounts', contacts: 'Contacts', teamMembers: 'Team' }[object];
    let task: Task;
    if (kind === 'salesforce') task = { type: 'extract', name: freeName(tasks, label), object, source: 'salesforce', ...(lookups.salesforce[0] ? { connectionId: lookups.salesforce[0].id } : {}) };
    else if (kind === 'upload') task = { type: 'extract', name: freeName(tasks, label), object, source: 'upload', file: lookups.uploads.find((u) => u.toLowerCase().includes(object.toLowerCase().slice(0, 4))) ?? '' };
    else if (kind === 'sftp') task = { type: 'extract', name: freeName(tasks, label), object, source: 'sftp', ...(lookups.sftp[0] ? { connectionId: lookups.sftp[0].id } : {}) };
    else if (kind === 'load') {
      const extracts = Object.fromEntries((['accounts', 'contacts', 'teamMembers'] as const).flatMap((o) => {
        const found = tasks.find((t) => t.type === 'extract' && t.object === o);
        return found ? [[o, found.name]] : [];
      }));
      task = { type: 'load', name: freeName(tasks, 'Load'), directoryId: lookups.directories[0]?.id ?? 1, extracts, mapping: {} };
    } else if (kind === 'writeBack') {
      // After the last load, into the org its accounts came from; the configuration and the fields are the admin's choice.
      const load = tasks.filter((t) => t.type === 'load').at(-1) as LoadTask | undefined;
      const accounts = tasks.find((t) => t.type === 'extract' && t.source === 'salesforce' && t.name === load?.extracts.accounts);
      const connectionId = (accounts?.connectionId as number | undefined) ?? lookups.salesforce[0]?.id;
      task = { type: 'writeBack', name: freeName(tasks, 'Write back to Salesforce'), load: load?.name ?? '', ...(connectionId ? { connectionId } : {}), fields: {} };
    } else {
      const load = tasks.filter((t) => t.type === 'load').at(-1);
      task = { type: 'distribute', name: freeName(tasks, 'Send the survey'), load: load?.name ?? '', ...(lookups.surveys[0] ? { surveyId: lookups.surveys[0].id } : {}) };
    }
    this.#setTasks([...tasks, task]);
  }

  /** Answers the refusal's problems by path, or keeps it whole when it names none. */
  #refused(error: unknown): void {
    const errors = fieldErrors(error);
    this.errors = errors ?? {};
    this.refusal = errors ? undefined : error;
  }

  async #preview(): Promise<void> {
    this.preview = { state: 'busy' };
    const body = { definition: this.draft };
    try {
      const preview = this.saved
        ? await api<WorkflowPreview>(`/api/workflows/${this.saved.id}/preview`, { method: 'POST', body })
        : await api<WorkflowPreview>('/api/workflows/preview', { method: 'POST', body });
      this.errors = {};
      this.preview = { state: 'ready', preview, draft: JSON.stringify(this.draft) };
    } catch (error) {
      this.#refused(error);
      this.preview = { state: 'failed', error };
    }
  }

  async #save(): Promise<void> {
    const lacking = [...this.missingColumns].filter(([task, missing]) => missing.length && this.draft.tasks.some((t) => t.name === task));
    if (lacking.length) {
      this.errors = Object.fromEntries(lacking.map(([task, missing]) => [`tasks.${this.draft.tasks.findIndex((t) => t.name === task)}`, `the file's header lacks ${missing.join(', ')}`]));
      this.refusal = undefined;
      return;
    }
    this.busy = 'saving';
    this.done = undefined;
    try {
      const body = { name: this.name, definition: this.draft, enabled: this.enabled };
      if (this.saved) {
        const saved = await api<Saved>(`/api/workflows/${this.saved.id}`, { method: 'PATCH', body });
        await this.#readWorkflow(saved.id);
      } else {
        const { enabled: _, ...created } = body;
        const saved = await api<Saved>('/api/workflows', { method: 'POST', body: created });
        if (!this.enabled) await api(`/api/workflows/${saved.id}`, { method: 'PATCH', body: { enabled: false } });
        navigate(`/workflows/${saved.id}`, { replace: true });
      }
      this.errors = {};
      this.refusal = undefined;
      this.done = html`Saved as version ${this.saved?.version ?? 1}.`;
    } catch (error) {
      this.#refused(error);
    } finally {
      this.busy = undefined;
    }
  }

  async #run(): Promise<void> {
    this.busy = 'running';
    try {
      const { runId } = await api<{ runId: number }>(`/api/workflows/${this.saved!.id}/runs`, { method: 'POST' });
      startedHere.add(String(runId));
      navigate(`/runs/${runId}`);
    } catch (error) {
      this.refusal = error;
    } finally {
      this.busy = undefined;
    }
  }

  #card(task: Task, i: number): TemplateResult {
    const lookups = this.lookups!;
    const errors = errorsUnder(this.errors, `tasks.${i}`);
    const change = (e: CustomEvent<Task>) => this.#replace(i, e.detail);
    const id = `task-${i}`;
    const loads = this.draft.tasks.slice(0, i).filter((t) => t.type === 'load');
    let form: TemplateResult;
    if (task.type === 'extract' && task.source === 'salesforce') {
      form = html`<bw-salesforce-card .task=${task as SalesforceTask} .connections=${lookups.salesforce} .errors=${errors} @task-change=${change}></bw-salesforce-card>`;
    } else if (task.type === 'extract' && (task.source === 'upload' || task.source === 'sftp')) {
      const load = this.draft.tasks.find((t) => t.type === 'load' && Object.values((t as LoadTask).extracts).includes(task.name)) as LoadTask | undefined;
      form = html`${sourceKindSelect(task, (object) => this.#replace(i, { ...task, object }))}
        <bw-file-card .task=${task as FileTask} .uploads=${lookups.uploads} .sftpConnections=${lookups.sftp} .errors=${errors}
          .required=${requiredColumns(task.object as SourceKind, load?.mapping)} @task-change=${change}
          @header-checked=${(e: CustomEvent<string[]>) => (this.missingColumns = new Map(this.missingColumns).set(task.name, e.detail))}></bw-file-card>`;
    } else if (task.type === 'load') {
      form = html`<bw-load-card .task=${task as LoadTask} .draft=${this.draft} .directories=${lookups.directories} .errors=${errors} @task-change=${change}></bw-load-card>`;
    } else if (task.type === 'distribute') {
      const load = this.draft.tasks.find((t) => t.name === task.load) as LoadTask | undefined;
      form = html`<bw-distribute-card .task=${task as DistributeTask} .loads=${loads.map((l) => l.name)} .surveys=${lookups.surveys} directory-id=${load?.directoryId ?? 1}
        .errors=${errors} @task-change=${change}></bw-distribute-card>`;
    } else if (task.type === 'writeBack') {
      form = html`<bw-writeback-card .task=${task as WriteBackTask} .loads=${loads.map((l) => l.name)} .connections=${lookups.salesforce} .errors=${errors} @task-change=${change}></bw-writeback-card>`;
    } else {
      form = html`<bw-json-card .task=${task} .errors=${errors} @task-change=${change}></bw-json-card>`;
    }
    const last = this.draft.tasks.length - 1;
    return html`<section class="card" aria-labelledby="${id}-heading">
      <h2 id="${id}-heading">${i + 1}. ${kindOf(task)}</h2>
      <div class="row">
        <label>Task name<input .value=${task.name} aria-describedby="${id}-name-error" @change=${(e: Event) => this.#replace(i, { ...task, name: (e.target as HTMLInputElement).value.trim() })}></label>
        <button type="button" ?disabled=${i === 0} @click=${() => this.#move(i, -1)}>Move up<span class="visually-hidden"> ${task.name}</span></button>
        <button type="button" ?disabled=${i === last} @click=${() => this.#move(i, 1)}>Move down<span class="visually-hidden"> ${task.name}</span></button>
        <button type="button" class="danger" @click=${() => this.#setTasks(this.draft.tasks.filter((_, j) => j !== i))}>Remove<span class="visually-hidden"> ${task.name}</span></button>
      </div>
      ${fieldError(errors, 'name', `${id}-name-error`)}${errors[''] ? html`<p class="error" role="alert">${errors['']}</p>` : nothing}
      ${form}
    </section>`;
  }

  #previewResult(): TemplateResult | typeof nothing {
    const p = this.preview;
    if (!p) return nothing;
    if (p.state === 'busy') return loading('the preview (a dry run: nothing is written)');
    if (p.state === 'failed') return failure(p.error, 'No preview');
    const stale = p.draft !== JSON.stringify(this.draft);
    return html`<section class="card" aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview: what a run would do now</h2>
      <p class="hint">${stale ? 'The draft changed since: preview it again.' : 'Nothing was written: the directory, watermarks and mailing lists are as they were, and no mail was sent.'}</p>
      ${p.preview.loads.map((load) => html`<h3>${load.task}</h3>
        ${load.error ? html`<p class="error" role="alert"><code>${load.error.code}</code>${load.error.message}</p>` : html`<table>
          <caption>Per directory object</caption>
          <thead><tr><th scope="col">Object</th>${countColumns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
          <tbody>${Object.entries(load.counts).map(([object, counts]) => html`<tr><th scope="row">${object}</th>${countColumns.map((c) => html`<td>${counts[c] ?? 0}</td>`)}</tr>`)}</tbody>
        </table>`}
        ${load.errorCount ? html`<p>${load.errorCount} row error${load.errorCount === 1 ? '' : 's'}${load.errorCount > load.errors.length ? `, the first ${load.errors.length}` : ''}:</p>
          <ul>${load.errors.map((e) => html`<li>${e.source}${e.line ? ` line ${e.line}` : ''}${e.recordId ? ` (${e.recordId})` : ''}: <code>${e.code}</code> ${e.message}</li>`)}</ul>` : nothing}
        ${load.unmappedValues.length ? html`<p>Values no value mapping names: ${load.unmappedValues.map((v, i) => html`${i ? ', ' : ''}${v.field} "${v.value}" (${v.rows} row${v.rows === 1 ? '' : 's'})`)}</p>` : nothing}
        ${load.mailingListMembers !== null ? html`<p>Mailing list: ${load.mailingListMembers} contacts.</p>` : nothing}
        ${load.distributions.map((d) => html`<p>${d.task}: would invite ${d.invited} contact${d.invited === 1 ? '' : 's'} (${d.skipped} skipped).</p>`)}`)}
    </section>`;
  }

  #history(): TemplateResult | typeof nothing {
    if (!this.versions.length) return nothing;
    return html`<details class="card"><summary>History: ${this.versions.length} saved version${this.versions.length === 1 ? '' : 's'}</summary>
      <table><thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">Definition</th></tr></thead>
        <tbody>${this.versions.map((v) => html`<tr><td>${v.version}</td><td>${when(v.createdAt)}</td>
          <td><details><summary>JSON<span class="visually-hidden"> of version ${v.version}</span></summary><pre>${JSON.stringify(v.definition, null, 2)}</pre></details></td></tr>`)}</tbody></table>
    </details>`;
  }

  override render(): TemplateResult {
    if (this.readError) return failure(this.readError, 'The workflow could not be read');
    if (!this.lookups || (this.workflowId && !this.saved)) return loading('the workflow');
    const problems = Object.entries(this.errors);
    const dirty = !this.saved || JSON.stringify(this.saved.definition) !== JSON.stringify(this.draft) || this.saved.name !== this.name;
    return html`<p><a href="/workflows">All workflows</a></p>
      <h2>${this.saved ? `${this.saved.name} (version ${this.saved.version})` : 'New workflow'}</h2>
      <div class="row"><label>Workflow name<input .value=${this.name} required @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}></label></div>
      <bw-schedule-card .schedule=${this.draft.schedule} .enabled=${this.enabled} .errors=${errorsUnder(this.errors, 'schedule')}
        @schedule-change=${(e: CustomEvent<Schedule | undefined>) => {
          const { schedule: _, ...rest } = this.draft;
          this.draft = e.detail ? { ...rest, schedule: e.detail } : rest;
        }}
        @enabled-change=${(e: CustomEvent<boolean>) => (this.enabled = e.detail)}></bw-schedule-card>
      ${this.draft.tasks.map((task, i) => this.#card(task, i))}
      ${errorsUnder(this.errors, 'tasks')[''] ? html`<p class="error" role="alert">${errorsUnder(this.errors, 'tasks')['']}</p>` : nothing}
      <div class="row" role="group" aria-label="Add a task">
        <button type="button" @click=${() => this.#add('salesforce')}>Add a Salesforce extract</button>
        <button type="button" @click=${() => this.#add('upload')}>Add an upload extract</button>
        <button type="button" @click=${() => this.#add('sftp')}>Add an SFTP extract</button>
        <button type="button" @click=${() => this.#add('load')}>Add a load</button>
        <button type="button" @click=${() => this.#add('distribute')}>Add a survey distribution</button>
        <button type="button" @click=${() => this.#add('writeBack')}>Add a write-back to Salesforce</button>
      </div>
      <div class="row">
        <button type="button" ?disabled=${this.preview?.state === 'busy'} @click=${() => this.#preview()}>Preview a run</button>
        ${this.canEdit ? html`<button type="button" class="primary" ?disabled=${this.busy !== undefined} @click=${() => this.#save()}>${this.saved ? 'Save as a new version' : 'Save'}</button>` : nothing}
        ${this.saved && this.canEdit ? html`<button type="button" ?disabled=${this.busy !== undefined || dirty} title=${dirty ? 'Save the changes first' : ''} @click=${() => this.#run()}>Run now</button>` : nothing}
      </div>
      ${problems.length ? html`<div class="error" role="alert"><p>Not saved: the server refused ${problems.length === 1 ? 'one field' : `${problems.length} fields`}, each shown at its place.</p>
        <ul>${problems.map(([path, message]) => html`<li><code>${path}</code>${message}</li>`)}</ul></div>` : nothing}
      ${this.refusal ? failure(this.refusal, 'Refused') : nothing}
      ${this.done ? html`<p class="done" role="status">${this.done}</p>` : nothing}
      ${this.#previewResult()}
      <details class="card"><summary>The definition as JSON</summary><pre>${JSON.stringify(this.draft, null, 2)}</pre></details>
      ${this.#history()}`;
  }
}

/** The directory source a file extract reads, chosen on its card. */
function sourceKindSelect(task: Task, change: (object: SourceKind) => void): TemplateResult {
  return html`<div class="row"><label>Directory source<select @change=${(e: Event) => change((e.target as HTMLSelectElement).value as SourceKind)}>
    ${(['accounts', 'contacts', 'teamMembers'] as const).map((o) => html`<option value=${o} ?selected=${task.object === o}>${{ accounts: 'Accounts', contacts: 'Contacts', teamMembers: 'Team members' }[o]}</option>`)}
  </select></label></div>`;
}

/** A task with every reference to `from` (a load's extracts, a distribution's or write-back's load) made to `to`. */
function renameReference(task: Task, from: string, to: string): Task {
  if (task.type === 'load') {
    const extracts = Object.fromEntries(Object.entries((task as LoadTask).extracts).map(([k, v]) => [k, v === from ? to : v]));
    return { ...task, extracts };
  }
  if ((task.type === 'distribute' || task.type === 'writeBack') && task.load === from) return { ...task, load: to };
  return task;
}
