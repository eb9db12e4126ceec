import assert from 'node:assert/strict';
import type { MappingInput } from '../../../core/directory/mapping-input.ts';
import type { RawRecord, RecordSource, SourceKind } from '../../../core/records/source.ts';
import { resolveMapping, type Mapping } from '../../../worker/map/mapping.ts';
import { mapAccount, mapContact, mapManagementRole, type Mapped } from '../../../worker/map/records.ts';
import type { RowError } from '../../../worker/map/row-error.ts';
import { accountHeader, contactHeader, teamHeader } from '../../helpers/files.ts';

/*
 * One line per source row: the values it carries, then the directory row it becomes or the row
 * error that keeps it out. No database: mapping is pure.
 */

const files: Record<SourceKind, string> = { accounts: 'accounts.csv', contacts: 'contacts.csv', teamMembers: 'team.csv' };

function mappingFor(kind: SourceKind, columns: readonly string[], input: MappingInput = {}): Mapping {
  const source: RecordSource = { name: files[kind], columns, items: (async function* () {})() };
  return resolveMapping(input, { [kind]: source });
}

function recordsOf(kind: SourceKind, columns: readonly string[], rows: readonly (readonly string[])[]): RawRecord[] {
  return rows.map((row, i) => ({
    kind: 'record',
    origin: { source: files[kind], line: i + 2 },
    values: Object.fromEntries(columns.map((column, c) => [column, row[c] ?? ''])),
  }));
}

function assertLines<R>(records: RawRecord[], map: (record: RawRecord) => Mapped<R>, expected: readonly NoInfer<Mapped<R>>[]): void {
  assert.equal(records.length, expected.length, 'one expectation per line');
  records.forEach((record, i) => assert.deepEqual(map(record), expected[i], `line ${record.origin.line}`));
}

const ok = <const R>(row: R, warnings: RowError[] = []): Mapped<R> => ({ ok: true, row, warnings });
const origin = (source: string, line: number) => ({ source, line });

describe('mapping account records', () => {
  const columns = [...accountHeader, 'Tier__c', 'ARR__c'];
  const input: MappingInput = {
    accounts: { attributes: { tier: { source: 'Tier__c', type: 'Enum', values: ['Gold', 'Silver'] }, arr: { source: 'ARR__c', type: 'Decimal' } } },
  };
  const error = (line: number, recordId: string | null, field: string, code: string, message: string): Mapped<never> => ({
    ok: false,
    error: { object: 'accounts', origin: origin('accounts.csv', line), recordId, field, code, message },
  });

  it('maps each line to an account with its parent and typed attributes, or to the row error that keeps it out', () => {
    const mapping = mappingFor('accounts', columns, input);
    const records = recordsOf('accounts', columns, [
      ['001A', 'false', 'Acme Holding', '', 'Gold', '1500.50'],
      [' 001B ', '0', ' Acme Europe ', '001A', '', ''],
      ['001C', 'TRUE', '', '001A', 'Bronze', 'lots'],
      ['', 'false', 'No Id', '', '', ''],
      ['001E', 'yes', 'Maybe', '', '', ''],
      ['001F', 'false', '  ', '', '', ''],
      ['001G', 'false', 'Bronze Inc', '', 'Bronze', ''],
      ['001H', '', 'Lots Inc', '', '', 'lots'],
    ]);
    assertLines(records, (r) => mapAccount(r, mapping.accounts!, mapping.hierarchy), [
      ok({ line: 2, externalId: '001A', displayName: 'Acme Holding', attributes: { tier: 'Gold', arr: '1500.5' }, isDeleted: false, parentExternalId: null }),
      // A name keeps the spaces the source gives it; a Decimal is stored in one spelling.
      ok({ line: 3, externalId: '001B', displayName: ' Acme Europe ', attributes: { tier: null, arr: null }, isDeleted: false, parentExternalId: '001A' }),
      // A deleted account needs only its key, and leaves the hierarchy with it.
      ok({ line: 4, externalId: '001C', displayName: '', attributes: {}, isDeleted: true, parentExternalId: null }),
      error(5, null, 'Id', 'REQUIRED_VALUE', 'Id is empty'),
      error(6, '001E', 'IsDeleted', 'INVALID_BOOLEAN', 'IsDeleted "yes" is not true or false'),
      error(7, '001F', 'Name', 'REQUIRED_VALUE', 'Name is empty'),
      error(8, '001G', 'Tier__c', 'INVALID_ATTRIBUTE', 'tier: value "Bronze" is not one of "Gold", "Silver"'),
      error(9, '001H', 'ARR__c', 'INVALID_ATTRIBUTE', 'arr: value "lots" is not a Decimal'),
    ]);
  });

  it('leaves the parent out when the hierarchy is not mapped', () => {
    const mapping = mappingFor('accounts', ['Id', 'IsDeleted', 'Name'], { hierarchy: false });
    const records = recordsOf('accounts', ['Id', 'IsDeleted', 'Name'], [
      ['001A', 'false', 'Acme Holding'],
      ['001B', 'true', ''],
    ]);
    assertLines(records, (r) => mapAccount(r, mapping.accounts!, mapping.hierarchy), [
      ok({ line: 2, externalId: '001A', displayName: 'Acme Holding', attributes: {}, isDeleted: false }),
      ok({ line: 3, externalId: '001B', displayName: '', attributes: {}, isDeleted: true }),
    ]);
  });
});

