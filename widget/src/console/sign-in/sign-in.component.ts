import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { User } from '../../../../server/people/users.ts';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';

/**
 * The sign-in form (POST /api/session). A refusal (a wrong password, too many tries) shows the
 * server's code and message under the form.
 *
 * @summary Signs a person in with an email and a password.
 * @event signed-in - The server accepted them; `detail: { user }`.
 */
export class SignInElement extends LitElement {
  static override styles = shared;

  static override properties = { busy: { state: true }, error: { state: true } };

  declare busy: boolean;
  declare error: unknown;

  constructor() {
    super();
    this.busy = false;
    this.error = undefined;
  }

  async #onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.error = undefined;
    try {
      const { user } = await api<{ user: User }>('/api/session', { method: 'POST', body: { email: form.get('email'), password: form.get('password') } });
      this.dispatchEvent(new CustomEvent('signed-in', { detail: { user }, bubbles: true, composed: true }));
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`<form class="fields" @submit=${this.#onSubmit}>
      <label>Email <input type="email" name="email" autocomplete="username" required /></label>
      <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
      ${this.error ? failure(this.error, 'Not signed in') : nothing}
      <div><button class="primary" type="submit" ?disabled=${this.busy}>Sign in</button></div>
    </form>`;
  }
}
