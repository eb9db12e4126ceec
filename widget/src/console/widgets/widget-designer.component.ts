import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { AttributeDefinition } from '../../../../server/directory/attribute-definitions.ts';
import type { WidgetConfig } from '../../../../core/widgets/config.ts';
import { api, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';
import { fieldError, fieldErrors } from '../field-errors.ts';
import { chartSources, columnOptions, draftOf, grouped, metricSources, newDraft, type Draft, type KeyMetric, type Option, type SurveyQuestions } from './widget-fields.ts';
import { designer } from '../designer.styles.ts';

type Attribute = Wire<AttributeDefinition>;
type Directory = { id: number; name: string };

const maxKeyMetrics = 3;
const maxColumns = 12;

/** How long the form waits after the last change before the preview reads again. */
const previewDelayMs = 300;

function options(list: readonly Option[], selected: string): TemplateResult[] {
  return grouped(list).map(([group, items]) => html`<optgroup label=${group}>${items.map((o) => html`<option value=${o.value} ?selected=${o.value === selected}>${o.label}</option>`)}</optgroup>`);
}

/**
 * One widget configuration as a form: its columns (B2B fields only), up to three key metrics, the
 * chart, the default period and the health rules, with the real <strategic-accounts> beside it
 * showing the directory's accounts as the form stands (POST /api/widget-configs/preview, nothing
 * saved). Save creates it (POST /api/widget-configs) or changes it (PATCH); the server's refusal
 * shows above the buttons.
 *
 * @summary The widget designer: a form and the live element.
 * @prop config - The configuration being edited; undefined: a new one. The form starts from it.
 * @attr directory-id - The directory a new configuration shows.
 * @fires saved - After a save; `detail: { config }`.
 */
export class WidgetDesignerElement extends LitElement {
  static override styles = [shared, designer];

  static override properties = {
    config: { attribute: false },
    directoryId: { type: Number, attribute: 'directory-id' },
    draft: { state: true },
    shown: { state: true },
    definitions: { state: true },
    surveys: { state: true },
    directories: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare config: Wire<WidgetConfig> | undefined;
  declare directoryId: number;
  /** What the form holds. */
  declare draft: Draft;
  /** What the preview shows: the draft a moment after the last change. */
  declare shown: Draft | undefined;
  declare definitions: Attribute[];
  declare surveys: SurveyQuestions[];
  declare directories: Directory[];
  declare error: unknown;
  declare status: string;

  #timer: ReturnType<typeof setTimeout> | undefined;
  #attributesOf = -1;

  constructor() {
    super();
    this.directoryId = 1;
    this.definitions = [];
    this.surveys = [];
    this.directories = [];
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The element is a chunk of its own, as on My accounts.
    void import('../../strategic-accounts.ts');
    void api<{ items: Directory[] }>('/api/directories').then(({ items }) => (this.directories = items), (error: unknown) => (this.error = error));
  }

  override disconnectedCallback(): void {
    clearTimeout(this.#timer);
    super.disconnectedCallback();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Once: a save changes `config` to what was saved, which is what the form holds already.
    if (this.draft === undefined) this.draft = this.config ? draftOf(this.config) : newDraft(this.directoryId);
    if (changed.has('draft')) {
      // A name is no part of what the widget shows: the preview of one not named yet still shows.
      const shown = () => ({ ...this.draft, name: this.draft.name.trim() || 'Preview' });
      if (this.shown === undefined) this.shown = shown();
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => (this.shown = shown()), previewDelayMs);
      if (this.draft.directoryId !== this.#attributesOf) this.#readAttributes(this.draft.directoryId);
    }
  }

  async #readAttributes(directoryId: number): Promise<void> {
    this.#attributesOf = directoryId;
    try {
      this.definitions = (await api<{ items: Attribute[] }>(`/api/attribute-definitions?directory=${directoryId}`)).items;
      this.surveys = (await api<{ items: SurveyQuestions[] }>('/api/surveys')).items;
    } catch (error) {
      this.error = error;
    }
  }

  #change(change: Partial<Draft>): void {
    this.draft = { ...this.draft, ...change };
    this.status = '';
  }

  #metric(index: number, change: Partial<KeyMetric>): void {
    const keyMetrics = this.draft.keyMetrics.map((m, i) => {
      if (i !== index) return m;
      const next = { ...m, ...change };
      if (next.format !== 'currency' || next.currencyLabel === '') delete next.currencyLabel;
      return next;
    });
    this.#change({ keyMetrics });
  }

  #addMetric(): void {
    const used = new Set(this.draft.keyMetrics.map((m) => m.field));
    const source = metricSources(this.definitions, this.draft, this.surveys).find((o) => !used.has(o.value)) ?? metricSources(this.definitions, this.draft, this.surveys)[0]!;
    this.#change({ keyMetrics: [...this.draft.keyMetrics, { label: source.label, field: source.value, format: 'number', decimals: 0 }] });
  }

  #addColumn(): void {
    const field = this.renderRoot.querySelector<HTMLSelectElement>('select[name="column"]')?.value ?? '';
    const option = columnOptions(this.definitions).find((o) => o.value === field);
    if (!option) return;
    this.#change({ columns: [...this.draft.columns, { field, label: option.label.replace(/ \(\w+\)$/, '') }] });
  }

  async #save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.error = undefined;
    this.status = 'Saving…';
    try {
      const saved = this.config
        ? await api<Wire<WidgetConfig>>(`/api/widget-configs/${this.config.id}`, { method: 'PATCH', body: this.draft })
        : await api<Wire<WidgetConfig>>('/api/widget-configs', { method: 'POST', body: this.draft });
      this.config = saved;
      this.status = `Saved as widget configuration ${saved.id}.`;
      this.dispatchEvent(new CustomEvent('saved', { detail: { config: saved }, bubbles: true, composed: true }));
    } catch (error) {
      this.status = '';
      this.error = error;
    }
  }

  override render(): TemplateResult {
    const d = this.draft;
    const errors = fieldErrors(this.error);
    const number = (value: string) => (value === '' ? 0 : Number(value));
    return html`<div class="designer">
      <form class="fields" aria-label="Widget configuration" @submit=${this.#save}>
        <label>Name <input name="name" required maxlength="200" .value=${d.name} @input=${(e: Event) => this.#change({ name: (e.target as HTMLInputElement).value })} />${fieldError(errors, 'name')}</label>
        <label>Directory
          <select @change=${(e: Event) => this.#change({ directoryId: Number((e.target as HTMLSelectElement).value) })}>
            ${this.directories.map((dir) => html`<option value=${dir.id} ?selected=${dir.id === d.directoryId}>${dir.name}</option>`)}
          </select>
        </label>

        <fieldset>
          <legend>Columns (the B2B dataset: attributes, hierarchy, roles)</legend>
          ${d.columns.length === 0 ? html`<p class="status">Only the default columns.</p>` : nothing}
          <ol class="rows">
            ${d.columns.map((c, i) => html`<li>
              <label>Label of ${c.field} <input .value=${c.label ?? ''} maxlength="100"
                @input=${(e: Event) => this.#change({ columns: d.columns.map((x, j) => (j === i ? { ...x, label: (e.target as HTMLInputElement).value } : x)) })} />${fieldError(errors, `columns.${i}.field`)}${fieldError(errors, `columns.${i}.label`)}</label>
              <button type="button" class="danger" aria-label="Remove column ${c.label || c.field}" @click=${() => this.#change({ columns: d.columns.filter((_, j) => j !== i) })}>Remove</button>
            </li>`)}
          </ol>
          <div class="actions">
            <label>Column to add <select name="column">${options(columnOptions(this.definitions), '')}</select></label>
            <button type="button" ?disabled=${d.columns.length >= maxColumns} @click=${this.#addColumn}>Add the column</button>
          </div>
        </fieldset>

        <fieldset>
          <legend>Key metrics (at most ${maxKeyMetrics}, on the cards)</legend>
          <ol class="rows">${d.keyMetrics.map((m, i) => this.#metricRow(m, i, errors))}</ol>
          <button type="button" ?disabled=${d.keyMetrics.length >= maxKeyMetrics} @click=${this.#addMetric}>Add a key metric</button>
          <label>Currency of currency metrics, from an attribute
            <select @change=${(e: Event) => this.#change({ currencyAttribute: (e.target as HTMLSelectElement).value || null })}>
              <option value="" ?selected=${d.currencyAttribute === null}>None: each metric's label</option>
              ${this.definitions.filter((a) => a.dataType === 'String' || a.dataType === 'Enum').map((a) => html`<option value=${a.name} ?selected=${a.name === d.currencyAttribute}>${a.name}</option>`)}
            </select>
          </label>
        </fieldset>

        <fieldset>
          <legend>Chart</legend>
          <label>Chart metric
            <select @change=${(e: Event) => this.#change({ chartMetric: { ...d.chartMetric, field: (e.target as HTMLSelectElement).value as Draft['chartMetric']['field'] } })}>
              ${options(chartSources(this.surveys), d.chartMetric.field)}
            </select>
          </label>
          <label>Periods in the chart <input type="number" min="2" max="36" .value=${String(d.chartPeriods)} @input=${(e: Event) => this.#change({ chartPeriods: number((e.target as HTMLInputElement).value) })} />${fieldError(errors, 'chartPeriods')}</label>
        </fieldset>

        <fieldset>
          <legend>Period</legend>
          <label>Default period
            <select @change=${(e: Event) => this.#change({ period: (e.target as HTMLSelectElement).value as Draft['period'] })}>
              ${(['MoM', 'QoQ', 'YoY'] as const).map((p) => html`<option value=${p} ?selected=${p === d.period}>${{ MoM: 'Month on month', QoQ: 'Quarter on quarter', YoY: 'Year on year' }[p]}</option>`)}
            </select>
          </label>
          <label>Time zone (periods start at midnight there) <input .value=${d.timeZone} @input=${(e: Event) => this.#change({ timeZone: (e.target as HTMLInputElement).value })} />${fieldError(errors, 'timeZone')}</label>
        </fieldset>

        <fieldset>
          <legend>Health</legend>
          ${this.#healthField('Minimum answers for a health', 'minResponses', 1, 1_000_000, errors)}
          ${this.#healthField('At risk below NPS', 'atRiskBelow', -100, 100, errors)}
          ${this.#healthField('At risk when NPS drops by', 'atRiskDrop', 1, 200, errors)}
          ${this.#healthField('Opportunity from NPS', 'opportunityFrom', -100, 100, errors)}
          <label class="check"><input type="checkbox" .checked=${d.rollUp} @change=${(e: Event) => this.#change({ rollUp: (e.target as HTMLInputElement).checked })} /> Roll child accounts' answers up into their parents</label>
        </fieldset>

        <fieldset>
          <legend>NPS source</legend>
          <label>Surveys that count toward NPS
            <select @change=${(e: Event) => {
              const value = (e.target as HTMLSelectElement).value;
              this.#change({ npsSource: { ...d.npsSource, surveys: value === 'all' ? 'all' : [Number(value)] } });
            }}>
              <option value="all" ?selected=${d.npsSource.surveys === 'all'}>Every survey</option>
              ${this.surveys.map((s) => html`<option value=${s.id} ?selected=${d.npsSource.surveys !== 'all' && d.npsSource.surveys.includes(s.id)}>${s.name} only</option>`)}
            </select>${fieldError(errors, 'npsSource.surveys')}
          </label>
          <label class="check"><input type="checkbox" .checked=${d.npsSource.importedHistory} @change=${(e: Event) => this.#change({ npsSource: { ...d.npsSource, importedHistory: (e.target as HTMLInputElement).checked } })} /> Count imported NPS history</label>
          <label>Answers counted
            <select @change=${(e: Event) => this.#change({ npsCounting: (e.target as HTMLSelectElement).value as Draft['npsCounting'] })}>
              <option value="everyAnswer" ?selected=${d.npsCounting === 'everyAnswer'}>Every answer</option>
              <option value="latestPerContact" ?selected=${d.npsCounting === 'latestPerContact'}>Each contact's latest answer in the period</option>
            </select>
          </label>
        </fieldset>

        ${this.error ? failure(this.error, 'Not saved') : nothing}
        <div class="actions">
          <button type="submit" class="primary">${this.config ? 'Save changes' : 'Save'}</button>
          <span role="status" class="done">${this.status}</span>
        </div>
      </form>
      <section class="preview" aria-label="Preview">
        <h2>Preview</h2>
        <p class="status">The directory's accounts as this form stands; nothing is saved until you press Save.</p>
        ${this.shown ? html`<strategic-accounts view="cards" page-size="10" .draft=${this.shown}></strategic-accounts>` : nothing}
      </section>
    </div>`;
  }

  #metricRow(m: KeyMetric, i: number, errors: Map<string, string[]> | null): TemplateResult {
    const n = i + 1;
    return html`<li class="metric">
      <label>Metric ${n} label <input .value=${m.label} maxlength="100" @input=${(e: Event) => this.#metric(i, { label: (e.target as HTMLInputElement).value })} />${fieldError(errors, `keyMetrics.${i}.label`)}</label>
      <label>Metric ${n} source
        <select @change=${(e: Event) => this.#metric(i, { field: (e.target as HTMLSelectElement).value })}>${options(metricSources(this.definitions, this.draft, this.surveys), m.field)}</select>
        ${fieldError(errors, `keyMetrics.${i}.field`)}
      </label>
      <label>Metric ${n} format
        <select @change=${(e: Event) => this.#metric(i, { format: (e.target as HTMLSelectElement).value as KeyMetric['format'] })}>
          ${(['number', 'percent', 'currency'] as const).map((f) => html`<option value=${f} ?selected=${f === m.format}>${f}</option>`)}
        </select>
      </label>
      <label>Metric ${n} decimals <input type="number" min="0" max="6" .value=${String(m.decimals)} @input=${(e: Event) => this.#metric(i, { decimals: Number((e.target as HTMLInputElement).value || 0) })} /></label>
      ${m.format === 'currency'
        ? html`<label>Metric ${n} currency label (when no attribute gives one) <input .value=${m.currencyLabel ?? ''} maxlength="12" @input=${(e: Event) => this.#metric(i, { currencyLabel: (e.target as HTMLInputElement).value })} />${fieldError(errors, `keyMetrics.${i}.currencyLabel`)}</label>`
        : nothing}
      <button type="button" class="danger" aria-label="Remove metric ${n}" @click=${() => this.#change({ keyMetrics: this.draft.keyMetrics.filter((_, j) => j !== i) })}>Remove</button>
    </li>`;
  }

  #healthField(label: string, key: keyof Draft['health'], min: number, max: number, errors: Map<string, string[]> | null): TemplateResult {
    return html`<label>${label} <input type="number" min=${min} max=${max} .value=${String(this.draft.health[key])}
      @input=${(e: Event) => this.#change({ health: { ...this.draft.health, [key]: Number((e.target as HTMLInputElement).value) } })} />${fieldError(errors, `health.${key}`)}</label>`;
  }
}
