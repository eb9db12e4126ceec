import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { describeBytes } from '../../../../core/uploads/bytes.ts';
import type { Upload } from '../../../../core/uploads/queries.ts';
import { api, type Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { failure, when } from '../states.ts';
import { styles } from './uploads.styles.ts';

type Listed = Wire<Upload>;

/** One chosen file on its way: waiting its turn, being sent, stored, or refused with the server's reason. */
type Sending = { file: File; state: 'waiting' | 'sending' } | { file: File; state: 'stored' } | { file: File; state: 'refused'; error: unknown };

/**
 * Connections → Uploaded files: admins choose files (several at once) and send them one after the
 * other to POST /api/uploads, each with its state and, when refused, the server's reason beside
 * it; below, every upload with its size, time and who sent it. Workflows name these files with
 * `source: "upload"`; deleting the file a workflow reads is refused, naming the workflow.
 *
 * @summary The files uploaded for workflows to read.
 * @attr can-upload - The user may upload and delete (admins).
 */
export class UploadsElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = {
    canUpload: { type: Boolean, attribute: 'can-upload' },
    sending: { state: true },
    removal: { state: true },
  };

  declare canUpload: boolean;
  declare sending: Sending[];
  declare removal: { id: number; state: 'busy' } | { id: number; state: 'refused'; error: unknown } | undefined;

  constructor() {
    super();
    this.canUpload = false;
    this.sending = [];
    this.removal = undefined;
  }

  #reloadList(): void {
    this.renderRoot.querySelector('bw-list')?.reload();
  }

  async #onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem('files') as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (files.length === 0) return;
    this.sending = files.map((file) => ({ file, state: 'waiting' }));
    form.reset();
    for (const [i, file] of files.entries()) {
      this.#setSending(i, { file, state: 'sending' });
      try {
        await api(`/api/uploads?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
        this.#setSending(i, { file, state: 'stored' });
        this.#reloadList();
      } catch (error) {
        this.#setSending(i, { file, state: 'refused', error });
      }
    }
  }

  #setSending(index: number, sending: Sending): void {
    this.sending = this.sending.map((s, i) => (i === index ? sending : s));
  }

  async #delete(upload: Listed): Promise<void> {
    this.removal = { id: upload.id, state: 'busy' };
    try {
      await api(`/api/uploads/${upload.id}`, { method: 'DELETE' });
      this.removal = undefined;
      this.#reloadList();
    } catch (error) {
      this.removal = { id: upload.id, state: 'refused', error };
    }
  }

  override render(): TemplateResult {
    const busy = this.sending.some((s) => s.state === 'waiting' || s.state === 'sending');
    return html`
      ${this.canUpload
        ? html`<form class="inline" aria-label="Upload files" @submit=${this.#onSubmit}>
              <label>Files to upload (CSV) <input type="file" name="files" multiple required accept=".csv,text/csv" /></label>
              <button class="primary" type="submit" ?disabled=${busy}>Upload</button>
            </form>
            <p class="hint">Workflows read an uploaded file by its name (<code>source: "upload"</code>); a new upload of the same name replaces it for the next run.</p>
            ${this.#sendingList(busy)}`
        : nothing}
      <bw-list source="/api/uploads" label="Uploaded files" noun="uploaded files" paged .columns=${this.#columns()}></bw-list>
    `;
  }

  #sendingList(busy: boolean): TemplateResult | typeof nothing {
    if (this.sending.length === 0) return nothing;
    const state = (s: Sending) => {
      if (s.state === 'refused') return failure(s.error, 'Not uploaded');
      if (s.state === 'sending') return html`<span class="busy">uploading…</span>`;
      return s.state === 'stored' ? 'uploaded' : 'waiting';
    };
    return html`<ul class="sending" aria-label="Files being uploaded" aria-busy=${busy ? 'true' : 'false'}>
      ${this.sending.map((s) => html`<li><span class="name">${s.file.name}</span> (${describeBytes(s.file.size)}): ${state(s)}</li>`)}
    </ul>
    <p class="status" role="status">${busy ? 'Uploading…' : `Done: ${this.sending.filter((s) => s.state === 'stored').length} of ${this.sending.length} uploaded.`}</p>`;
  }

  #columns(): Column<Listed>[] {
    const columns: Column<Listed>[] = [
      { label: 'Name', cell: (u) => u.name },
      { label: 'Size', cell: (u) => describeBytes(u.size) },
      { label: 'Uploaded', cell: (u) => when(u.uploadedAt) },
      { label: 'By', cell: (u) => u.uploadedBy },
    ];
    if (!this.canUpload) return columns;
    return [...columns, { label: 'Actions', cell: (u) => this.#actions(u) }];
  }

  #actions(upload: Listed): TemplateResult {
    const removal = this.removal?.id === upload.id ? this.removal : undefined;
    return html`<button type="button" class="danger" aria-label="Delete: ${upload.name} (${upload.id})" ?disabled=${removal?.state === 'busy'} @click=${() => this.#delete(upload)}>Delete</button>
      ${removal?.state === 'refused' ? failure(removal.error, 'Not deleted') : nothing}`;
  }
}
