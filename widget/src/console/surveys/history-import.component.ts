import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { ResponseImport } from '../../../../core/surveys/import-responses.ts';
import type { Upload } from '../../../../core/uploads/queries.ts';
import { api, type Page, type Wire } from '../api.ts';
import { currentDirectory } from '../directory-scope.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';

/** The values an NPS history row gives, the import's names for them, and whether a file must have them. */
const values = [
  { key: 'contactId', label: 'Contact id', required: true, guess: /contact/i },
  { key: 'accountId', label: 'Account id', required: false, guess: /account/i },
  { key: 'score', label: 'Score (0 to 10)', required: true, guess: /score|nps|rating/i },
  { key: 'comment', label: 'Comment', required: false, guess: /comment|reason|text/i },
  { key: 'respondedAt', label: 'Answered at', required: true, guess: /date|time|responded|answered/i },
] as const;

type Columns = { upload: number; name: string; columns: string[] };

/**
 * Imports an NPS history from an uploaded CSV (POST /api/responses/from-upload): the file's own
 * column for each value (guessed from its header, GET /api/uploads/:id/columns) and the format of its
 * times; the answer's counts and first rejected rows show below.
 *
 * @summary An NPS history imported from an upload, with a column mapping.
 */
export class HistoryImportElement extends LitElement {
  static override styles = shared;

  static override properties = { uploads: { state: true }, header: { state: true }, result: { state: true }, error: { state: true }, busy: { state: true } };

  declare uploads: Wire<Upload>[] | undefined;
  declare header: Columns | undefined;
  declare result: ResponseImport | undefined;
  declare error: unknown;
  declare busy: boolean;

  constructor() {
    super();
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void api<Page<Wire<Upload>>>('/api/uploads?limit=200').then((page) => (this.uploads = page.items), (error: unknown) => (this.error = error));
  }

  async #choose(event: Event): Promise<void> {
    const id = (event.target as HTMLSelectElement).value;
    this.header = undefined;
    this.result = undefined;
    this.error = undefined;
    if (!id) return;
    try {
      this.header = await api<Columns>(`/api/uploads/${id}/columns`);
    } catch (error) {
      this.error = error;
    }
  }

  async #import(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const mapping: Record<string, string> = {};
    for (const value of values) {
      const column = String(form.get(value.key) ?? '');
      if (column) mapping[value.key] = column;
    }
    const dateFormat = String(form.get('dateFormat') ?? '').trim();
    if (dateFormat) mapping.dateFormat = dateFormat;
    this.busy = true;
    this.error = undefined;
    this.result = undefined;
    try {
      this.result = await api<ResponseImport>('/api/responses/from-upload', {
        method: 'POST',
        body: { upload: this.header!.upload, directoryId: Number(currentDirectory() ?? 1), mapping },
      });
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`
      <p>Upload the file under <a href="/connections/uploads">Connections → Uploaded files</a>, then choose it here. One row per answer.</p>
      <label>Uploaded file <select @change=${this.#choose}>
        <option value="">Choose a file</option>
        ${(this.uploads ?? []).map((u) => html`<option value=${u.id}>${u.name} (${u.id})</option>`)}
      </select></label>
      ${this.header ? this.#mapping(this.header) : nothing}
      ${this.error ? failure(this.error, 'Not imported') : nothing}
      ${this.result ? this.#outcome(this.result) : nothing}
    `;
  }

  #mapping(header: Columns): TemplateResult {
    const guess = (value: (typeof values)[number]) => header.columns.find((c) => value.guess.test(c)) ?? '';
    return html`<form class="fields" aria-label="Columns of ${header.name}" @submit=${this.#import}>
      ${values.map(
        (value) => html`<label>${value.label}${value.required ? '' : ' (optional)'} <select name=${value.key} ?required=${value.required}>
          <option value="">${value.required ? 'Choose a column' : 'None'}</option>
          ${header.columns.map((c) => html`<option value=${c} ?selected=${c === guess(value)}>${c}</option>`)}
        </select></label>`,
      )}
      <label>Time format (empty: ISO 8601; e.g. DD/MM/YYYY HH:mm, read as UTC) <input name="dateFormat" autocomplete="off" /></label>
      <div class="actions"><button type="submit" class="primary" ?disabled=${this.busy}>Import the history</button></div>
    </form>`;
  }

  #outcome(result: ResponseImport): TemplateResult {
    return html`<p role="status" class="done">Imported ${result.inserted} answers; ${result.unchanged} were already there; ${result.rejected} rows rejected.</p>
      ${result.errors.length
        ? html`<table><caption>Rejected rows</caption><thead><tr><th scope="col">Line</th><th scope="col">Column</th><th scope="col">Why</th></tr></thead>
            <tbody>${result.errors.map((e) => html`<tr><td>${e.line}</td><td>${e.field ?? ''}</td><td>${e.message}</td></tr>`)}</tbody></table>`
        : nothing}`;
  }
}
