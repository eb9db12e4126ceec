import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { DirectoryAnswer } from '../../../../server/directory/answers.ts';
import type { ContactDetail } from '../../../../server/directory/contact.ts';
import { api, type Wire } from '../api.ts';
import { currentDirectory, inDirectory } from '../directory-scope.ts';
import { accountHref, personName } from '../pages/directory-pages.ts';
import { shared } from '../shared.styles.ts';
import { empty, failure, loading, when } from '../states.ts';

const skipReasons: Record<string, string> = { deleted: 'deleted from the directory', no_email: 'no valid email', opted_out: 'opted out' };

/** Answers in a table; `by` names a column for who (on an account) or for which account (on a contact). */
function answersTable(answers: Wire<DirectoryAnswer>[], caption: string, by: { label: string; cell: (a: Wire<DirectoryAnswer>) => unknown }): TemplateResult {
  return html`<table><caption>${caption}</caption>
    <thead><tr><th scope="col">Answered</th><th scope="col">Score</th><th scope="col">Comment</th><th scope="col">Survey</th><th scope="col">${by.label}</th></tr></thead>
    <tbody>${answers.map((a) => html`<tr id="answer-${a.id}" aria-current=${location.hash === `#answer-${a.id}` ? 'true' : nothing}><td>${when(a.respondedAt)}</td><td>${a.score}</td><td>${a.comment ?? ''}</td><td>${a.surveyName ?? 'imported'}</td><td>${by.cell(a)}</td></tr>`)}</tbody>
  </table>`;
}

/**
 * One contact (GET /api/contacts/:externalId): its account and client role, whether it opted out of
 * surveys, its mailing lists, the surveys sent to it and its answers.
 *
 * @summary A contact's detail.
 * @attr external-id - The contact's id in its source.
 */
export class ContactElement extends LitElement {
  static override styles = shared;

  static override properties = { externalId: { type: String, attribute: 'external-id' } };

  declare externalId: string;

  readonly #contact = new Task(this, {
    task: ([id], { signal }) => api<Wire<ContactDetail>>(inDirectory(`/api/contacts/${encodeURIComponent(id)}`), { signal }),
    args: () => [this.externalId, currentDirectory()] as const,
  });

  constructor() {
    super();
    this.externalId = '';
  }

  override updated(): void {
    // An alert links to one answer (#answer-<id>); the browser does not look for it inside a shadow root.
    const answer = /^#answer-\d+$/.test(location.hash) ? this.renderRoot.querySelector(location.hash) : null;
    answer?.scrollIntoView({ block: 'center' });
  }

  override render(): TemplateResult {
    return html`<p><a href=${inDirectory('/directory/contacts')}>All contacts</a></p>
      ${this.#contact.render({
        pending: () => loading('the contact'),
        error: (error) => failure(error, `Contact ${this.externalId} could not be read`),
        complete: (contact) => this.#detail(contact),
      })}`;
  }

  #detail(contact: Wire<ContactDetail>): TemplateResult {
    return html`
      <h2>${personName(contact) || contact.externalId}</h2>
      <table>
        <caption>The contact</caption>
        <tbody>
          <tr><th scope="row">External id</th><td>${contact.externalId}</td></tr>
          <tr><th scope="row">Email</th><td>${contact.email ?? 'none'}</td></tr>
          <tr><th scope="row">Account</th><td>${contact.account
            ? html`<a href=${accountHref(contact.account.externalId)}>${contact.account.displayName}</a>${contact.account.roleName ? ` (${contact.account.roleName})` : ''}`
            : 'none'}</td></tr>
          <tr><th scope="row">Surveys</th><td>${contact.optedOut ? 'opted out: sent no more surveys' : 'receives surveys'}</td></tr>
          <tr><th scope="row">Mailing lists</th><td>${contact.mailingLists.length
            ? contact.mailingLists.map((l, i) => html`${i ? ', ' : ''}<a href=${inDirectory(`/directory/mailing-lists/${l.id}`)}>${l.name}</a>`)
            : 'none'}</td></tr>
          <tr><th scope="row">Updated</th><td>${when(contact.updatedAt)}</td></tr>
          ${Object.entries(contact.attributes).map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value ?? ''}</td></tr>`)}
        </tbody>
      </table>
      <h2>Invitations</h2>
      ${contact.invitations.length === 0
        ? empty('No survey was sent to this contact.')
        : html`<table><caption>Surveys sent, newest first</caption>
            <thead><tr><th scope="col">Survey</th><th scope="col">Mailing list</th><th scope="col">To</th><th scope="col">State</th><th scope="col">Sent</th></tr></thead>
            <tbody>${contact.invitations.map((i) => html`<tr><td>${i.surveyName}</td><td>${i.mailingList}</td><td>${i.email ?? ''}</td>
              <td>${i.skipReason ? `skipped: ${skipReasons[i.skipReason]}` : i.state.replace('_', ' ')}</td><td>${when(i.sentAt ?? i.sendAt)}</td></tr>`)}</tbody>
          </table>`}
      <h2>Answers</h2>
      ${contact.answers.length === 0
        ? empty('This contact has not answered.')
        : answersTable(contact.answers, 'Answers, newest first', {
            label: 'For account',
            cell: (a) => (a.accountExternalId ? html`<a href=${accountHref(a.accountExternalId)}>${a.accountExternalId}</a>` : ''),
          })}
    `;
  }
}
