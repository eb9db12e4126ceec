import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { UploadPreview } from '../../../../core/uploads/preview-upload.ts';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, taskChange, type FieldErrors, type FileTask } from './draft.ts';

type Preview = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; file: UploadPreview };

const delimiters = [[',', 'Comma (,)'], [';', 'Semicolon (;)'], ['\t', 'Tab'], ['|', 'Pipe (|)']] as const;

/**
 * An extract of one export file: an uploaded file by its name, or a file on an SFTP server by its
 * path or a pattern; how it is written (delimiter, quote, encoding). An uploaded file shows its
 * first 20 rows parsed with these settings, and its header is checked against the columns the load
 * reads from it.
 *
 * @summary The file extract card of the workflow builder.
 * @fires task-change - detail: the task as changed.
 * @fires header-checked - detail: the columns the header lacks (empty when none), once a preview read it.
 */
export class FileCardElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = {
    task: { attribute: false },
    uploads: { attribute: false },
    sftpConnections: { attribute: false },
    required: { attribute: false },
    errors: { attribute: false },
    preview: { state: true },
  };

  declare task: FileTask;
  /** The names of the uploaded files. */
  declare uploads: string[];
  declare sftpConnections: { id: number; name: string }[];
  /** The columns the load reads from this file. */
  declare required: string[];
  declare errors: FieldErrors;
  declare preview: Preview | undefined;

  constructor() {
    super();
    this.uploads = [];
    this.sftpConnections = [];
    this.required = [];
    this.errors = {};
    this.preview = undefined;
  }

  #change(part: Record<string, unknown>): void {
    const task: Record<string, unknown> = { ...this.task, ...part };
    for (const [key, value] of Object.entries(part)) if (value === undefined || value === '') delete task[key];
    this.preview = undefined;
    this.dispatchEvent(taskChange(task as FileTask));
  }

  async #read(): Promise<void> {
    if (this.task.source !== 'upload') return;
    this.preview = { state: 'loading' };
    const query = new URLSearchParams({ name: this.task.file });
    for (const key of ['delimiter', 'quote', 'encoding'] as const) if (this.task[key]) query.set(key, this.task[key]!);
    try {
      const file = await api<UploadPreview>(`/api/uploads/preview?${query}`);
      this.preview = { state: 'ready', file };
      this.dispatchEvent(new CustomEvent('header-checked', { detail: this.#missing(file) }));
    } catch (error) {
      this.preview = { state: 'failed', error };
    }
  }

  #missing(file: UploadPreview): string[] {
    return this.required.filter((c) => !file.columns.includes(c));
  }

  #table(file: UploadPreview): TemplateResult {
    const missing = this.#missing(file);
    return html`${missing.length
        ? html`<p class="error" role="alert">The header lacks ${missing.length === 1 ? 'the column' : 'the columns'} the load reads: ${missing.join(', ')}</p>`
        : html`<p class="done" role="status">The header has every column the load reads (${this.required.join(', ')}).</p>`}
      <div class="scroll"><table>
        <caption>The first ${file.rows.length} rows of ${file.name} (upload ${file.uploadId})</caption>
        <thead><tr><th scope="col">Line</th>${file.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
        <tbody>${file.rows.map((r) => html`<tr><td>${r.line}</td>${r.values ? r.values.map((v) => html`<td>${v}</td>`) : html`<td class="error" colspan=${file.columns.length}>${r.error}</td>`}</tr>`)}</tbody>
      </table></div>`;
  }

  #where(): TemplateResult {
    const t = this.task;
    const id = t.name.replace(/\W/g, '-');
    if (t.source === 'upload') {
      return html`<label>Uploaded file<input list="${id}-uploads" .value=${t.file ?? ''} aria-describedby="${id}-file-error" @change=${(e: Event) => this.#change({ file: (e.target as HTMLInputElement).value.trim() })}></label>
        <datalist id="${id}-uploads">${this.uploads.map((u) => html`<option value=${u}></option>`)}</datalist>
        ${fieldError(this.errors, 'file', `${id}-file-error`)}`;
    }
    return html`<label>SFTP connection<select @change=${(e: Event) => this.#change({ connectionId: Number((e.target as HTMLSelectElement).value) })}>
        ${t.connectionId ? nothing : html`<option value="" selected>Choose a connection</option>`}
        ${this.sftpConnections.map((c) => html`<option value=${c.id} ?selected=${t.connectionId === c.id}>${c.name}</option>`)}
      </select></label>
      <label>Path<input .value=${t.path ?? ''} placeholder="/exports/accounts.csv" aria-describedby="${id}-where-error" @change=${(e: Event) => this.#change({ path: (e.target as HTMLInputElement).value.trim() })}></label>
      <label>or pattern (newest match)<input .value=${t.pattern ?? ''} placeholder="/exports/accounts_*.csv" aria-describedby="${id}-where-error" @change=${(e: Event) => this.#change({ pattern: (e.target as HTMLInputElement).value.trim() })}></label>
      <label>Archive folder (optional)<input .value=${t.archiveFolder ?? ''} @change=${(e: Event) => this.#change({ archiveFolder: (e.target as HTMLInputElement).value.trim() })}></label>
      ${fieldError(this.errors, '', `${id}-where-error`)}`;
  }

  override render(): TemplateResult {
    const t = this.task;
    const preview = this.preview;
    return html`<div class="row">${this.#where()}</div>
      <div class="row">
        <label>Delimiter<select @change=${(e: Event) => this.#change({ delimiter: (e.target as HTMLSelectElement).value === ',' ? undefined : (e.target as HTMLSelectElement).value })}>
          ${delimiters.map(([value, label]) => html`<option .value=${value} ?selected=${(t.delimiter ?? ',') === value}>${label}</option>`)}
        </select></label>
        <label>Quote<select @change=${(e: Event) => this.#change({ quote: (e.target as HTMLSelectElement).value === '"' ? undefined : (e.target as HTMLSelectElement).value })}>
          <option value='"' ?selected=${(t.quote ?? '"') === '"'}>Double quote (")</option><option value="'" ?selected=${t.quote === "'"}>Single quote (')</option>
        </select></label>
        <label>Encoding<select @change=${(e: Event) => this.#change({ encoding: (e.target as HTMLSelectElement).value === 'utf-8' ? undefined : (e.target as HTMLSelectElement).value })}>
          <option value="utf-8" ?selected=${(t.encoding ?? 'utf-8') === 'utf-8'}>UTF-8</option><option value="latin1" ?selected=${t.encoding === 'latin1'}>Latin-1</option>
        </select></label>
        ${t.source === 'upload' ? html`<button type="button" ?disabled=${!t.file} @click=${() => this.#read()}>Preview the file<span class="visually-hidden"> of ${t.name}</span></button>` : nothing}
      </div>
      <label class="check"><input type="checkbox" .checked=${Boolean(t.fullExport)} @change=${(e: Event) => this.#change({ fullExport: (e.target as HTMLInputElement).checked || undefined })}>
        A full export: a record the file no longer holds is removed from the directory</label>
      ${t.source === 'sftp' ? html`<p class="hint">A file on an SFTP server is read by a run, or by the workflow's preview below.</p>` : nothing}
      ${!preview ? nothing : preview.state === 'loading' ? loading('the file') : preview.state === 'failed' ? failure(preview.error, 'The file could not be read') : this.#table(preview.file)}`;
  }
}
