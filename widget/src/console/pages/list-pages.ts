// The sections that are lists of what a GET route answers (their builders are forms still to come).
import { html, type TemplateResult } from 'lit';
import type { AccountListItem, ContactListItem } from '../../../../server/directory/queries.ts';
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
