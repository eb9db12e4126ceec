// The sections that are lists of what a GET route answers (their builders are forms still to come).
import { html, type TemplateResult } from 'lit';
import type { AccountListItem, ContactListItem } from '../../../../server/directory/queries.ts';
import type { SftpConnection } from '../../../../core/connections/sftp.ts';
import type { SalesforceConnection } from '../../../../core/connections/salesforce.ts';
import type { Survey } from '../../../../core/surveys/queries.ts';
import type { WidgetConfig } from '../../../../server/widgets/config.ts';
import type { Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { when } from '../states.ts';

const accountColumns: Column<Wire<AccountListItem>>[] = [
  { label: 'Account', cell: (a) => html`<a href="/directory/accounts/${encodeURIComponent(a.externalId)}">${a.displayName}</a>` },
  { label: 'External id', cell: (a) => a.externalId },
  { label: 'Parent', cell: (a) => (a.parentExternalId ? html`<a href="/directory/accounts/${encodeURIComponent(a.parentExternalId)}">${a.parentExternalId}</a>` : '') },
  { label: 'Updated', cell: (a) => when(a.updatedAt) },
];

const contactColumns: Column<Wire<ContactListItem>>[] = [
  { label: 'Name', cell: (c) => [c.firstName, c.lastName].filter(Boolean).join(' ') },
  { label: 'Email', cell: (c) => c.email ?? '' },
  { label: 'External id', cell: (c) => c.externalId },
  {
    label: 'Accounts',
    cell: (c) => c.accounts.map((a, i) => html`${i ? ', ' : ''}<a href="/directory/accounts/${encodeURIComponent(a.externalId)}">${a.externalId}</a> (${a.roleName})`),
  },
];

function directoryTabs(current: 'accounts' | 'contacts'): TemplateResult {
  return html`<nav aria-label="Directory"><ul class="tabs">
    <li><a href="/directory" aria-current=${current === 'accounts' ? 'page' : 'false'}>Accounts</a></li>
    <li><a href="/directory/contacts" aria-current=${current === 'contacts' ? 'page' : 'false'}>Contacts</a></li>
  </ul></nav>`;
}

export function accountsPage(): TemplateResult {
  return html`${directoryTabs('accounts')}
    <bw-list source="/api/accounts" label="Accounts" noun="accounts" paged searchable .columns=${accountColumns}></bw-list>`;
}

export function contactsPage(): TemplateResult {
  return html`${directoryTabs('contacts')}
    <bw-list source="/api/contacts" label="Contacts" noun="contacts" paged searchable .columns=${contactColumns}></bw-list>`;
}

const sftpColumns: Column<Wire<SftpConnection>>[] = [
  { label: 'Name', cell: (c) => c.name },
  { label: 'Server', cell: (c) => `${c.username}@${c.host}:${c.port}` },
  { label: 'Signs in with', cell: (c) => (c.auth === 'password' ? 'a password' : 'a private key') },
  { label: 'Host key', cell: (c) => html`<code>${c.hostKeyFingerprint}</code>` },
];

const salesforceColumns: Column<Wire<SalesforceConnection>>[] = [
  { label: 'Name', cell: (c) => c.name },
  { label: 'Org', cell: (c) => c.instanceUrl },
  { label: 'Login', cell: (c) => `${c.flow} flow${c.username ? `, ${c.username}` : ''}` },
  { label: 'Connected', cell: (c) => when(c.createdAt) },
];

export function connectionsPage(): TemplateResult {
  return html`<h2>SFTP servers</h2>
    <bw-list source="/api/sftp-connections" label="SFTP connections" noun="SFTP connections" .columns=${sftpColumns}></bw-list>
    <h2>Salesforce orgs</h2>
    <bw-list source="/api/salesforce-connections" label="Salesforce connections" noun="Salesforce connections" .columns=${salesforceColumns}></bw-list>`;
}

const surveyColumns: Column<Wire<Survey>>[] = [
  { label: 'Name', cell: (s) => s.name },
  { label: 'Title', cell: (s) => s.title },
  { label: 'Extra questions', cell: (s) => String(s.extraQuestions.length) },
  { label: 'Updated', cell: (s) => when(s.updatedAt) },
];

export function surveysPage(): TemplateResult {
  return html`<bw-list source="/api/surveys" label="Surveys" noun="surveys" .columns=${surveyColumns}></bw-list>`;
}

const widgetColumns: Column<Wire<WidgetConfig>>[] = [
  { label: 'Name', cell: (w) => w.name },
  { label: 'Id', cell: (w) => String(w.id) },
  { label: 'Directory', cell: (w) => String(w.directoryId) },
  { label: 'Updated', cell: (w) => when(w.updatedAt) },
];

export function widgetsPage(): TemplateResult {
  return html`<bw-list source="/api/widget-configs" label="Widget configurations" noun="widget configurations" .columns=${widgetColumns}></bw-list>`;
}
