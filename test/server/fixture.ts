import type { Db } from '../../core/db.ts';
import { openLocalFiles, type LocalFiles } from '../../worker/extract/local-files.ts';
import { loadDirectory, type LoadResult } from '../../worker/load/load-directory.ts';
import type { MappingInput } from '../../core/directory/mapping-input.ts';
import { accountHeader, contactHeader, teamHeader, tempDir, writeCsv } from '../helpers/files.ts';

export const mapping: MappingInput = {
  accounts: {
    attributes: {
      contractAmount: { source: 'Contract_Amount__c', type: 'Decimal' },
      seats: { source: 'Seats__c', type: 'Integer' },
    },
  },
  clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR', Buyer: 'PROCUREMENT_FINANCE_PERSON', '': 'ACCOUNT_MEMBER' } },
};

export async function load(db: Db, files: LocalFiles): Promise<LoadResult> {
  return loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: () => openLocalFiles(files), mapping });
}

/**
 * Acme's directory, loaded by the real loader in two runs. The first loads seven accounts (a
 * three-level hierarchy, an amount too precise for a JS number, a name with LIKE wildcards),
 * contacts with three bad lines (6, 7, 8) and Acme Holding's team. The second deletes Gone Ltd,
 * a child of Acme Holding whose contact Gus stays live.
 */
export async function loadAcme(db: Db): Promise<{ first: LoadResult; second: LoadResult }> {
  const dir = await tempDir();
  const first = await load(db, {
    accounts: await writeCsv(dir, 'accounts.csv', [
      [...accountHeader, 'Contract_Amount__c', 'Seats__c'],
      ['001A', 'false', 'Acme Holding', '', '98765432109876543.21', '120'],
      ['001B', 'false', 'Acme Europe', '001A', '1500.50', ''],
      ['001C', 'false', 'Acme Berlin', '001B', '', ''],
      ['001D', 'false', 'acme Paris', '001B', '', ''],
      ['001E', 'false', 'Zeta Corp', '', '', '7'],
      ['001P', 'false', '100% Cotton_Co', '', '', ''],
      ['001X', 'false', 'Gone Ltd', '001A', '', ''],
    ]),
    contacts: await writeCsv(dir, 'contacts.csv', [
      contactHeader,
      ['003A', 'false', 'CEO', '001A', 'ada@acme.example', 'Ada', 'Lovelace'],
      ['003B', 'false', 'Buyer', '001A', 'bob@acme.example', 'Bob', 'Builder'],
      ['003C', 'false', '', '001B', 'cy@acme.example', 'Cy', 'Young'],
      ['003D', 'false', 'CEO', '001E', 'dee@zeta.example', 'Dee', 'Adams'],
      ['003E', 'false', 'CEO', '001A', 'not-an-email', 'Eve', 'Smith'],
      ['003F', 'false', 'CEO', '001Q', 'fay@acme.example', 'Fay', 'Smith'],
      ['003H', 'maybe', 'CEO', '001A', 'hal@acme.example', 'Hal', 'Smith'],
      ['003G', 'false', 'Buyer', '001X', 'gus@gone.example', 'Gus', 'Gone'],
    ]),
    teamMembers: await writeCsv(dir, 'team.csv', [
      teamHeader,
      ['001A', 'csm@seller.example', 'Customer Success Manager', 'false'],
      ['001A', 'owner@seller.example', 'Account Owner', 'false'],
      ['001A', 'ae@seller.example', 'Account Manager', 'false'],
    ]),
  });
  const second = await load(db, {
    accounts: await writeCsv(dir, 'accounts.csv', [[...accountHeader, 'Contract_Amount__c', 'Seats__c'], ['001X', 'true', '', '', '', '']]),
  });
  return { first, second };
}
