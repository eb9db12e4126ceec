import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { SalesforceConnection } from '../../../../core/connections/salesforce.ts';
import type { SftpConnection } from '../../../../core/connections/sftp.ts';
import { api, ApiError, describeError, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';
import { connectionStyles } from './connections.styles.ts';

type Kind = 'sftp' | 'salesforce';
const paths = { sftp: '/api/sftp-connections', salesforce: '/api/salesforce-connections' } as const;

/** What one row is doing: renaming, confirming a removal, told which workflows the removal breaks, or refused. */
type Pending =
  | { kind: Kind; id: number; state: 'renaming' | 'confirming' }
  | { kind: Kind; id: number; state: 'in-use' | 'refused'; error: unknown; action: string };

/**
 * Connections: the SFTP servers and Salesforce orgs that workflows read from. Admins add an SFTP
 * server (tested, its host key trusted, before it is saved), edit it (a new key trusted there),
 * connect an org and rename or remove either. Removing one that workflows read from is refused
 * first, naming them; the admin may then remove it anyway, which breaks those workflows. Editors
 * see the connections, never their secrets.
 *
 * @summary The SFTP and Salesforce connections, and their forms.
 * @attr can-edit - The user may add, change and remove connections (admins).
 * @attr connected - The id of the org just connected through the Salesforce login.
 * @attr refused-code - The error code the Salesforce login was refused with (and `refused-message`).
 */
export class ConnectionsElement extends LitElement {
  static override styles = [shared, connectionStyles];

  static override properties = {
    canEdit: { type: Boolean, attribute: 'can-edit' },
    connected: { type: String },
    refusedCode: { type: String, attribute: 'refused-code' },
    refusedMessage: { type: String, attribute: 'refused-message' },
    versions: { state: true },
    editing: { state: true },
    pending: { state: true },
  };

  declare canEdit: boolean;
  declare connected: string;
  declare refusedCode: string;
  declare refusedMessage: string;
  declare versions: Record<Kind, number>;
  /** The SFTP connection in the form: `new`, or the id of the one edited. */
  declare editing: 'new' | number | undefined;
  declare pending: Pending | undefined;

  readonly #sftp = new Task(this, {
    task: (_args, { signal }) => api<{ items: Wire<SftpConnection>[] }>(paths.sftp, { signal }),
    args: () => [this.versions.sftp] as const,
  });

  readonly #salesforce = new Task(this, {
    task: (_args, { signal }) => api<{ items: Wire<SalesforceConnection>[] }>(paths.salesforce, { signal }),
    args: () => [this.versions.salesforce] as const,
  });

  constructor() {
    super();
    this.canEdit = false;
    this.connected = '';
    this.refusedCode = '';
    this.refusedMessage = '';
    this.versions = { sftp: 0, salesforce: 0 };
    this.editing = undefined;
    this.pending = undefined;
  }

  #reload(kind: Kind): void {
    this.versions = { ...this.versions, [kind]: this.versions[kind] + 1 };
  }

  async #remove(kind: Kind, id: number, force: boolean): Promise<void> {
    try {
      await api(`${paths[kind]}/${id}${force ? '?force=true' : ''}`, { method: 'DELETE' });
      this.pending = undefined;
      this.#reload(kind);
    } catch (error) {
      const inUse = describeError(error).code === 'CONFLICT';
      this.pending = { kind, id, state: inUse ? 'in-use' : 'refused', error, action: 'Not removed' };
    }
  }

  async #rename(event: SubmitEvent, kind: Kind, id: number): Promise<void> {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(event.target as HTMLFormElement));
    try {
      await api(`${paths[kind]}/${id}`, { method: 'PATCH', body });
      this.pending = undefined;
      this.#reload(kind);
    } catch (error) {
      this.pending = { kind, id, state: 'refused', error, action: 'Not renamed' };
    }
  }

  #saved(): void {
    this.editing = undefined;
    this.#reload('sftp');
  }

  override render(): TemplateResult {
    return html`
      <section aria-labelledby="sftp-heading">
        <h2 id="sftp-heading">SFTP servers</h2>
        ${this.canEdit && this.editing === undefined
          ? html`<div class="actions"><button type="button" class="primary" @click=${() => (this.editing = 'new')}>Add an SFTP server</button></div>`
          : nothing}
        ${this.editing === 'new' ? this.#form(undefined) : nothing}
        ${this.#sftp.render({
          pending: () => loading('the SFTP connections'),
          error: (error) => failure(error, 'The SFTP connections could not be read'),
          complete: ({ items }) => (items.length === 0 ? empty('No SFTP connections yet.') : this.#sftpTable(items)),
        })}
      </section>
      <section aria-labelledby="salesforce-heading">
        <h2 id="salesforce-heading">Salesforce orgs</h2>
        ${this.canEdit ? html`<bw-salesforce-connect
              .loginRefusal=${this.refusedCode ? new ApiError(this.refusedCode, this.refusedMessage, 0) : undefined}
              @saved=${() => this.#reload('salesforce')}></bw-salesforce-connect>` : nothing}
        ${this.#salesforce.render({
          pending: () => loading('the Salesforce connections'),
          error: (error) => failure(error, 'The Salesforce connections could not be read'),
          complete: ({ items }) => html`${this.#connectedNote(items)}${items.length === 0 ? empty('No Salesforce connections yet.') : this.#salesforceTable(items)}`,
        })}
      </section>
    `;
  }

  #form(connection: Wire<SftpConnection> | undefined): TemplateResult {
    return html`<bw-sftp-form .connection=${connection} @saved=${this.#saved} @cancel=${() => (this.editing = undefined)}></bw-sftp-form>`;
  }

  #connectedNote(items: Wire<SalesforceConnection>[]): TemplateResult | typeof nothing {
    const org = items.find((c) => String(c.id) === this.connected);
    return org ? html`<p class="done" role="status">Connected “${org.name}”.</p>` : nothing;
  }

  #sftpTable(items: Wire<SftpConnection>[]): TemplateResult {
    return html`<table>
      <caption>SFTP connections</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Server</th><th scope="col">Signs in with</th><th scope="col">Trusted host key</th>${this.canEdit ? html`<th scope="col">Actions</th>` : nothing}</tr></thead>
      <tbody>${items.map((c) => html`<tr>
        <td>${c.name}</td>
        <td>${c.username}@${c.host}:${c.port}</td>
        <td>${c.auth === 'password' ? 'a password' : 'a private key'}</td>
        <td><code>${c.hostKeyFingerprint}</code></td>
        ${this.canEdit ? html`<td>${this.editing === c.id ? this.#form(c) : this.#actions('sftp', c, html`<button type="button" aria-label="Edit: ${c.name}" @click=${() => (this.editing = c.id)}>Edit</button>`)}</td>` : nothing}
      </tr>`)}</tbody>
    </table>`;
  }

  #salesforceTable(items: Wire<SalesforceConnection>[]): TemplateResult {
    return html`<table>
      <caption>Salesforce connections</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Instance</th><th scope="col">Login</th><th scope="col">Now</th><th scope="col">Connected</th>${this.canEdit ? html`<th scope="col">Actions</th>` : nothing}</tr></thead>
      <tbody>${items.map((c) => {
        const renaming = this.pending?.kind === 'salesforce' && this.pending.id === c.id && this.pending.state === 'renaming';
        return html`<tr>
          <td>${renaming
            ? html`<form class="inline" aria-label="Rename ${c.name}" @submit=${(e: SubmitEvent) => this.#rename(e, 'salesforce', c.id)}>
                <label>New name <input name="name" required .value=${c.name} /></label>
                <button type="submit">Save</button>
                <button type="button" @click=${() => (this.pending = undefined)}>Keep the name</button>
              </form>`
            : c.name}</td>
          <td>${c.instanceUrl}</td>
          <td>${{ web: 'Salesforce login', jwt: 'JWT bearer', password: 'username and password' }[c.flow]}</td>
          <td><bw-salesforce-usage connection-id=${c.id}></bw-salesforce-usage></td>
          <td>${when(c.createdAt)}</td>
          ${this.canEdit ? html`<td>${this.#actions('salesforce', c, html`<button type="button" aria-label="Rename: ${c.name}" @click=${() => (this.pending = { kind: 'salesforce', id: c.id, state: 'renaming' })}>Rename</button>`)}</td>` : nothing}
        </tr>`;
      })}</tbody>
    </table>`;
  }

  /** A row's change button, Remove, and the removal's confirmation: first to confirm, then naming the workflows it breaks. */
  #actions(kind: Kind, connection: { id: number; name: string }, change: TemplateResult): TemplateResult {
    const { id, name } = connection;
    const pending = this.pending?.kind === kind && this.pending.id === id ? this.pending : undefined;
    if (pending?.state === 'confirming') {
      return html`<div role="alertdialog" aria-labelledby="confirm-${kind}-${id}">
        <p id="confirm-${kind}-${id}">Remove “${name}”? Its secrets are deleted.</p>
        <div class="actions">
          <button type="button" class="danger" @click=${() => this.#remove(kind, id, false)}>Remove it</button>
          <button type="button" @click=${() => (this.pending = undefined)}>Keep it</button>
        </div>
      </div>`;
    }
    if (pending?.state === 'in-use') {
      return html`<div role="alertdialog" aria-labelledby="in-use-${kind}-${id}">
        <div id="in-use-${kind}-${id}">${failure(pending.error, 'Workflows read from it')}</div>
        <div class="actions">
          <button type="button" class="danger" @click=${() => this.#remove(kind, id, true)}>Remove it and break them</button>
          <button type="button" @click=${() => (this.pending = undefined)}>Keep it</button>
        </div>
      </div>`;
    }
    return html`<div class="actions">
        ${change}
        <button type="button" class="danger" aria-label="Remove: ${name}" @click=${() => (this.pending = { kind, id, state: 'confirming' })}>Remove</button>
      </div>
      ${pending?.state === 'refused' ? failure(pending.error, pending.action) : nothing}`;
  }
}
