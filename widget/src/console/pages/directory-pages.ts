// The Directory section's list pages: accounts, contacts, mailing lists and attribute definitions,
// each behind the section's tabs (the hierarchy, an account and a contact are pages of their own).
import { html, type TemplateResult } from 'lit';
import type { AttributeDefinition } from '../../../../server/directory/attribute-definitions.ts';
import type { MailingList, MailingListMember } from '../../../../server/directory/mailing-lists.ts';
import type { AccountListItem, ContactListItem } from '../../../../server/directory/queries.ts';
import type { Wire } from '../api.ts';
import type { Column, SortOption } from '../list/list.component.ts';
import { inDirectory } from '../directory-scope.ts';
import { when } from '../states.ts';

export const accountHref = (externalId: string) => inDirectory(`/directory/accounts/${encodeURIComponent(externalId)}`);
export const contactHref = (externalId: string) => inDirectory(`/directory/contacts/${encodeURIComponent(externalId)}`);
const mailingListHref = (id: number | string) => inDirectory(`/directory/mailing-lists/${id}`);

export const personName = (c: { firstName: string | null; lastName: string | null }) => [c.firstName, c.lastName].filter(Boolean).join(' ');

const accountColumns: Column<Wire<AccountListItem>>[] = [
  { label: 'Account', cell: (a) => html`<a href=${accountHref(a.externalId)}>${a.displayName}</a>` },
  { label: 'External id', cell: (a) => a.externalId },
  { label: 'Parent', cell: (a) => (a.parentExternalId ? html`<a href=${accountHref(a.parentExternalId)}>${a.parentName ?? a.parentExternalId}</a>` : '') },
  { label: 'Updated', cell: (a) => when(a.updatedAt) },
];

const accountSorts: SortOption[] = [
  { value: 'name', label: 'Name, A to Z' },
  { value: '-name', label: 'Name, Z to A' },
  { value: 'externalId', label: 'External id' },
  { value: '-updated', label: 'Last changed, newest first' },
  { value: 'updated', label: 'Last changed, oldest first' },
];

const contactColumns: Column<Wire<ContactListItem>>[] = [
  { label: 'Name', cell: (c) => html`<a href=${contactHref(c.externalId)}>${personName(c) || c.externalId}</a>` },
  { label: 'Email', cell: (c) => c.email ?? '' },
  { label: 'External id', cell: (c) => c.externalId },
  {
    label: 'Accounts',
    cell: (c) => c.accounts.map((a, i) => html`${i ? ', ' : ''}<a href=${accountHref(a.externalId)}>${a.externalId}</a> (${a.roleName})`),
  },
  { label: 'Surveys', cell: (c) => (c.optedOut ? 'opted out' : '') },
];

const mailingListColumns: Column<Wire<MailingList>>[] = [
  { label: 'Name', cell: (l) => html`<a href=${mailingListHref(l.id)}>${l.name}</a>` },
  { label: 'Members', cell: (l) => l.members.toLocaleString() },
  { label: 'Created', cell: (l) => when(l.createdAt) },
];

const memberColumns: Column<Wire<MailingListMember>>[] = [
  { label: 'Contact', cell: (m) => (m.contact ? html`<a href=${contactHref(m.contactExternalId)}>${personName(m.contact) || m.contactExternalId}</a>` : html`${m.contactExternalId} (no longer in the directory)`) },
  { label: 'Email', cell: (m) => m.contact?.email ?? '' },
  { label: 'External id', cell: (m) => m.contactExternalId },
];

const attributeColumns: Column<Wire<AttributeDefinition>>[] = [
  { label: 'Name', cell: (a) => html`<code>${a.name}</code>` },
  { label: 'Type', cell: (a) => a.dataType },
  { label: 'Values', cell: (a) => a.enumValues?.join(', ') ?? '' },
  { label: 'Created', cell: (a) => when(a.createdAt) },
];

export type DirectoryTab = 'accounts' | 'hierarchy' | 'contacts' | 'mailing-lists' | 'attributes';

const tabs: [DirectoryTab, string, string][] = [
  ['accounts', 'Accounts', '/directory'],
  ['hierarchy', 'Hierarchy', '/directory/hierarchy'],
  ['contacts', 'Contacts', '/directory/contacts'],
  ['mailing-lists', 'Mailing lists', '/directory/mailing-lists'],
  ['attributes', 'Attributes', '/directory/attributes'],
];

export function directoryTabs(current: DirectoryTab): TemplateResult {
  return html`<nav aria-label="Directory"><ul class="tabs">
    ${tabs.map(([tab, name, path]) => html`<li><a href=${inDirectory(path)} aria-current=${tab === current ? 'page' : 'false'}>${name}</a></li>`)}
  </ul></nav>`;
}

export function accountsPage(): TemplateResult {
  return html`${directoryTabs('accounts')}
    <bw-list source=${inDirectory('/api/accounts')} label="Accounts" noun="accounts" paged searchable .sorts=${accountSorts} .columns=${accountColumns}></bw-list>`;
}

export function hierarchyPage(): TemplateResult {
  return html`${directoryTabs('hierarchy')}<bw-account-tree></bw-account-tree>`;
}

export function contactsPage(): TemplateResult {
  return html`${directoryTabs('contacts')}
    <bw-list source=${inDirectory('/api/contacts')} label="Contacts" noun="contacts" paged searchable .columns=${contactColumns}></bw-list>`;
}

export function mailingListsPage(): TemplateResult {
  return html`${directoryTabs('mailing-lists')}
    <bw-list source=${inDirectory('/api/mailing-lists')} label="Mailing lists" noun="mailing lists" .columns=${mailingListColumns}></bw-list>`;
}

export function mailingListPage(id: string): TemplateResult {
  return html`${directoryTabs('mailing-lists')}
    <p><a href=${inDirectory('/directory/mailing-lists')}>All mailing lists</a></p>
    <bw-list source=${inDirectory(`/api/mailing-lists/${id}/members`)} label="Members of mailing list ${id}" noun="members" paged .columns=${memberColumns}></bw-list>`;
}

export function attributesPage(): TemplateResult {
  return html`${directoryTabs('attributes')}
    <bw-list source=${inDirectory('/api/attribute-definitions')} label="Custom account attributes" noun="custom attributes" .columns=${attributeColumns}></bw-list>`;
}
