import { Task } from '@lit/task';
import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { isSalesforceRefusal, salesforceRefusals } from '../../../../server/people/salesforce-refusals.ts';
import type { User } from '../../../../server/people/users.ts';
import { api, ApiError } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';
import { styles } from './sign-in.styles.ts';

/**
 * The sign-in form (POST /api/session), and "Sign in with Salesforce" when the server offers it
 * (GET /api/session/methods). A refusal (a wrong password, too many tries) shows the server's code
 * and message under the form; one of Salesforce's comes back as `refused`, the reason the server named.
 *
 * @summary Signs a person in with an email and a password, or through Salesforce.
 * @event signed-in - The server accepted them; `detail: { user }`.
 */
export class SignInElement extends LitElement {
  static override styles = [shared, styles];

  static override properties = { busy: { state: true }, error: { state: true }, refused: { type: String } };

  declare busy: boolean;
  declare error: unknown;
  /** Why signing in with Salesforce came back here (`/sign-in?refused=`), if it did. */
  declare refused: string | null;

  readonly #methods = new Task(this, {
    task: (_args, { signal }) => api<{ password: true; salesforce: boolean }>('/api/session/methods', { signal }),
    args: () => [],
  });

  constructor() {
    super();
    this.busy = false;
    this.error = undefined;
    this.refused = null;
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
    const refusal = isSalesforceRefusal(this.refused) ? salesforceRefusals[this.refused] : undefined;
    return html`${refusal ? failure(new ApiError(refusal.code, refusal.message, 401), 'Not signed in with Salesforce') : nothing}
      <form class="fields" @submit=${this.#onSubmit}>
        <label>Email <input type="email" name="email" autocomplete="username" required /></label>
        <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
        ${this.error ? failure(this.error, 'Not signed in') : nothing}
        <div><button class="primary" type="submit" ?disabled=${this.busy}>Sign in</button></div>
      </form>
      ${this.#methods.render({
        error: (error) => failure(error, 'Other ways to sign in could not be read'),
        // A link, not a fetch: the browser itself goes to Salesforce's login page and back.
        complete: (methods) => (methods.salesforce ? html`<p class="other"><a class="button" href="/api/session/salesforce">Sign in with Salesforce</a></p>` : nothing),
      })}`;
  }
}
