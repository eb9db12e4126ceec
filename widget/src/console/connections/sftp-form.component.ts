import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { SftpConnection, SftpTestResult } from '../../../../core/connections/sftp.ts';
import { api, describeError, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';
import { connectionStyles } from './connections.styles.ts';

type Field = 'name' | 'host' | 'secret' | 'hostKey' | 'form';

/** Which field a refusal is about, so that it shows next to it. */
const fieldOf: Record<string, Field> = { CONFLICT: 'name', SOURCE_UNREACHABLE: 'host', SFTP_LOGIN_REFUSED: 'secret', HOST_KEY_MISMATCH: 'hostKey' };

/** The form's values as the API takes them (empty secrets left out: on an edit they keep the stored ones). */
type Values = { name: string; host: string; port: number; username: string; password?: string; privateKey?: string; passphrase?: string; folder: string };

/**
 * Adds or edits an SFTP connection as `ssh` would connect: Test connection shows the server's host
 * key fingerprint; once the admin trusts it, testing logs in and lists the folder; Save tests again
 * on the server before it stores anything. Editing a connection whose server key changed on purpose
 * shows the new fingerprint next to the trusted one, to trust it.
 *
 * @summary The form that tests, trusts and saves an SFTP connection.
 * @fires saved - The connection was stored (detail: the connection).
 * @fires cancel - The admin closed the form.
 */
export class SftpFormElement extends LitElement {
  static override styles = [shared, connectionStyles];

  static override properties = {
    connection: { attribute: false },
    auth: { state: true },
    trusted: { state: true },
    tested: { state: true },
    busy: { state: true },
    refusal: { state: true },
  };

  /** The connection edited; none for a new one. */
  declare connection: Wire<SftpConnection> | undefined;
  declare auth: 'password' | 'privateKey';
  /** The fingerprint the admin trusts: the stored one, or one a test showed and the admin accepted. */
  declare trusted: string | undefined;
  declare tested: Wire<SftpTestResult> | undefined;
  declare busy: 'testing' | 'saving' | undefined;
  declare refusal: { field: Field; error: unknown } | undefined;

  constructor() {
    super();
    this.connection = undefined;
    this.auth = 'password';
    this.trusted = undefined;
    this.tested = undefined;
    this.busy = undefined;
    this.refusal = undefined;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('connection') && this.connection) {
      this.auth = this.connection.auth;
      this.trusted = this.connection.hostKeyFingerprint;
    }
  }

  #values(): Values {
    const form = new FormData(this.renderRoot.querySelector('form')!);
    const text = (name: string) => String(form.get(name) ?? '');
    const secret = (name: string) => (text(name) === '' ? {} : { [name]: text(name) });
    return {
      name: text('name'), host: text('host'), port: Number(text('port')), username: text('username'), folder: text('folder') || '.',
      ...(this.auth === 'password' ? secret('password') : { ...secret('privateKey'), ...secret('passphrase') }),
    };
  }

  /** What changed against the stored connection (all of it for a new one), with the fingerprint trusted. */
  #body(): Record<string, unknown> {
    const { folder: _folder, ...values } = this.#values();
    const stored = this.connection;
    const fields = stored ? Object.fromEntries(Object.entries(values).filter(([key, value]) => stored[key as keyof typeof stored] !== value)) : values;
    const key = this.trusted !== undefined && this.trusted !== stored?.hostKeyFingerprint ? { hostKeyFingerprint: this.trusted } : {};
    return { ...fields, ...key };
  }

  async #test(): Promise<void> {
    this.busy = 'testing';
    this.refusal = undefined;
    try {
      const body = { ...(this.connection ? { id: this.connection.id } : {}), ...this.#body(), folder: this.#values().folder };
      this.tested = await api<Wire<SftpTestResult>>('/api/sftp-connections/test', { method: 'POST', body });
    } catch (error) {
      this.#refuse(error);
    } finally {
      this.busy = undefined;
    }
  }

  async #trust(fingerprint: string): Promise<void> {
    this.trusted = fingerprint;
    await this.#test();
  }

  async #save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.busy = 'saving';
    this.refusal = undefined;
    try {
      const saved = this.connection
        ? await api<Wire<SftpConnection>>(`/api/sftp-connections/${this.connection.id}`, { method: 'PATCH', body: this.#body() })
        : await api<Wire<SftpConnection>>('/api/sftp-connections', { method: 'POST', body: { ...this.#body(), hostKeyFingerprint: this.trusted } });
      this.dispatchEvent(new CustomEvent('saved', { detail: saved, bubbles: true, composed: true }));
    } catch (error) {
      this.#refuse(error);
    } finally {
      this.busy = undefined;
    }
  }

  #refuse(error: unknown): void {
    this.refusal = { field: fieldOf[describeError(error).code] ?? 'form', error };
  }

  #error(field: Field): TemplateResult | typeof nothing {
    return this.refusal?.field === field ? failure(this.refusal.error) : nothing;
  }

  override render(): TemplateResult {
    const c = this.connection;
    const editing = c !== undefined;
    const keep = editing ? ' (empty: keep the stored one)' : '';
    return html`<form class="fields" aria-label=${editing ? `Edit ${c.name}` : 'Add an SFTP server'} @submit=${this.#save}>
      <label>Name <input name="name" required .value=${c?.name ?? ''} /></label>
      ${this.#error('name')}
      <label>Host <input name="host" required .value=${c?.host ?? ''} /></label>
      <label>Port <input name="port" type="number" min="1" max="65535" required .value=${String(c?.port ?? 22)} /></label>
      ${this.#error('host')}
      <label>User <input name="username" required autocomplete="off" .value=${c?.username ?? ''} /></label>
      <fieldset>
        <legend>Signs in with</legend>
        <label class="choice"><input type="radio" name="auth" value="password" .checked=${this.auth === 'password'} @change=${() => (this.auth = 'password')} /> A password</label>
        <label class="choice"><input type="radio" name="auth" value="privateKey" .checked=${this.auth === 'privateKey'} @change=${() => (this.auth = 'privateKey')} /> A private key</label>
      </fieldset>
      ${this.auth === 'password'
        ? html`<label>Password${keep} <input name="password" type="password" autocomplete="new-password" ?required=${!editing || c.auth !== 'password'} /></label>`
        : html`<label>Private key (OpenSSH or PEM)${keep} <textarea name="privateKey" rows="4" ?required=${!editing || c.auth !== 'privateKey'}></textarea></label>
            <label>Passphrase (if the key has one) <input name="passphrase" type="password" autocomplete="off" /></label>`}
      ${this.#error('secret')}
      <label>Folder to list <input name="folder" placeholder="." /></label>
      <p>Trusted host key: ${this.trusted ? html`<code>${this.trusted}</code>` : 'none yet: test the connection to see the server’s'}</p>
      ${this.#result()}
      ${this.#error('hostKey')}
      ${this.#error('form')}
      <div class="actions">
        <button type="button" ?disabled=${this.busy !== undefined} @click=${this.#test}>${this.busy === 'testing' ? 'Testing…' : 'Test connection'}</button>
        <button type="submit" class="primary" ?disabled=${this.busy !== undefined || this.trusted === undefined}>${this.busy === 'saving' ? 'Saving…' : 'Save'}</button>
        <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('cancel', { bubbles: true, composed: true }))}>Cancel</button>
      </div>
    </form>`;
  }

  #result(): TemplateResult | typeof nothing {
    const t = this.tested;
    if (!t) return nothing;
    if (!t.trusted) {
      return html`<div class="finding" role="status">
        <p>The server presents the host key <code>${t.hostKeyFingerprint}</code>.
          ${this.trusted ? html`The connection trusts <code>${this.trusted}</code>: if the server’s key changed on purpose, trust the new one.` : 'Compare it with the one your server’s administrator gives you before you trust it.'}</p>
        <button type="button" @click=${() => this.#trust(t.hostKeyFingerprint)}>Trust ${t.hostKeyFingerprint}</button>
      </div>`;
    }
    return html`<div class="finding" role="status">
      <p class="done">Logged in. ${t.entries.length === 0 ? html`<code>${t.folder}</code> is empty.` : html`<code>${t.folder}</code> holds:`}</p>
      ${t.entries.length === 0 ? nothing : html`<ul>${t.entries.map((e) => html`<li>${e.name}${e.type === 'folder' ? '/' : ''}${e.type === 'file' ? ` (${e.size} bytes)` : ''}</li>`)}</ul>`}
      ${t.moreEntries > 0 ? html`<p>and ${t.moreEntries} more.</p>` : nothing}
    </div>`;
  }
}
