import { LitElement, html, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { DirectoryAnswer } from '../../../../server/directory/answers.ts';
import type { AccountDetail } from '../../../../server/directory/queries.ts';
import { api, type Wire } from '../api.ts';
import { currentDirectory, inDirectory } from '../directory-scope.ts';
import type { Column } from '../list/list.component.ts';
import { accountHref, contactHref, personName } from '../pages/directory-pages.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';

const accountLink = (a: { externalId: string; displayName: string }) => html`<a href=${accountHref(a.externalId)}>${a.displayName}</a>`;

const answerColumns: Column<Wire<DirectoryAnswer>>[] = [
  { label: 'Answered', cell: (a) => when(a.respondedAt) },
  { label: 'Score', cell: (a) => String(a.score) },
  { label: 'Comment', cell: (a) => a.comment ?? '' },
  { label: 'Survey', cell: (a) => a.surveyName ?? 'imported' },
  { label: 'Contact', cell: (a) => (a.contactExternalId ? html`<a href=${contactHref(a.contactExternalId)}>${a.contactExternalId}</a>` : 'anonymous') },
];

/**
 * One account (GET /api/accounts/:externalId): its parent and children, its contacts' client roles,
 * its account team, its attributes, its NPS and its answers (a page at a time).
 *
 * @summary An account's detail.
 * @attr external-id - The account's id in its source.
 */
export class AccountElement extends LitElement {
  static override styles = shared;

  static override properties = { externalId: { type: String, attribute: 'external-id' } };

  declare externalId: string;

  readonly #account = new Task(this, {
    task: ([id], { signal }) => api<Wire<AccountDetail>>(inDirectory(`/api/accounts/${encodeURIComponent(id)}`), { signal }),
    args: () => [this.externalId, currentDirectory()] as const,
  });

  constructor() {
    super();
    this.externalId = '';
  }

  override render(): TemplateResult {
    return html`<p><a href=${inDirectory('/directory')}>All accounts</a></p>
      ${this.#account.render({
        pending: () => loading('the account'),
        error: (error) => failure(error, `Account ${this.externalId} could not be read`),
        complete: (account) => this.#detail(account),
      })}`;
  }

  #detail(account: Wire<AccountDetail>): TemplateResult {
    const attributes = Object.entries(account.attributes);
    const { nps } = account;
    const responses = nps.promoters + nps.passives + nps.detractors;
    return html`
      <h2>${account.displayName}</h2>
      <table>
        <caption>The account</caption>
        <tbody>
          <tr><th scope="row">External id</th><td>${account.externalId}</td></tr>
          <tr><th scope="row">Parent</th><td>${account.parent ? accountLink(account.parent) : 'none'}</td></tr>
          <tr><th scope="row">Children</th><td>${account.children.length ? account.children.map((c, i) => html`${i ? ', ' : ''}${accountLink(c)}`) : 'none'}</td></tr>
          <tr><th scope="row">Updated</th><td>${when(account.updatedAt)}</td></tr>
          ${attributes.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value ?? ''}</td></tr>`)}
        </tbody>
      </table>
      <h2>Contacts</h2>
      ${account.clientRoles.length === 0
        ? empty('No contacts hold a role at this account.')
        : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th></tr></thead><tbody>
            ${account.clientRoles.map((r) => html`<tr><td><a href=${contactHref(r.contactExternalId)}>${personName(r) || r.contactExternalId}</a></td><td>${r.email ?? ''}</td><td>${r.roleName}</td></tr>`)}
          </tbody></table>`}
      <h2>Account team</h2>
      ${account.managementRoles.length === 0
        ? empty('No one manages this account.')
        : html`<table><thead><tr><th scope="col">Email</th><th scope="col">Role</th></tr></thead><tbody>
            ${account.managementRoles.map((r) => html`<tr><td>${r.userEmail}</td><td>${r.roleName}</td></tr>`)}
          </tbody></table>`}
      <h2>NPS</h2>
      ${responses === 0
        ? empty('No one has answered for this account yet.')
        : html`<p>NPS <strong>${nps.score}</strong> over ${responses} answers: ${nps.promoters} promoters, ${nps.passives} passives, ${nps.detractors} detractors.</p>
            <bw-list source=${inDirectory(`/api/accounts/${encodeURIComponent(account.externalId)}/answers`)} label="Answers, newest first" noun="answers" paged .columns=${answerColumns}></bw-list>`}
    `;
  }
}
