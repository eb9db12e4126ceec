import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { SftpPreview } from '../../../../core/connections/sftp.ts';
import type { PreviewRow } from '../../../../core/records/preview-rows.ts';
import type { UploadPreview } from '../../../../core/uploads/preview-upload.ts';
import { api, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading, when } from '../states.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, taskChange, type FieldErrors, type FileTask } from './draft.ts';

/** A file read, whichever its source: its header, its first rows, and what the table says it is. */
type Read = { columns: string[]; rows: PreviewRow[]; caption: string };
type Preview = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; file: Read };

const delimiters = [[',', 'Comma (,)'], [';', 'Semicolon (;)'], ['\t', 'Tab'], ['|', 'Pipe (|)']] as const;

/**
 * An extract of one export file: an uploaded file by its name, or a file on an SFTP server by its
 * path or a pattern, found in a browser of the server's folders; how it is written (delimiter,
 * quote, encoding). The file shows its first 20 rows parsed with these settings (for a pattern, its
 * newest match, as a run picks it), and its header is checked against the columns the load reads.
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
    browsing: { state: true },
  };

  declare task: FileTask;
  /** The names of the uploaded files. */
  declare uploads: string[];
  declare sftpConnections: { id: number; name: string }[];
  /** The columns the load reads from this file. */
  declare required: string[];
  declare errors: FieldErrors;
  declare preview: Preview | undefined;
  /** Whether the SFTP server's folders are shown. */
  declare browsing: boolean;

  /** The preview under way: a change or a newer preview drops its answer, which would show another file. */
  #reading: AbortController | undefined;

  constructor() {
    super();
    this.uploads = [];
    this.sftpConnections = [];
    this.required = [];
    this.errors = {};
    this.preview = undefined;
    this.browsing = false;
  }

  /** Answers the task as changed: the builder hands it back as `task` only on its next render. */
  #change(part: Record<string, unknown>): FileTask {
    const task: Record<string, unknown> = { ...this.task, ...part };
    for (const [key, value] of Object.entries(part)) if (value === undefined || value === '') delete task[key];
    this.#reading?.abort();
    this.preview = undefined;
    this.dispatchEvent(taskChange(task as FileTask));
    return task as FileTask;
  }

  /** Reads the file as a run would, the upload or the server's file, with the task's settings. */
  async #read(t: FileTask = this.task): Promise<void> {
    this.#reading?.abort();
    const { signal } = (this.#reading = new AbortController());
    this.preview = { state: 'loading' };
    const query = new URLSearchParams(t.source === 'upload' ? { name: t.file } : t.path ? { path: t.path } : { pattern: t.pattern ?? '' });
    for (const key of ['delimiter', 'quote', 'encoding'] as const) if (t[key]) query.set(key, t[key]!);
    try {
      let file: Read;
      if (t.source === 'upload') {
        const upload = await api<UploadPreview>(`/api/uploads/preview?${query}`, { signal });
        file = { columns: upload.columns, rows: upload.rows, caption: `${upload.name} (upload ${upload.uploadId})` };
      } else {
        const remote = await api<Wire<SftpPreview>>(`/api/sftp-connections/${t.connectionId}/preview?${query}`, { signal });
        file = { columns: remote.columns, rows: remote.rows, caption: `${remote.path} (modified ${when(remote.modifiedAt)})` };
      }
      if (signal.aborted) return;
      this.preview = { state: 'ready', file };
      this.dispatchEvent(new CustomEvent('header-checked', { detail: this.#missing(file) }));
    } catch (error) {
      if (!signal.aborted) this.preview = { state: 'failed', error };
    }
  }

  #picked(path: string): void {
    void this.#read(this.#change({ path, pattern: undefined }));
  }

  #missing(file: Read): string[] {
    return this.required.filter((c) => !file.columns.includes(c));
  }

  #table(file: Read): TemplateResult {
    const missing = this.#missing(file);
    return html`${missing.length
        ? html`<p class="error" role="alert">The header lacks ${missing.length === 1 ? 'the column' : 'the columns'} the load reads: ${missing.join(', ')}</p>`
        : html`<p class="done" role="status">The header has every column the load reads (${this.required.join(', ')}).</p>`}
      <div class="scroll"><table>
        <caption>The first ${file.rows.length} rows of ${file.caption}</caption>
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
      <button type="button" ?disabled=${!t.connectionId} aria-expanded=${this.browsing ? 'true' : 'false'} aria-controls="${id}-browser"
        @click=${() => (this.browsing = !this.browsing)}>Browse<span class="visually-hidden"> the server of ${t.name}</span></button>
      <label>Archive folder (optional)<input .value=${t.archiveFolder ?? ''} @change=${(e: Event) => this.#change({ archiveFolder: (e.target as HTMLInputElement).value.trim() })}></label>
      ${fieldError(this.errors, '', `${id}-where-error`)}`;
  }

  override render(): TemplateResult {
    const t = this.task;
    const preview = this.preview;
    const id = t.name.replace(/\W/g, '-');
    const readable = t.source === 'upload' ? Boolean(t.file) : Boolean(t.connectionId && (t.path || t.pattern));
    return html`<div class="row">${this.#where()}</div>
      ${t.source === 'sftp' ? html`<div id="${id}-browser" role="region" aria-label="Folders of the server of ${t.name}" ?hidden=${!this.browsing || !t.connectionId}>
          ${this.browsing && t.connectionId ? html`<bw-sftp-browser connection-id=${t.connectionId} .start=${folderOf(t.path ?? t.pattern)} .picked=${t.path}
            @file-picked=${(e: CustomEvent<string>) => this.#picked(e.detail)}></bw-sftp-browser>` : nothing}
        </div>` : nothing}
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
        <button type="button" ?disabled=${!readable} @click=${() => this.#read()}>Preview the file<span class="visually-hidden"> of ${t.name}</span></button>
      </div>
      <label class="check"><input type="checkbox" .checked=${Boolean(t.fullExport)} @change=${(e: Event) => this.#change({ fullExport: (e.target as HTMLInputElement).checked || undefined })}>
        A full export: a record the file no longer holds is removed from the directory</label>
      ${!preview ? nothing : preview.state === 'loading' ? loading('the file') : preview.state === 'failed' ? failure(preview.error, 'The file could not be read') : this.#table(preview.file)}`;
  }
}

/** The folder of a path or a pattern (`/exports` of `/exports/accounts_*.csv`); none for a bare name, which is in the login's folder. */
function folderOf(file: string | undefined): string | undefined {
  const slash = file?.lastIndexOf('/') ?? -1;
  return slash === -1 ? undefined : slash === 0 ? '/' : file!.slice(0, slash);
}
