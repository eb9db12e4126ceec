import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { User } from '../../../../server/people/users.ts';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';

/**
 * The pages behind the one-time links that make an account: the first start's setup link
 * (/setup?token=, POST /api/setup/:token: email, name, password) and an invitation
 * (/invite?token=, POST /api/invitations/:token: name, password). Either signs the person in.
 *
 * @summary Creates the first admin, or accepts an invitation.
 * @attr kind - `setup` or `invite`.
 * @attr token - The link's token.
 * @event signed-in - The account exists and is signed in; `detail: { user }`.
 */
export class JoinElement extends LitElement {
  static override styles = shared;

  static override properties = { kind: { type: String }, token: { type: String }, busy: { state: true }, error: { state: true } };

  declare kind: 'setup' | 'invite';
  declare token: string;
  declare busy: boolean;
  declare error: unknown;

  readonly #link = new Task(this, {
    task: ([kind, token], { signal }) => api<{ valid?: true; email?: string; name?: string }>(`${this.#route(kind)}/${encodeURIComponent(token)}`, { signal }),
    args: () => [this.kind, this.token] as const,
  });

  constructor() {
    super();
    this.kind = 'setup';
    this.token = '';
    this.busy = false;
    this.error = undefined;
  }

  #route(kind: string): string {
    return kind === 'invite' ? '/api/invitations' : '/api/setup';
  }

  async #onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.target as HTMLFormElement));
    this.busy = true;
    this.error = undefined;
    try {
      const { user } = await api<{ user: User }>(`${this.#route(this.kind)}/${encodeURIComponent(this.token)}`, { method: 'POST', body: form });
      history.replaceState(null, '', '/');
      this.dispatchEvent(new CustomEvent('signed-in', { detail: { user }, bubbles: true, composed: true }));
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`${this.#link.render({
      pending: () => loading('the link'),
      error: (error) => failure(error, 'This link cannot be used (it expired, was used, or was replaced)'),
      complete: (link) => this.#form(link),
    })}`;
  }

  #form(link: { email?: string; name?: string }): TemplateResult {
    const invite = this.kind === 'invite';
    return html`<form class="fields" @submit=${this.#onSubmit}>
      ${invite
        ? html`<p>For <strong>${link.email}</strong>.</p>`
        : html`<label>Email <input type="email" name="email" autocomplete="username" required /></label>`}
      <label>Name <input name="name" autocomplete="name" .value=${link.name ?? ''} ?required=${!invite} /></label>
      <label>Password (12 characters or more) <input type="password" name="password" autocomplete="new-password" minlength="12" required /></label>
      ${this.error ? failure(this.error, 'Not saved') : nothing}
      <div><button class="primary" type="submit" ?disabled=${this.busy}>${invite ? 'Accept and sign in' : 'Create the admin and sign in'}</button></div>
    </form>`;
  }
}