describe('mapping contact records', () => {
  const columns = [...contactHeader, 'Segment__c'];
  const input: MappingInput = { contacts: { extra: { segment: 'Segment__c' } }, clientRoles: { values: { ' Head Buyer ': 'PROCUREMENT_FINANCE_PERSON' } } };
  const error = (line: number, recordId: string | null, field: string, code: string, message: string): Mapped<never> => ({
    ok: false,
    error: { object: 'contacts', origin: origin('contacts.csv', line), recordId, field, code, message },
  });
  const contact = { firstName: null, lastName: null, email: null, isDeleted: false };

  it('maps each line to a contact with its client role, a warning when the title has no role, or the row error that keeps it out', () => {
    const mapping = mappingFor('contacts', columns, input);
    const records = recordsOf('contacts', columns, [
      // Id, IsDeleted, Title, Account.Id, Email, FirstName, LastName, Segment__c
      ['003A', 'false', 'Decision Maker', '001A', 'ada@acme.example', 'Ada', 'Lovelace', 'SMB'],
      ['003B', '', 'head buyer', '001A', '', ' ', '', ''],
      ['003C', 'false', 'CEO', '001B', 'cy@zeta.example', 'Cy', 'Young', ''],
      ['003D', 'true', '', '', 'not an address', '', '', ''],
      ['', 'false', 'Influencer', '001A', '', '', '', ''],
      ['003F', 'false', 'Influencer', '001A', 'bob@acme', 'Bob', '', ''],
      ['003G', 'false', 'Influencer', '', 'gus@acme.example', 'Gus', '', ''],
      ['003H', 'nope', 'Influencer', '001A', '', '', '', ''],
    ]);
    assertLines(records, (r) => mapContact(r, mapping.contacts!, mapping.clientRoles), [
      ok({
        line: 2, externalId: '003A', ...contact, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.example', attributes: { segment: 'SMB' },
        clientRole: { accountExternalId: '001A', roleName: 'DECISION_MAKER' },
      }),
      ok({ line: 3, externalId: '003B', ...contact, attributes: { segment: null }, clientRole: { accountExternalId: '001A', roleName: 'PROCUREMENT_FINANCE_PERSON' } }),
      ok(
        { line: 4, externalId: '003C', ...contact, firstName: 'Cy', lastName: 'Young', email: 'cy@zeta.example', attributes: { segment: null }, clientRole: { accountExternalId: '001B', roleName: null } },
        [{ object: 'clientRoles', origin: origin('contacts.csv', 4), recordId: '003C', field: 'Title', code: 'UNMAPPED_ROLE', message: 'Title "CEO" has no client role in the value mapping' }],
      ),
      // A deleted contact needs only its key.
      ok({ line: 5, externalId: '003D', ...contact, attributes: {}, isDeleted: true }),
      error(6, null, 'Id', 'REQUIRED_VALUE', 'Id is empty'),
      error(7, '003F', 'Email', 'INVALID_EMAIL', 'Email "bob@acme" is not a valid email address'),
      // A contact without an account is still a contact: only its client role is left out.
      ok(
        { line: 8, externalId: '003G', ...contact, firstName: 'Gus', email: 'gus@acme.example', attributes: { segment: null }, clientRole: { accountExternalId: null, roleName: null } },
        [{ object: 'clientRoles', origin: origin('contacts.csv', 8), recordId: '003G', field: 'Account.Id', code: 'NO_ACCOUNT', message: 'Account.Id is empty: the contact loads without a client role' }],
      ),
      error(9, '003H', 'IsDeleted', 'INVALID_BOOLEAN', 'IsDeleted "nope" is not true or false'),
    ]);
  });

  it('needs no account and gives no role when client roles are not mapped', () => {
    const mapping = mappingFor('contacts', contactHeader, { clientRoles: false });
    const records = recordsOf('contacts', contactHeader, [['003A', 'false', 'CEO', '', 'ada@acme.example', 'Ada', 'Lovelace']]);
    assertLines(records, (r) => mapContact(r, mapping.contacts!, mapping.clientRoles), [
      ok({ line: 2, externalId: '003A', ...contact, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.example', attributes: {} }),
    ]);
  });
});

describe('mapping account team records', () => {
  const error = (line: number, recordId: string | null, field: string, code: string, message: string): Mapped<never> => ({
    ok: false,
    error: { object: 'managementRoles', origin: origin('team.csv', line), recordId, field, code, message },
  });

  it('maps each line to a management role by the value mapping, or to the row error that keeps it out', () => {
    const mapping = mappingFor('teamMembers', teamHeader, { managementRoles: { values: { Janitor: 'CUSTOMER_SUPPORT_PROFESSIONAL' } } });
    const records = recordsOf('teamMembers', teamHeader, [
      // Account.Id, User.Email, TeamMemberRole, IsDeleted
      ['001A', ' Sam@Seller.Example ', 'Account Manager', 'false'],
      ['001A', 'kim@seller.example', 'ACCOUNT_OWNER', ''],
      ['001B', 'lee@seller.example', 'janitor', 'false'],
      ['001B', 'sam@seller.example', 'Astronaut', '1'],
      ['001C', 'sam@seller.example', 'Astronaut', 'false'],
      ['001C', 'sam', 'Account Owner', 'false'],
      ['', 'sam@seller.example', 'Account Owner', 'false'],
      ['001D', '', 'Account Owner', 'false'],
      ['001E', 'sam@seller.example', 'Account Owner', 'maybe'],
    ]);
    assertLines(records, (r) => mapManagementRole(r, mapping.managementRoles!), [
      ok({ line: 2, accountExternalId: '001A', userEmail: 'sam@seller.example', roleName: 'ACCOUNT_EXECUTIVE', isDeleted: false }),
      ok({ line: 3, accountExternalId: '001A', userEmail: 'kim@seller.example', roleName: 'ACCOUNT_OWNER', isDeleted: false }),
      ok({ line: 4, accountExternalId: '001B', userEmail: 'lee@seller.example', roleName: 'CUSTOMER_SUPPORT_PROFESSIONAL', isDeleted: false }),
      // A deleted team member is removed whatever its role says.
      ok({ line: 5, accountExternalId: '001B', userEmail: 'sam@seller.example', roleName: 'OTHER_ACCOUNT_TEAM_MEMBER', isDeleted: true }),
      error(6, '001C/sam@seller.example', 'TeamMemberRole', 'UNMAPPED_ROLE', 'TeamMemberRole "Astronaut" has no account management role in the value mapping'),
      error(7, '001C/sam', 'User.Email', 'INVALID_EMAIL', 'User.Email "sam" is not a valid email address'),
      error(8, null, 'Account.Id', 'REQUIRED_VALUE', 'Account.Id is empty'),
      error(9, null, 'User.Email', 'REQUIRED_VALUE', 'User.Email is empty'),
      error(10, '001E/sam@seller.example', 'IsDeleted', 'INVALID_BOOLEAN', 'IsDeleted "maybe" is not true or false'),
    ]);
  });
});
