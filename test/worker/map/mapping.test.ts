import assert from 'node:assert/strict';
import type { MappingInput } from '../../../core/directory/mapping-input.ts';
import { defaultClientRoleValues, defaultManagementRoleValues } from '../../../core/directory/roles.ts';
import type { RecordSource, SourceKind, Sources } from '../../../core/records/source.ts';
import { resolveMapping, type Mapping } from '../../../worker/map/mapping.ts';
import { accountHeader, contactHeader, teamHeader } from '../../helpers/files.ts';

const names: Record<SourceKind, string> = { accounts: 'accounts.csv', contacts: 'contacts.csv', teamMembers: 'team.csv' };

function sources(columns: Partial<Record<SourceKind, readonly string[]>>): Sources {
  const entries = Object.entries(columns).map(([kind, cols]): [string, RecordSource] => [kind, { name: names[kind as SourceKind], columns: cols, items: (async function* () {})() }]);
  return Object.fromEntries(entries);
}

const contactFields = { contactExternalReferenceId: 'Id', firstName: 'FirstName', lastName: 'LastName', email: 'Email', isDeleted: 'IsDeleted' };
const accountFields = { accountExternalReferenceId: 'Id', displayName: 'Name', isDeleted: 'IsDeleted' };
const hierarchyFields = { accountExternalReferenceId: 'Id', accountParentExternalReferenceId: 'Parent.Id', isDeleted: 'IsDeleted' };
const clientRoleFields = { accountExternalReferenceId: 'Account.Id', roleName: 'Title', isDeleted: 'IsDeleted' };
const managementRoleFields = { accountExternalReferenceId: 'Account.Id', userEmail: 'User.Email', roleName: 'TeamMemberRole', isDeleted: 'IsDeleted' };
const none: Mapping = { contacts: null, accounts: null, hierarchy: null, clientRoles: null, managementRoles: null };

describe('resolving a mapping against the sources', () => {
  const cases: [string, MappingInput, Partial<Record<SourceKind, readonly string[]>>, Mapping][] = [
    [
      'fills every default in for the three files',
      {},
      { accounts: accountHeader, contacts: contactHeader, teamMembers: teamHeader },
      {
        contacts: { fields: contactFields, extra: {} },
        accounts: { fields: accountFields, attributes: [] },
        hierarchy: { fields: hierarchyFields },
        clientRoles: { fields: clientRoleFields, values: defaultClientRoleValues, other: null },
        managementRoles: { fields: managementRoleFields, values: defaultManagementRoleValues, other: null },
      },
    ],
    [
      'maps only what the files present feed',
      {},
      { accounts: accountHeader },
      { ...none, accounts: { fields: accountFields, attributes: [] }, hierarchy: { fields: hierarchyFields } },
    ],
    [
      'leaves out the hierarchy and the client roles when switched off, so their columns are not needed',
      { hierarchy: false, clientRoles: false },
      { accounts: ['Id', 'IsDeleted', 'Name'], contacts: ['Id', 'IsDeleted', 'Email', 'FirstName', 'LastName'] },
      { ...none, contacts: { fields: contactFields, extra: {} }, accounts: { fields: accountFields, attributes: [] } },
    ],
    [
      'takes the columns, attributes, extras and role values the admin maps, matching values on trimmed lower case',
      {
        contacts: { fields: { email: 'PersonEmail' }, extra: { segment: 'Segment__c' } },
        accounts: { fields: { displayName: 'AccountName' }, attributes: { tier: { source: 'Tier__c', type: 'Enum', values: ['Gold'] } } },
        clientRoles: { fields: { roleName: 'Role__c' }, values: { ' Head Buyer ': 'PROCUREMENT_FINANCE_PERSON' } },
        managementRoles: false,
      },
      {
        accounts: ['Id', 'IsDeleted', 'AccountName', 'Parent.Id', 'Tier__c'],
        contacts: ['Id', 'IsDeleted', 'Role__c', 'Account.Id', 'PersonEmail', 'FirstName', 'LastName', 'Segment__c'],
        teamMembers: teamHeader,
      },
      {
        contacts: { fields: { ...contactFields, email: 'PersonEmail' }, extra: { segment: 'Segment__c' } },
        accounts: { fields: { ...accountFields, displayName: 'AccountName' }, attributes: [{ name: 'tier', type: 'Enum', source: 'Tier__c', values: ['Gold'] }] },
        hierarchy: { fields: hierarchyFields },
        clientRoles: { fields: { ...clientRoleFields, roleName: 'Role__c' }, values: { ...defaultClientRoleValues, 'head buyer': 'PROCUREMENT_FINANCE_PERSON' }, other: null },
        managementRoles: null,
      },
    ],
  ];
  for (const [title, input, columns, expected] of cases) {
    it(title, () => assert.deepEqual(resolveMapping(input, sources(columns)), expected));
  }

  const refusals: [string, MappingInput, Partial<Record<SourceKind, readonly string[]>>, string[]][] = [
    [
      'names every missing column at once, with the field that needs it and the file',
      { contacts: { extra: { segment: 'Segment__c' } } },
      { contacts: ['Id', 'IsDeleted', 'Title', 'FirstName', 'LastName'], teamMembers: ['Account.Id', 'User.Email', 'IsDeleted'] },
      [
        'contacts.csv: missing column "Email" (mapped to contacts.email); the header has: Id, IsDeleted, Title, FirstName, LastName',
        'contacts.csv: missing column "Segment__c" (mapped to contacts.extra.segment); the header has: Id, IsDeleted, Title, FirstName, LastName',
        'contacts.csv: missing column "Account.Id" (mapped to clientRoles.accountExternalReferenceId); the header has: Id, IsDeleted, Title, FirstName, LastName',
        'team.csv: missing column "TeamMemberRole" (mapped to managementRoles.roleName); the header has: Account.Id, User.Email, IsDeleted',
      ],
    ],
    [
      'does not show a header that names none of the columns read, which may be no export at all',
      { hierarchy: false },
      { accounts: ['sk_live_0123456789abcdef'] },
      ['Id', 'Name', 'IsDeleted'].map((column) => {
        const field = { Id: 'accountExternalReferenceId', Name: 'displayName', IsDeleted: 'isDeleted' }[column];
        return `accounts.csv: missing column "${column}" (mapped to accounts.${field}); the header names none of the columns read, so it is not shown`;
      }),
    ],
  ];
  for (const [title, input, columns, problems] of refusals) {
    it(title, () => {
      assert.throws(() => resolveMapping(input, sources(columns)), { name: 'AppError', code: 'SOURCE_COLUMN_MISSING', message: problems.join('\n') });
    });
  }
});
