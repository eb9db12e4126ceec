import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../../core/db.ts';
import { csvSource } from '../../../core/records/csv-source.ts';
import { openLocalFiles, type LocalFiles } from '../../../worker/extract/local-files.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { AppError, ErrorCode } from '../../../core/errors.ts';
import type { SourceItem, Sources } from '../../../core/records/source.ts';
import type { MappingInput } from '../../../core/directory/mapping-input.ts';
import { accountHeader, contactHeader, directorySnapshot, runErrors, teamHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';

const titles: MappingInput = { clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR', Buyer: 'PROCUREMENT_FINANCE_PERSON', '': 'ACCOUNT_MEMBER' } } };

async function load(db: Db, files: LocalFiles, mapping: MappingInput = titles, mailingListName?: string) {
  return loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: () => openLocalFiles(files), mapping, ...(mailingListName ? { mailingListName } : {}) });
}

const zero = { inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 };

describe('loadDirectory', () => {
  let db: Db;
  let dir: string;
  let files: LocalFiles;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    dir = await tempDir();
    files = {
      accounts: await writeCsv(dir, 'accounts.csv', [
        accountHeader,
        ['001A', 'false', 'Acme Holding', ''],
        ['001B', 'false', 'Acme Europe', '001A'],
        ['001C', 'false', 'Acme Berlin', '001B'],
      ]),
      contacts: await writeCsv(dir, 'contacts.csv', [
        contactHeader,
        ['003A', 'false', 'CEO', '001A', 'ada@acme.example', 'Ada', 'Lovelace'],
        ['003B', 'false', 'Buyer', '001B', 'bob@acme.example', 'Bob', 'Builder'],
        ['003C', 'false', '', '001C', '', 'Cy', 'Young'],
      ]),
      teamMembers: await writeCsv(dir, 'team.csv', [
        teamHeader,
        ['001A', 'Owner@Seller.example', 'Account Owner', 'false'],
        ['001A', 'csm@seller.example', 'Customer Success Manager', 'false'],
      ]),
    };
  });

  describe('a first load', () => {
    it('inserts every object and counts each as inserted', async () => {
      const result = await load(db, files);
      assert.equal(result.state, 'succeeded');
      assert.deepEqual(result.counts, {
        accounts: { ...zero, inserted: 3 },
        hierarchy: { ...zero, inserted: 3 },
        contacts: { ...zero, inserted: 3 },
        clientRoles: { ...zero, inserted: 3 },
        managementRoles: { ...zero, inserted: 2 },
      });
      const snapshot = await directorySnapshot(db);
      assert.deepEqual(
        snapshot.hierarchy.map((h) => [h.account_external_id, h.parent_external_id]),
        [['001A', null], ['001B', '001A'], ['001C', '001B']],
      );
      assert.deepEqual(
        snapshot.clientRoles.map((r) => [r.contact_external_id, r.account_external_id, r.role_name]),
        [['003A', '001A', 'EXECUTIVE_SPONSOR'], ['003B', '001B', 'PROCUREMENT_FINANCE_PERSON'], ['003C', '001C', 'ACCOUNT_MEMBER']],
      );
      assert.deepEqual(
        snapshot.managementRoles.map((r) => [r.account_external_id, r.user_email, r.role_name]),
        [['001A', 'csm@seller.example', 'CUSTOMER_SUCCESS_MANAGER'], ['001A', 'owner@seller.example', 'ACCOUNT_OWNER']],
      );
      assert.deepEqual(snapshot.contacts.find((c) => c.external_id === '003C')?.email, null);
    });

    it('creates a mailing list named with the run id that holds the contacts it loaded', async () => {
      const result = await load(db, files, titles, 'Weekly import');
      assert.deepEqual(result.mailingList, { id: result.mailingList!.id, name: `Weekly import ${result.runId}`, members: 3 });
      const members = await db.query('select contact_external_id from mailing_list_members order by 1');
      assert.deepEqual(members.map((m) => m.contact_external_id), ['003A', '003B', '003C']);
    });
  });

  describe('loading the same files again', () => {
    it('changes nothing and counts every row as unchanged', async () => {
      await load(db, files);
      const before = await directorySnapshot(db);
      const again = await load(db, files);
      assert.deepEqual(again.counts, {
        accounts: { ...zero, unchanged: 3 },
        hierarchy: { ...zero, unchanged: 3 },
        contacts: { ...zero, unchanged: 3 },
        clientRoles: { ...zero, unchanged: 3 },
        managementRoles: { ...zero, unchanged: 2 },
      });
      assert.deepEqual(await directorySnapshot(db), before);
    });
  });

  describe('a reload of rows rejected in part', () => {
    it('writes nothing: every row reported unchanged keeps its run and update time', async () => {
      await writeCsv(dir, 'accounts.csv', [accountHeader, ['001X', 'false', 'X', '001Y'], ['001Y', 'false', 'Y', '001X'], ['001Z', 'false', 'Z', '001Q']]);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003Z', 'false', 'Wizard', '001X', 'z@acme.example', 'Zed', 'Z']]);
      const stamps = () => db.query(`select external_id, updated_at, last_run_id from accounts union all select external_id, updated_at, last_run_id from contacts order by 1`);
      await load(db, files);
      const before = await stamps();
      const again = await load(db, files);
      assert.deepEqual([again.counts.accounts, again.counts.contacts], [{ ...zero, unchanged: 3 }, { ...zero, unchanged: 1 }]);
      assert.deepEqual(await stamps(), before);
    });
  });

  describe('a reload that repeats a stored record', () => {
    it('reports the repeated line, whether the first one changed or not', async () => {
      await load(db, files);
      await writeCsv(dir, 'accounts.csv', [
        accountHeader,
        ['001A', 'false', 'Acme Holding', ''],
        ['001B', 'false', 'Acme Europe', '001A'],
        ['001A', 'false', 'Acme Holding Again', ''],
        ['001C', 'false', 'Acme Berlin GmbH', '001B'],
        ['001C', 'false', 'Acme Berlin', '001B'],
      ]);
      const result = await load(db, { accounts: files.accounts! });
      assert.deepEqual(result.counts.accounts, { ...zero, updated: 1, unchanged: 2, rejected: 2 });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.line, e.code, e.message]), [
        [4, 'DUPLICATE_RECORD', 'account 001A already appears on line 2; this line is skipped'],
        [6, 'DUPLICATE_RECORD', 'account 001C already appears on line 5; this line is skipped'],
      ]);
      const names = await db.query('select external_id, display_name from accounts order by 1');
      assert.deepEqual(names.map((a) => a.display_name), ['Acme Holding', 'Acme Europe', 'Acme Berlin GmbH']);
    });
  });

  describe('a record rejected in part', () => {
    it('is checked again on the next run: a parent that arrives later is linked then', async () => {
      await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme Holding', '001P']]);
      const first = await load(db, { accounts: files.accounts! });
      assert.deepEqual(first.counts.hierarchy, { ...zero, rejected: 1 });
      const again = await load(db, { accounts: files.accounts! });
      assert.deepEqual(again.counts.hierarchy, { ...zero, rejected: 1 }, 'the same unknown parent is reported again');
      await writeCsv(dir, 'accounts.csv', [accountHeader, ['001P', 'false', 'Parent Co', ''], ['001A', 'false', 'Acme Holding', '001P']]);
      const linked = await load(db, { accounts: files.accounts! });
      assert.deepEqual(linked.counts.hierarchy, { ...zero, inserted: 1, updated: 1 });
      assert.deepEqual(linked.counts.accounts, { ...zero, inserted: 1, unchanged: 1 });
      const [account] = await db.query(`select parent_external_id from accounts where external_id = '001A'`);
      assert.equal(account!.parent_external_id, '001P');
    });

    it('reports an unmapped title again on every run until it is mapped', async () => {
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003Z', 'false', 'Wizard', '001A', 'z@acme.example', 'Zed', 'Z']]);
      await load(db, files);
      const again = await load(db, files);
      assert.deepEqual(again.counts.clientRoles, { ...zero, rejected: 1 });
      const mapped = await load(db, files, { clientRoles: { values: { Wizard: 'INFLUENCER' } } });
      assert.deepEqual(mapped.counts.clientRoles, { ...zero, inserted: 1 });
      assert.deepEqual(mapped.counts.contacts, { ...zero, unchanged: 1 });
    });
  });

  describe('a record with IsDeleted = true', () => {
    it('removes it from the live directory, keeps it as deleted, and counts it once', async () => {
      await load(db, files);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003B', 'true', '', '', '', '', '']]);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'csm@seller.example', '', 'true']]);
      const result = await load(db, { contacts: files.contacts!, teamMembers: files.teamMembers! });
      assert.deepEqual(result.counts.contacts, { ...zero, deleted: 1 });
      assert.deepEqual(result.counts.clientRoles, { ...zero, deleted: 1 });
      assert.deepEqual(result.counts.managementRoles, { ...zero, deleted: 1 });
      const snapshot = await directorySnapshot(db);
      assert.deepEqual(snapshot.contacts.filter((c) => c.is_deleted).map((c) => [c.external_id, c.first_name]), [['003B', 'Bob']]);
      assert.deepEqual(snapshot.clientRoles.filter((r) => r.is_deleted).map((r) => r.contact_external_id), ['003B']);
      assert.deepEqual(snapshot.managementRoles.filter((r) => !r.is_deleted).map((r) => r.user_email), ['owner@seller.example']);

      const repeated = await load(db, { contacts: files.contacts!, teamMembers: files.teamMembers! });
      assert.deepEqual(repeated.counts.contacts, { ...zero, unchanged: 1 });
    });
  });

  describe('a record that arrives already deleted', () => {
    it('is kept as deleted and counted as deleted, then unchanged', async () => {
      await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme Holding', ''], ['001X', 'true', '', '']]);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003X', 'true', '', '', '', '', '']]);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'gone@seller.example', '', 'true']]);
      const result = await load(db, files);
      assert.deepEqual(result.counts.accounts, { ...zero, inserted: 1, deleted: 1 });
      assert.deepEqual(result.counts.contacts, { ...zero, deleted: 1 });
      assert.deepEqual(result.counts.managementRoles, { ...zero, deleted: 1 });
      const snapshot = await directorySnapshot(db);
      assert.deepEqual(snapshot.accounts.map((a) => [a.external_id, a.is_deleted]), [['001A', false], ['001X', true]]);
      assert.deepEqual(snapshot.contacts.map((c) => [c.external_id, c.is_deleted]), [['003X', true]]);
      assert.deepEqual(snapshot.managementRoles.map((r) => [r.user_email, r.is_deleted]), [['gone@seller.example', true]]);
      const again = await load(db, files);
      assert.deepEqual(again.counts.accounts, { ...zero, unchanged: 2 });
      assert.deepEqual(again.counts.contacts, { ...zero, unchanged: 1 });
    });
  });

  describe('a parent link that closes a cycle', () => {
    it('is refused and reported with the cycle, and the rest of the hierarchy loads', async () => {
      await load(db, files);
      await writeCsv(dir, 'accounts.csv', [
        accountHeader,
        ['001A', 'false', 'Acme Holding', '001C'],
        ['001D', 'false', 'Acme Paris', '001B'],
      ]);
      const result = await load(db, { accounts: files.accounts! });
      assert.equal(result.state, 'succeeded');
      assert.deepEqual(result.counts.hierarchy, { ...zero, inserted: 1, rejected: 1 });
      assert.deepEqual(await runErrors(db, result.runId), [
        {
          object: 'hierarchy',
          source: 'accounts.csv',
          line: 2,
          record_id: '001A',
          field: 'Parent.Id',
          code: 'HIERARCHY_CYCLE',
          message: 'parent account 001C would make a cycle: 001A > 001C > 001B > 001A',
        },
      ]);
      const hierarchy = await db.query('select external_id as account_external_id, parent_external_id from accounts order by 1');
      assert.deepEqual(hierarchy.map((h) => [h.account_external_id, h.parent_external_id]), [
        ['001A', null],
        ['001B', '001A'],
        ['001C', '001B'],
        ['001D', '001B'],
      ]);
    });

    it('accepts links in file order and rejects only the one that closes the cycle, the same way on every run', async () => {
      await writeCsv(dir, 'accounts.csv', [accountHeader, ['001X', 'false', 'X', '001Y'], ['001Y', 'false', 'Y', '001Z'], ['001Z', 'false', 'Z', '001X']]);
      for (let run = 0; run < 2; run++) {
        const result = await load(db, { accounts: files.accounts! });
        assert.deepEqual(result.counts.hierarchy, run === 0 ? { ...zero, inserted: 2, rejected: 1 } : { ...zero, unchanged: 2, rejected: 1 });
        assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.line, e.code, e.message]), [
          [4, 'HIERARCHY_CYCLE', 'parent account 001X would make a cycle: 001Z > 001X > 001Y > 001Z'],
        ]);
        const links = await db.query('select external_id, parent_external_id from accounts order by 1');
        assert.deepEqual(links.map((a) => [a.external_id, a.parent_external_id]), [['001X', '001Y'], ['001Y', '001Z'], ['001Z', null]]);
      }
    });
  });

  describe('two ACCOUNT_OWNERs for one account', () => {
    it('keeps the first and reports the second as skipped', async () => {
      await writeCsv(dir, 'team.csv', [
        teamHeader,
        ['001A', 'first@seller.example', 'Account Owner', 'false'],
        ['001A', 'second@seller.example', 'ACCOUNT_OWNER', 'false'],
      ]);
      const result = await load(db, files);
      assert.deepEqual(result.counts.managementRoles, { ...zero, inserted: 1, rejected: 1 });
      assert.deepEqual(await runErrors(db, result.runId), [
        {
          object: 'managementRoles',
          source: 'team.csv',
          line: 3,
          record_id: '001A/second@seller.example',
          field: 'TeamMemberRole',
          code: 'DUPLICATE_ACCOUNT_OWNER',
          message: 'account 001A already has an ACCOUNT_OWNER: first@seller.example comes first, on line 2; skipped',
        },
      ]);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'third@seller.example', 'Account Owner', 'false']]);
      const later = await load(db, { teamMembers: files.teamMembers! });
      assert.deepEqual((await runErrors(db, later.runId)).map((e) => e.message), [
        'account 001A already has an ACCOUNT_OWNER: first@seller.example is already in the directory; skipped',
      ]);
    });
  });

  describe('values with leading or trailing spaces', () => {
    it('are stored as the source has them; only an email is trimmed', async () => {
      await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', ' Acme Holding ', '']]);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003A', 'false', 'CEO', '001A', ' ada@acme.example ', ' Ada', 'Lovelace  ']]);
      await load(db, { accounts: files.accounts!, contacts: files.contacts! });
      const snapshot = await directorySnapshot(db);
      assert.equal(snapshot.accounts[0]!.display_name, ' Acme Holding ');
      assert.deepEqual([snapshot.contacts[0]!.first_name, snapshot.contacts[0]!.last_name, snapshot.contacts[0]!.email], [' Ada', 'Lovelace  ', 'ada@acme.example']);
    });
  });

  describe('an ACCOUNT_OWNER earlier in the file than the stored one', () => {
    it('wins as it would on a fresh load, and the later owner is removed', async () => {
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'rep@seller.example', 'Sales Rep', 'false'], ['001A', 'owner@seller.example', 'Account Owner', 'false']]);
      await load(db, files);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'rep@seller.example', 'Account Owner', 'false'], ['001A', 'owner@seller.example', 'Account Owner', 'false']]);
      const result = await load(db, { teamMembers: files.teamMembers! });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.line, e.code, e.message]), [
        [3, 'DUPLICATE_ACCOUNT_OWNER', 'account 001A already has an ACCOUNT_OWNER: rep@seller.example comes first, on line 2; skipped; the role stored before is removed'],
      ]);
      const live = await db.query('select user_email, role_name from management_roles where not is_deleted order by 1');
      assert.deepEqual(live, [{ user_email: 'rep@seller.example', role_name: 'ACCOUNT_OWNER' }]);
    });
  });

  describe('an ACCOUNT_OWNER that loses its place', () => {
    const owners = async (db: Db) => db.query(`select user_email from management_roles where role_name = 'ACCOUNT_OWNER' and not is_deleted`);

    it('to a row now rejected makes room for the next owner in the file', async () => {
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'first@seller.example', 'Account Owner', 'false'], ['001A', 'second@seller.example', 'Account Owner', 'false']]);
      await load(db, files);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'first@seller.example', 'Wizard', 'false'], ['001A', 'second@seller.example', 'Account Owner', 'false']]);
      const result = await load(db, { teamMembers: files.teamMembers! });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.line, e.code]), [[2, 'UNMAPPED_ROLE']]);
      assert.deepEqual(await owners(db), [{ user_email: 'second@seller.example' }]);
    });

    it('by being deleted hands the account to an owner new in the same run', async () => {
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'first@seller.example', 'Account Owner', 'false']]);
      await load(db, files);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'first@seller.example', 'Account Owner', 'true'], ['001A', 'second@seller.example', 'Account Owner', 'false']]);
      const result = await load(db, { teamMembers: files.teamMembers! });
      assert.deepEqual([result.state, await runErrors(db, result.runId)], ['succeeded', []]);
      assert.deepEqual(await owners(db), [{ user_email: 'second@seller.example' }]);
    });

    it('by becoming a Sales Rep hands the account to a Sales Rep made owner in the same run', async () => {
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'second@seller.example', 'Sales Rep', 'false'], ['001A', 'first@seller.example', 'Account Owner', 'false']]);
      await load(db, files);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'second@seller.example', 'Account Owner', 'false'], ['001A', 'first@seller.example', 'Sales Rep', 'false']]);
      const result = await load(db, { teamMembers: files.teamMembers! });
      assert.deepEqual([result.state, await runErrors(db, result.runId)], ['succeeded', []]);
      assert.deepEqual(await owners(db), [{ user_email: 'second@seller.example' }]);
    });

    it('by leaving a full export makes room for the next owner in the file', async () => {
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'first@seller.example', 'Account Owner', 'false'], ['001A', 'second@seller.example', 'Account Owner', 'false']]);
      await load(db, files);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'second@seller.example', 'Account Owner', 'false']]);
      const result = await loadDirectory(db, {
        directoryId: 1, sourceLabel: 'files', openSources: () => openLocalFiles({ teamMembers: files.teamMembers! }), mapping: titles, fullExport: ['teamMembers'],
      });
      assert.deepEqual([result.state, result.state === 'failed' ? result.error : null, await runErrors(db, result.runId)], ['succeeded', null, []]);
      assert.deepEqual(await owners(db), [{ user_email: 'second@seller.example' }]);
    });
  });

  describe('custom account attributes', () => {
    const mapping: MappingInput = {
      ...titles,
      accounts: { attributes: { contractAmount: { source: 'Amount__c', type: 'Decimal' }, seats: { source: 'Seats__c', type: 'Integer' } } },
    };

    it('stores a Decimal exactly, digit for digit, in one text per value', async () => {
      await writeCsv(dir, 'accounts.csv', [
        [...accountHeader, 'Amount__c', 'Seats__c'],
        ['001A', 'false', 'Acme', '', '12345678901234.56', '1200'],
        ['001B', 'false', 'Beta', '', '0.10', ''],
      ]);
      const result = await load(db, { accounts: files.accounts! }, mapping);
      assert.equal(result.state, 'succeeded');
      const rows = await db.query(`select external_id, attributes->>'contractAmount' as amount, attributes->'seats' as seats from accounts order by 1`);
      assert.deepEqual(rows, [
        { external_id: '001A', amount: '12345678901234.56', seats: 1200 },
        { external_id: '001B', amount: '0.1', seats: null },
      ]);
    });

    it('hashes a record the same whatever the order of the mapping keys, so a reload rewrites nothing', async () => {
      await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Amount__c', 'Seats__c'], ['001A', 'false', 'Acme', '', '10.5', '3']]);
      const hashes = () => db.query('select external_id, source_hash from accounts order by 1');
      await load(db, { accounts: files.accounts! }, mapping);
      const before = await hashes();
      const reordered: MappingInput = { accounts: { attributes: { seats: { source: 'Seats__c', type: 'Integer' }, contractAmount: { source: 'Amount__c', type: 'Decimal' } } } };
      const again = await load(db, { accounts: files.accounts! }, reordered);
      assert.deepEqual(again.counts.accounts, { ...zero, unchanged: 1 });
      assert.deepEqual(await hashes(), before);
    });

    it('takes a value spelled another way as unchanged', async () => {
      await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Amount__c', 'Seats__c'], ['001A', 'false', 'Acme', '', '1.50', '007']]);
      await load(db, { accounts: files.accounts! }, mapping);
      await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Amount__c', 'Seats__c'], ['001A', 'false', 'Acme', '', '1.5', '+7']]);
      const again = await load(db, { accounts: files.accounts! }, mapping);
      assert.deepEqual(again.counts.accounts, { ...zero, unchanged: 1 });
      // As a Salesforce CSV writes a currency and a number field.
      await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Amount__c', 'Seats__c'], ['001A', 'false', 'Acme', '', '1.5E0', '7.0']]);
      const exported = await load(db, { accounts: files.accounts! }, mapping);
      assert.deepEqual(exported.counts.accounts, { ...zero, unchanged: 1 });
      const [row] = await db.query(`select attributes from accounts`);
      assert.deepEqual(row!.attributes, { contractAmount: '1.5', seats: 7 });
    });

    it('refuses to change an attribute type once created, and leaves the directory as it was', async () => {
      await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Amount__c', 'Seats__c'], ['001A', 'false', 'Acme', '', '10.5', '3']]);
      await load(db, { accounts: files.accounts! }, mapping);
      const before = await directorySnapshot(db);
      await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Amount__c', 'Seats__c'], ['001A', 'false', 'Acme Renamed', '', '10', '3']]);
      const changed: MappingInput = { accounts: { attributes: { contractAmount: { source: 'Amount__c', type: 'Integer' } } } };
      const result = await load(db, { accounts: files.accounts! }, changed);
      assert.equal(result.state, 'failed');
      assert.deepEqual(result.error, {
        code: 'ATTRIBUTE_IMMUTABLE',
        message:
          'account attribute "contractAmount" is stored as Decimal and cannot become Integer: an attribute\'s name and type never change once created; map the column to a new attribute name instead',
      });
      assert.deepEqual(await directorySnapshot(db), before);
      const [run] = await db.query('select state, error_code from sync_runs where id = $1', [result.runId]);
      assert.deepEqual(run, { state: 'failed', error_code: 'ATTRIBUTE_IMMUTABLE' });
    });

    it('is protected by the database too: renaming or retyping a definition raises', async () => {
      await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Amount__c', 'Seats__c'], ['001A', 'false', 'Acme', '', '1', '1']]);
      await load(db, { accounts: files.accounts! }, mapping);
      await assert.rejects(db.query(`update account_attribute_definitions set data_type = 'String' where name = 'seats'`), /cannot change its name or type/);
      await assert.rejects(db.query(`delete from account_attribute_definitions where name = 'seats'`), /cannot be deleted/);
    });
  });

  describe('a contacts file with 10 malformed lines', () => {
    it('loads every other row and reports each bad line by number', async () => {
      const mapping: MappingInput = { ...titles, accounts: { attributes: { seats: { source: 'Seats__c', type: 'Integer' } } } };
      await writeCsv(dir, 'accounts.csv', [
        [...accountHeader, 'Seats__c'],
        ['001A', 'false', 'Acme', '', '10'],
        ['001B', 'false', 'Beta', '', 'ten'],
        ['001C', 'false', 'Gamma', '', '3.5'],
      ]);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        files.contacts!,
        [
          contactHeader.join(','),
          '003A,false,CEO,001A,ada@acme.example,Ada,Lovelace', // 2 ok
          '003B,false,CEO,001A,"bad"quote@acme.example,Bad,Quote', // 3 bad quote
          '003C,false,CEO,001A,cy@acme.example,Cy', // 4 too few columns
          '003D,false,CEO,001A,dee@acme.example,Dee,Dee,extra', // 5 too many columns
          '003E,false,CEO,001A,not-an-email,Eve,Smith', // 6 invalid email
          '003F,false,CEO,001A,fay@acme,Fay,Smith', // 7 invalid email (no domain)
          '003G,false,CEO,001B,gus@acme.example,Gus,Smith', // 8 account rejected (Integer) so unknown: loads without a role
          '003H,maybe,CEO,001A,hal@acme.example,Hal,Smith', // 9 bad boolean
          ',false,CEO,001A,ivy@acme.example,Ivy,Smith', // 10 no Id
          '003J,false,CEO,001A,"jo@acme.example,Jo,Smith', // 11 quote never closed (one line lost)
          '003K,false,Buyer,001A,"kim, the buyer"@acme.example,Kim,Smith', // 12 bad quote after closing quote
          '003L,false,"Buyer",001A,"lee@acme.example","Lee","Multi',
          'line"', // 13-14 ok, a quoted newline
          '003M,false,CEO,001A,max@acme.example,Max,Smith', // 15 ok
        ].join('\n') + '\n',
      );
      const result = await load(db, { accounts: files.accounts!, contacts: files.contacts! }, mapping);
      assert.equal(result.state, 'succeeded');
      assert.deepEqual(result.counts.accounts, { ...zero, inserted: 1, rejected: 2 });
      assert.deepEqual(result.counts.contacts, { ...zero, inserted: 4, rejected: 9 });
      const errors = await runErrors(db, result.runId);
      assert.deepEqual(
        errors.map((e) => [e.source, e.line, e.code, e.field]),
        [
          ['accounts.csv', 3, 'INVALID_ATTRIBUTE', 'Seats__c'],
          ['accounts.csv', 4, 'INVALID_ATTRIBUTE', 'Seats__c'],
          ['contacts.csv', 3, 'UNREADABLE_ROW', null],
          ['contacts.csv', 4, 'UNREADABLE_ROW', null],
          ['contacts.csv', 5, 'UNREADABLE_ROW', null],
          ['contacts.csv', 6, 'INVALID_EMAIL', 'Email'],
          ['contacts.csv', 7, 'INVALID_EMAIL', 'Email'],
          ['contacts.csv', 8, 'UNKNOWN_ACCOUNT', 'Account.Id'],
          ['contacts.csv', 9, 'INVALID_BOOLEAN', 'IsDeleted'],
          ['contacts.csv', 10, 'REQUIRED_VALUE', 'Id'],
          ['contacts.csv', 11, 'UNREADABLE_ROW', null],
          ['contacts.csv', 12, 'UNREADABLE_ROW', null],
        ],
      );
      assert.equal(errors.find((e) => e.line === 4 && e.source === 'contacts.csv')?.message, 'CSV_COLUMN_COUNT: the row has 6 fields, the header has 7');
      assert.equal(errors.find((e) => e.line === 3 && e.source === 'accounts.csv')?.message, 'seats: value "ten" is not an Integer');
      const contacts = await db.query('select external_id, last_name from contacts order by 1');
      assert.deepEqual(contacts, [
        { external_id: '003A', last_name: 'Lovelace' },
        { external_id: '003G', last_name: 'Smith' },
        { external_id: '003L', last_name: 'Multi\nline' },
        { external_id: '003M', last_name: 'Smith' },
      ]);
    });
  });

  describe('a NUL byte inside one field', () => {
    it('rejects that row, naming the file and line, and loads the others', async () => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        files.contacts!,
        [contactHeader.join(','), '003A,false,CEO,001A,ada@acme.example,Ada,Love\0lace', '003B,false,Buyer,001B,bob@acme.example,Bob,Builder'].join('\n') + '\n',
      );
      const result = await load(db, files);
      assert.equal(result.state, 'succeeded');
      assert.deepEqual(result.counts.contacts, { ...zero, inserted: 1, rejected: 1 });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.source, e.line, e.code, e.message]), [
        ['contacts.csv', 2, 'UNREADABLE_ROW', 'CSV_NUL_BYTE: the LastName value holds a NUL byte (\\0), which the directory cannot store'],
      ]);
    });
  });

  describe('an error text that quotes a NUL byte', () => {
    it('is stored with the NUL shown as \\0, so a failed run still ends failed', async () => {
      const openSources = async (): Promise<Sources> => {
        throw new AppError(ErrorCode.SOURCE_UNREADABLE, 'header "\0I\0d" is not a column');
      };
      const result = await loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources, mapping: titles });
      assert.equal(result.state, 'failed');
      const runs = await db.query('select state, error_code, error_message from sync_runs where id = $1', [result.runId]);
      assert.deepEqual(runs, [{ state: 'failed', error_code: 'SOURCE_UNREADABLE', error_message: 'header "\\0I\\0d" is not a column' }]);
    });

    it('is stored with the NUL shown as \\0 when a row error quotes one', async () => {
      const opened = await openLocalFiles({ accounts: files.accounts! });
      async function* items(): AsyncGenerator<SourceItem> {
        yield { kind: 'error', origin: { source: 'feed', line: 2 }, code: 'FEED_ERROR', message: 'bad byte \0 here' };
        yield* opened.accounts!.items;
      }
      const openSources = async (): Promise<Sources> => ({ accounts: { ...opened.accounts!, items: items() } });
      const result = await loadDirectory(db, { directoryId: 1, sourceLabel: 'feed', openSources, mapping: {} });
      assert.equal(result.state, 'succeeded');
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.source, e.line, e.message]), [['feed', 2, 'FEED_ERROR: bad byte \\0 here']]);
    });
  });

  describe('a contact without an account', () => {
    it('is loaded into contacts; only its client role is left out and reported, by line', async () => {
      await writeCsv(dir, 'contacts.csv', [
        contactHeader,
        ['003N', 'false', 'CEO', '', 'nina@acme.example', 'Nina', 'None'],
        ['003Q', 'false', 'CEO', '001Q', 'quinn@acme.example', 'Quinn', 'Unknown'],
      ]);
      const result = await load(db, files);
      assert.deepEqual(result.counts.contacts, { ...zero, inserted: 2 });
      assert.deepEqual(result.counts.clientRoles, { ...zero, rejected: 2 });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.object, e.line, e.record_id, e.field, e.code]), [
        ['clientRoles', 2, '003N', 'Account.Id', 'NO_ACCOUNT'],
        ['clientRoles', 3, '003Q', 'Account.Id', 'UNKNOWN_ACCOUNT'],
      ]);
      const contacts = await db.query('select external_id, email, account_external_id, client_role from contacts order by 1');
      assert.deepEqual(contacts, [
        { external_id: '003N', email: 'nina@acme.example', account_external_id: null, client_role: null },
        { external_id: '003Q', email: 'quinn@acme.example', account_external_id: null, client_role: null },
      ]);
    });
  });

  describe('a row that is now rejected', () => {
    it('removes the client role of a contact whose title no longer maps, on every run', async () => {
      await load(db, files);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003A', 'false', 'Wizard', '001A', 'ada@acme.example', 'Ada', 'Lovelace']]);
      const result = await load(db, { contacts: files.contacts! });
      assert.deepEqual(result.counts.clientRoles, { ...zero, deleted: 1, rejected: 1 });
      const again = await load(db, { contacts: files.contacts! });
      assert.deepEqual(again.counts.clientRoles, { ...zero, rejected: 1 });
      const [ada] = await db.query(`select client_role, is_deleted from contacts where external_id = '003A'`);
      assert.deepEqual(ada, { client_role: null, is_deleted: false });
    });

    it('removes the role a team member held before it became a second ACCOUNT_OWNER, and says so', async () => {
      await load(db, files);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'csm@seller.example', 'Account Owner', 'false']]);
      const result = await load(db, { teamMembers: files.teamMembers! });
      assert.deepEqual(result.counts.managementRoles, { ...zero, rejected: 1 });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.line, e.code, e.message]), [
        [2, 'DUPLICATE_ACCOUNT_OWNER', 'account 001A already has an ACCOUNT_OWNER: owner@seller.example is already in the directory; skipped; the role stored before is removed'],
      ]);
      const live = await db.query('select user_email, role_name from management_roles where not is_deleted order by 1');
      assert.deepEqual(live, [{ user_email: 'owner@seller.example', role_name: 'ACCOUNT_OWNER' }]);
    });

    it('removes the contact stored before when its new row is rejected', async () => {
      await load(db, files);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003B', 'false', 'Buyer', '001B', 'bob-at-acme', 'Bob', 'Builder']]);
      const result = await load(db, { contacts: files.contacts! });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.line, e.code, e.message]), [
        [2, 'INVALID_EMAIL', 'Email "bob-at-acme" is not a valid email address; the contact stored before is removed'],
      ]);
      const live = await db.query('select external_id from contacts where not is_deleted order by 1');
      assert.deepEqual(live.map((c) => c.external_id), ['003A', '003C']);
    });
  });

  describe('a value mapped to SKIP', () => {
    it('leaves its row out, counted as skipped, not as an error, and removes what it gave before', async () => {
      await load(db, files);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003A', 'false', 'CEO', '001A', 'ada@acme.example', 'Ada', 'Lovelace']]);
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'csm@seller.example', 'Customer Success Manager', 'false']]);
      const mapping: MappingInput = {
        clientRoles: { values: { CEO: 'SKIP' } },
        managementRoles: { values: { 'Customer Success Manager': 'SKIP' } },
      };
      const result = await load(db, { contacts: files.contacts!, teamMembers: files.teamMembers! }, mapping);
      assert.deepEqual(result.counts.clientRoles, { ...zero, deleted: 1, skipped: 1 });
      assert.deepEqual(result.counts.managementRoles, { ...zero, skipped: 1 });
      assert.deepEqual(await runErrors(db, result.runId), []);
      const live = await db.query('select user_email from management_roles where not is_deleted order by 1');
      assert.deepEqual(live.map((r) => r.user_email), ['owner@seller.example']);
      const [ada] = await db.query(`select client_role from contacts where external_id = '003A'`);
      assert.equal(ada!.client_role, null);
    });

    it('maps unlisted values to otherValues, and builtInValues: false leaves the built-in values out', async () => {
      await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'owner@seller.example', 'Account Owner', 'false'], ['001A', 'rep@seller.example', 'Sales Rep', 'false']]);
      const mapping: MappingInput = {
        ...titles,
        managementRoles: { values: { 'Account Owner': 'ACCOUNT_OWNER' }, otherValues: 'OTHER_ACCOUNT_TEAM_MEMBER', builtInValues: false },
      };
      await load(db, files, mapping);
      const roles = await db.query('select user_email, role_name from management_roles order by 1');
      assert.deepEqual(roles.map((r) => [r.user_email, r.role_name]), [['owner@seller.example', 'ACCOUNT_OWNER'], ['rep@seller.example', 'OTHER_ACCOUNT_TEAM_MEMBER']]);
    });
  });

  describe('a contact whose title has no client role mapped', () => {
    it('loads the contact and reports the role', async () => {
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003Z', 'false', 'Wizard', '001A', 'z@acme.example', 'Zed', 'Z']]);
      const result = await load(db, files);
      assert.deepEqual(result.counts.contacts, { ...zero, inserted: 1 });
      assert.deepEqual(result.counts.clientRoles, { ...zero, rejected: 1 });
      assert.deepEqual((await runErrors(db, result.runId)).map((e) => [e.object, e.line, e.code, e.message]), [
        ['clientRoles', 2, 'UNMAPPED_ROLE', 'Title "Wizard" has no client role in the value mapping'],
      ]);
    });
  });

  describe('a file without a required column', () => {
    it('fails the run before any row loads, naming the file and the column', async () => {
      await writeCsv(dir, 'contacts.csv', [['Id', 'IsDeleted', 'Title', 'Account.Id', 'FirstName', 'LastName'], ['003A', 'false', 'CEO', '001A', 'A', 'B']]);
      const result = await load(db, files);
      assert.equal(result.state, 'failed');
      assert.equal(result.error?.code, 'SOURCE_COLUMN_MISSING');
      assert.equal(
        result.error?.message,
        'contacts.csv: missing column "Email" (mapped to contacts.email); the header has: Id, IsDeleted, Title, Account.Id, FirstName, LastName',
      );
      assert.deepEqual((await directorySnapshot(db)).accounts, []);
    });
  });

  describe('a file that arrives slowly', () => {
    it('records the run as ending when its load did, not when its transaction began', async () => {
      // The export stalls for 300 ms after its first row, inside the load's transaction.
      const slowly = Readable.from((async function* () {
        yield Buffer.from(`${accountHeader.join(',')}\n001A,false,Acme Holding,\n`);
        await sleep(300);
        yield Buffer.from('001B,false,Acme Europe,001A\n');
      })());
      const { runId, state } = await loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: async () => ({ accounts: await csvSource('accounts.csv', slowly) }), mapping: {} });
      const [run] = await db.query('select finished_at - started_at >= interval \'300 milliseconds\' as "lastedTheStall" from sync_runs where id = $1', [runId]);
      assert.deepEqual([state, run], ['succeeded', { lastedTheStall: true }]);
    });
  });

  describe('a file that cannot be opened', () => {
    it('fails the run, naming the file, and changes nothing', async () => {
      const result = await load(db, { ...files, contacts: `${dir}/missing.csv` });
      assert.equal(result.state, 'failed');
      assert.deepEqual(result.error, { code: 'SOURCE_UNREADABLE', message: `${dir}/missing.csv: cannot read the contacts file (ENOENT)` });
      assert.deepEqual((await directorySnapshot(db)).accounts, []);
    });
  });

  describe('a failure in the middle of the merge', () => {
    it('leaves the directory exactly as before and records why the run failed', async () => {
      await load(db, files, titles, 'First');
      const before = await directorySnapshot(db);
      await writeCsv(dir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme Holding Renamed', ''], ['001N', 'false', 'New Co', '001A']]);
      await writeCsv(dir, 'contacts.csv', [contactHeader, ['003N', 'false', 'CEO', '001N', 'new@new.example', 'New', 'Person']]);
      // Accounts and contacts merge first; the team roles that follow hit a failing trigger.
      await writeCsv(dir, 'team.csv', [teamHeader, ['001N', 'owner@seller.example', 'Account Owner', 'false']]);
      await db.query(`create function fail_now() returns trigger language plpgsql as $$ begin raise exception 'disk full (injected)'; end $$;
        create trigger fail_management_roles before insert on management_roles for each row execute function fail_now()`);
      const result = await load(db, files, titles, 'Second');
      assert.equal(result.state, 'failed');
      assert.deepEqual(result.error, { code: 'LOAD_FAILED', message: 'the load failed and nothing was changed: disk full (injected)' });
      assert.deepEqual(await directorySnapshot(db), before);
      const runs = await db.query('select state, error_code from sync_runs order by id');
      assert.deepEqual(runs, [{ state: 'succeeded', error_code: null }, { state: 'failed', error_code: 'LOAD_FAILED' }]);
      assert.deepEqual(await db.query('select * from sync_run_counts where run_id = $1', [result.runId]), []);
    });
  });
});
