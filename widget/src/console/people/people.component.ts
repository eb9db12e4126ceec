import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { Role, UserListItem } from '../../../../server/people/users.ts';
import { api, type Wire } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';

type Person = Wire<UserListItem>;

/** The server's roles, least first (a value import of server code would bundle it). */
const roles = ['viewer', 'editor', 'admin'] as const satisfies readonly Role[];

/**
 * Settings → People, for admins: the users (GET /api/users), inviting one (POST /api/users: the
 * invitation is mailed), and changing a role or deactivating (PATCH /api/users/:id). A refusal shows
 * the server's error on the row or form that asked.
 *
 * @summary The people who may sign in, and their roles.
 */
export class PeopleElement extends LitElement {
  static override styles = shared;

  static override properties = { version: { state: true }, invite: { state: true }, rowErrors: { state: true } };

  declare version: number;
  declare invite: { state: 'busy' } | { state: 'sent'; email: string } | { state: 'refused'; error: unknown } | undefined;
  declare rowErrors: ReadonlyMap<number, unknown>;

  readonly #people = new Task(this, {
    task: (_args, { signal }) => api<{ items: Person[] }>('/api/users', { signal }),
    args: () => [this.version] as const,
  });

  constructor() {
    super();
    this.version = 0;
    this.invite = undefined;
    this.rowErrors = new Map();
  }

  async #onInvite(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const body = Object.fromEntries(new FormData(form));
    this.invite = { state: 'busy' };
    try {
      const { user } = await api<{ user: Person }>('/api/users', { method: 'POST', body });
      this.invite = { state: 'sent', email: user.email };
      form.reset();
      this.version++;
    } catch (error) {
      this.invite = { state: 'refused', error };
    }
  }

  async #change(person: Person, change: Partial<Pick<Person, 'role' | 'active'>>): Promise<void> {
    const errors = new Map(this.rowErrors);
    errors.delete(person.id);
    try {
      await api(`/api/users/${person.id}`, { method: 'PATCH', body: change });
      this.version++;
    } catch (error) {
      errors.set(person.id, error);
    }
    this.rowErrors = errors;
  }

  override render(): TemplateResult {
    return html`
      <h2>Invite someone</h2>
      <form class="inline" aria-label="Invite someone" @submit=${this.#onInvite}>
        <label>Email <input type="email" name="email" required /></label>
        <label>Name <input name="name" /></label>
        <label>Role <select name="role">${roles.map((r) => html`<option value=${r} ?selected=${r === 'viewer'}>${r}</option>`)}</select></label>
        <button class="primary" type="submit" ?disabled=${this.invite?.state === 'busy'}>Send the invitation</button>
      </form>
      ${this.invite?.state === 'sent' ? html`<p class="done" role="status">Invitation sent to ${this.invite.email}.</p>` : nothing}
      ${this.invite?.state === 'refused' ? failure(this.invite.error, 'Not invited') : nothing}
      <h2>People</h2>
      ${this.#people.render({
        pending: () => loading('the people'),
        error: (error) => failure(error, 'The people could not be read'),
        complete: ({ items }) => (items.length === 0 ? empty('No one yet.') : this.#table(items)),
      })}
    `;
  }

  #table(people: Person[]): TemplateResult {
    return html`<table>
      <caption>Everyone who may sign in or was invited</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Last signed in</th><th scope="col">Actions</th></tr></thead>
      <tbody>${people.map((p) => html`<tr>
        <td>${p.name}</td>
        <td>${p.email}</td>
        <td>
          <select aria-label="Role of ${p.email}" @change=${(e: Event) => this.#change(p, { role: (e.target as HTMLSelectElement).value as Person['role'] })}>
            ${roles.map((r) => html`<option value=${r} ?selected=${r === p.role}>${r}</option>`)}
          </select>
        </td>
        <td>${p.active ? (p.lastSignInAt ? 'active' : 'invited') : 'deactivated'}</td>
        <td>${when(p.lastSignInAt)}</td>
        <td>
          <button type="button" class=${p.active ? 'danger' : ''} aria-label="${p.active ? 'Deactivate' : 'Activate'}: ${p.email}" @click=${() => this.#change(p, { active: !p.active })}>${p.active ? 'Deactivate' : 'Activate'}</button>
          ${this.rowErrors.has(p.id) ? failure(this.rowErrors.get(p.id), 'Not changed') : nothing}
        </td>
      </tr>`)}</tbody>
    </table>`;
  }
}
