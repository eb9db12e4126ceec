import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { ObjectDescribe } from '../../../../core/connections/salesforce-describe.ts';
import { writeBackFigures, type WriteBackFigure } from '../../../../core/workflows/write-back-figures.ts';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, taskChange, type FieldErrors, type Task, type WriteBackTask } from './draft.ts';

type Named = { id: number; name: string };
type Described = ObjectDescribe['fields'][number];
type Read<T> = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; value: T };

const figures = Object.keys(writeBackFigures) as WriteBackFigure[];

/** What a run writes when Detractor Tasks are turned on and left as they come (the server's defaults). */
const detractorDefaults = { scoreAtMost: 6, withinDays: 7 };

/**
 * A write-back to Salesforce: after the load it follows, each account's figures as a widget
 * configuration computes them are written into Account fields of the org. Each figure offers only
 * the org's updateable Account fields of a type that can hold it (from the describe), or none; at
 * least one is mapped. Detractor Tasks optionally opens a Salesforce Task per recent detractor answer.
 *
 * @summary The write-back card of the workflow builder.
 * @fires task-change - detail: the task as changed.
 */
export class WritebackCardElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = {
    task: { attribute: false },
    loads: { attribute: false },
    connections: { attribute: false },
    errors: { attribute: false },
    describe: { state: true },
    configs: { state: true },
  };

  declare task: WriteBackTask;
  /** The names of the load tasks before this one: what it may follow. */
  declare loads: string[];
  declare connections: Named[];
  declare errors: FieldErrors;
  declare describe: Read<Described[]> | undefined;
  declare configs: Read<Named[]> | undefined;
  #described: number | undefined;

  constructor() {
    super();
    this.loads = [];
    this.connections = [];
    this.errors = {};
    this.describe = undefined;
    this.configs = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.configs) void this.#readConfigs();
  }

  override willUpdate(): void {
    if (this.task.connectionId && this.task.connectionId !== this.#described) {
      this.#described = this.task.connectionId;
      void this.#readDescribe(this.task.connectionId);
    }
  }

  async #readConfigs(): Promise<void> {
    this.configs = { state: 'loading' };
    try {
      this.configs = { state: 'ready', value: (await api<{ items: Named[] }>('/api/widget-configs')).items };
    } catch (error) {
      this.configs = { state: 'failed', error };
    }
  }

  async #readDescribe(connectionId: number): Promise<void> {
    this.describe = { state: 'loading' };
    try {
      const { fields } = await api<ObjectDescribe>(`/api/salesforce-connections/${connectionId}/objects/accounts/fields`);
      if (this.#described === connectionId) this.describe = { state: 'ready', value: fields };
    } catch (error) {
      if (this.#described === connectionId) this.describe = { state: 'failed', error };
    }
  }

  get #id(): string {
    return this.task.name.replace(/\W/g, '-');
  }

  #change(part: Partial<WriteBackTask>): void {
    const task = { ...this.task, ...part };
    for (const key of Object.keys(part) as (keyof WriteBackTask)[]) if (part[key] === undefined) delete task[key];
    this.dispatchEvent(taskChange(task as Task));
  }

  #setField(figure: WriteBackFigure, name: string): void {
    const fields = { ...this.task.fields };
    if (name) fields[figure] = name;
    else delete fields[figure];
    this.#change({ fields });
  }

  #figure(figure: WriteBackFigure, described: Described[]): TemplateResult {
    const rule = writeBackFigures[figure];
    const chosen = this.task.fields[figure];
    const fits = described.filter((f) => f.updateable && (rule.types as readonly string[]).includes(f.type));
    // A field chosen before that no longer fits stays shown, so the server's refusal of it reads against it.
    const stale = chosen && !fits.some((f) => f.name.toLowerCase() === chosen.toLowerCase()) ? chosen : undefined;
    const id = `${this.#id}-${figure}-error`;
    return html`<label>${rule.label[0]!.toUpperCase()}${rule.label.slice(1)} into<select aria-describedby=${id} @change=${(e: Event) => this.#setField(figure, (e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${!chosen}>Not written</option>
        ${fits.map((f) => html`<option value=${f.name} ?selected=${chosen?.toLowerCase() === f.name.toLowerCase()}>${f.label} (${f.name})</option>`)}
        ${stale ? html`<option value=${stale} selected>${stale} (not offered: missing, of another type or not updateable)</option>` : nothing}
      </select></label>
      ${fieldError(this.errors, `fields.${figure}`, id)}`;
  }

  #fields(): TemplateResult {
    const read = this.describe;
    const id = `${this.#id}-fields-error`;
    // The mapping's own problem (none mapped, one field twice); a figure's shows at its select.
    const whole: FieldErrors = this.errors.fields ? { fields: this.errors.fields } : {};
    return html`<fieldset class="card" aria-describedby="${id} ${this.#id}-fields-hint">
      <legend>Account fields</legend>
      <p class="hint" id="${this.#id}-fields-hint">Map at least one figure. Each offers the updateable Account fields of a type that can hold it.</p>
      ${!this.task.connectionId ? html`<p class="hint">Choose an org first.</p>`
        : !read || read.state === 'loading' ? loading("the org's Account fields")
        : read.state === 'failed' ? failure(read.error, "The org's Account fields could not be read")
        : html`<div class="row">${figures.map((f) => this.#figure(f, read.value))}</div>`}
      ${fieldError(whole, 'fields', id)}
    </fieldset>`;
  }

  #detractors(): TemplateResult {
    const tasks = this.task.detractorTasks;
    const id = this.#id;
    const set = (part: Partial<typeof detractorDefaults>) => this.#change({ detractorTasks: { ...detractorDefaults, ...tasks, ...part } });
    return html`<fieldset class="card">
      <legend>Detractor Tasks</legend>
      <label class="choice"><input type="checkbox" .checked=${tasks !== undefined}
        @change=${(e: Event) => this.#change({ detractorTasks: (e.target as HTMLInputElement).checked ? { ...detractorDefaults } : undefined })}>
        Open a Salesforce Task for the account's owner per detractor answer</label>
      ${tasks ? html`<div class="row">
        <label>Score at most<input type="number" min="0" max="10" .value=${String(tasks.scoreAtMost ?? detractorDefaults.scoreAtMost)} aria-describedby="${id}-score-error"
          @change=${(e: Event) => set({ scoreAtMost: Number((e.target as HTMLInputElement).value) })}></label>
        <label>Answered within the last (days)<input type="number" min="1" max="365" .value=${String(tasks.withinDays ?? detractorDefaults.withinDays)} aria-describedby="${id}-days-error"
          @change=${(e: Event) => set({ withinDays: Number((e.target as HTMLInputElement).value) })}></label>
      </div>
      ${fieldError(this.errors, 'detractorTasks.scoreAtMost', `${id}-score-error`)}
      ${fieldError(this.errors, 'detractorTasks.withinDays', `${id}-days-error`)}` : nothing}
    </fieldset>`;
  }

  #configSelect(): TemplateResult {
    const read = this.configs;
    const id = this.#id;
    if (!read || read.state === 'loading') return loading('the widget configurations');
    if (read.state === 'failed') return failure(read.error, 'The widget configurations could not be read');
    if (read.value.length === 0) return html`<p class="hint">No widget configuration yet: the figures follow one, so save one on the <a href="/widgets">Widgets</a> page first.</p>`;
    const known = read.value.some((c) => c.id === this.task.widgetConfigId);
    return html`<label>Figures as widget configuration<select aria-describedby="${id}-config-error ${id}-config-hint"
        @change=${(e: Event) => this.#change({ widgetConfigId: Number((e.target as HTMLSelectElement).value) })}>
        ${known ? nothing : html`<option value="" selected>${this.task.widgetConfigId ? `Configuration ${this.task.widgetConfigId} (not found)` : 'Choose a configuration'}</option>`}
        ${read.value.map((c) => html`<option value=${c.id} ?selected=${this.task.widgetConfigId === c.id}>${c.name} (id ${c.id})</option>`)}
      </select></label>
      <span class="hint" id="${id}-config-hint">Its period, health rules and roll-up decide the figures.</span>`;
  }

  override render(): TemplateResult {
    const t = this.task;
    const id = this.#id;
    return html`<div class="row">
        <label>After the load<select aria-describedby="${id}-load-error" @change=${(e: Event) => this.#change({ load: (e.target as HTMLSelectElement).value })}>
          ${this.loads.includes(t.load) ? nothing : html`<option value="" selected>${t.load ? `${t.load} (not a load before this task)` : 'Choose a load'}</option>`}
          ${this.loads.map((name) => html`<option ?selected=${t.load === name}>${name}</option>`)}
        </select></label>
        <label>Org<select aria-describedby="${id}-org-error" @change=${(e: Event) => this.#change({ connectionId: Number((e.target as HTMLSelectElement).value) })}>
          ${t.connectionId ? nothing : html`<option value="" selected>Choose an org</option>`}
          ${this.connections.map((c) => html`<option value=${c.id} ?selected=${t.connectionId === c.id}>${c.name}</option>`)}
        </select></label>
        ${this.#configSelect()}
      </div>
      ${fieldError(this.errors, 'load', `${id}-load-error`)}
      ${fieldError(this.errors, 'connectionId', `${id}-org-error`)}
      ${fieldError(this.errors, 'widgetConfigId', `${id}-config-error`)}
      ${this.#fields()}
      ${this.#detractors()}`;
  }
}
