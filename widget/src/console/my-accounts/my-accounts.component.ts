import { LitElement, html, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';

type Scope = { configId: number; token: string; expiresAt: string };

/**
 * My accounts: the <strategic-accounts> element on the accounts where the signed-in user's email
 * holds an account management role, with the embed token GET /api/me/accounts issues for it. The
 * element's script is a chunk of its own, loaded on this page only.
 *
 * @summary The signed-in user's own strategic accounts.
 */
export class MyAccountsElement extends LitElement {
  static override styles = shared;

  readonly #scope = new Task(this, {
    task: async (_args, { signal }) => {
      const [scope] = await Promise.all([api<Scope>('/api/me/accounts', { signal }), import('../../strategic-accounts.ts')]);
      return scope;
    },
    args: () => [] as const,
  });

  override render(): TemplateResult {
    return html`${this.#scope.render({
      pending: () => loading('your accounts'),
      error: (error) => failure(error, 'Your accounts could not be read'),
      complete: (scope) => html`<p>The accounts whose account team you are on.</p>
        <strategic-accounts config=${String(scope.configId)} token=${scope.token}></strategic-accounts>`,
    })}`;
  }
}
