import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { accountHeader, contactHeader, teamHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { companyMapping, connectStandIn, seedCompany } from '../helpers/salesforce/fixture.ts';
import { startStandIn } from '../helpers/salesforce/stand-in.ts';
import { writeFile } from 'node:fs/promises';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const demo = (file: string) => path.join(root, 'examples', 'demo', file);

async function cli(databaseUrl: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'bin', 'load.ts'), ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run load', () => {
  it('loads the demo export, prints the counts per object and the row errors, and exits 0', async function () {
    const { url } = await testDatabase(this);
    const result = await cli(url, [
      '--accounts', demo('accounts.csv'), '--contacts', demo('contacts.csv'), '--team-members', demo('team_members.csv'),
      '--mapping', demo('mapping.json'), '--mailing-list', 'Demo',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout.split('\n').slice(0, 13).join('\n'),
      [
        'Run 1 succeeded.',
        '',
        'object            inserted   updated unchanged   deleted  rejected',
        // The export's records marked IsDeleted are kept as deleted, so a later run can tell them from ones never seen.
        'contacts               317         0         0         3         0',
        'accounts                35         0         0         1         0',
        'hierarchy               35         0         0         1         0',
        'clientRoles            317         0         0         0         0',
        'managementRoles        111         0         0         0         1',
        '',
        'Mailing list "Demo 1" holds 317 contacts.',
        '',
        '1 row error:',
        '  team_members.csv line 41 (managementRoles, TeamMemberRole): account 001Nw000001OOWJIA4 already has an ACCOUNT_OWNER: priya.raman@northwind.example comes first, on line 40; skipped',
      ].join('\n'),
    );
  });

  it('exits 1 and says the directory is unchanged when the run fails', async function () {
    const { url } = await testDatabase(this);
    const dir = await tempDir();
    const accounts = await writeCsv(dir, 'accounts.csv', [accountHeader.filter((c) => c !== 'Name'), ['001A', 'false', '']]);
    const result = await cli(url, ['--accounts', accounts]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout.trim(),
      'Run 1 failed; the directory is unchanged.\nSOURCE_COLUMN_MISSING: accounts.csv: missing column "Name" (mapped to accounts.displayName); the header has: Id, IsDeleted, Parent.Id',
    );
  });

  it('with --full-export removes what the files no longer hold, and what hung on it; without, leaves it', async function () {
    const { url, db } = await testDatabase(this);
    const dir = await tempDir();
    const contacts = await writeCsv(dir, 'contacts.csv', [contactHeader, ['003A', 'false', 'CEO', '001A', 'ann@client.example', 'Ann', 'A']]);
    const team = await writeCsv(dir, 'team.csv', [teamHeader, ['001A', 'sam@seller.example', 'Account Owner', 'false']]);
    const mapping = path.join(dir, 'mapping.json');
    await writeFile(mapping, JSON.stringify({ clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR' } } }));
    const files = async (rows: string[][]) => [
      '--accounts', await writeCsv(dir, 'accounts.csv', [accountHeader, ...rows]), '--contacts', contacts, '--team-members', team, '--mapping', mapping,
    ];
    const first = await cli(url, [...(await files([['001A', 'false', 'Acme', ''], ['001B', 'false', 'Acme East', '001A'], ['001C', 'false', 'Other', '']])), '--full-export']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const live = () =>
      db.query(`select external_id, parent_external_id from accounts where not is_deleted
        union all select external_id, coalesce(client_role, '(no role)') from contacts where not is_deleted
        union all select user_email, role_name from management_roles where not is_deleted order by 1`);

    // 001A is gone from the export: a partial (delta) file says nothing of it, so it stays.
    const delta = await cli(url, await files([['001B', 'false', 'Acme East', '001A'], ['001C', 'false', 'Other', '']]));
    assert.equal(delta.code, 0, delta.stdout + delta.stderr);
    assert.equal((await live()).length, 5);

    const full = await cli(url, [...(await files([['001B', 'false', 'Acme East', '001A'], ['001C', 'false', 'Other', '']])), '--full-export']);
    assert.equal(full.code, 0, full.stdout + full.stderr);
    assert.match(full.stdout, /^accounts +0 +0 +2 +1 +0$/m);
    assert.match(full.stdout, /^managementRoles +0 +0 +0 +1 +0$/m);
    assert.match(full.stdout, /^clientRoles +0 +0 +0 +1 +0$/m);
    assert.match(full.stdout, /Full export: removed 1 accounts the files no longer hold\./);
    // As a fresh load of these files: 001B without its parent, Ann without a client role, Sam with no account to manage.
    assert.deepEqual(await live(), [
      { external_id: '001B', parent_external_id: null },
      { external_id: '001C', parent_external_id: null },
      { external_id: '003A', parent_external_id: '(no role)' },
    ]);
    // The next run reports each row against the missing account, as a fresh load would.
    const again = await cli(url, [...(await files([['001B', 'false', 'Acme East', '001A'], ['001C', 'false', 'Other', '']])), '--full-export']);
    assert.match(again.stdout, /accounts\.csv line 2 \(hierarchy, Parent\.Id\): parent account 001A is not in the directory/);
    assert.match(again.stdout, /team\.csv line 2 \(managementRoles, Account\.Id\): account 001A is not in the directory/);
    assert.match(again.stdout, /contacts\.csv line 2 \(clientRoles, Account\.Id\): account 001A is not in the directory/);
  });

  it('reads a Latin-1 file with semicolons when told to with --encoding and --delimiter', async function () {
    const { url, db } = await testDatabase(this);
    const accounts = path.join(await tempDir(), 'accounts.csv');
    await writeFile(accounts, Buffer.from(`${accountHeader.join(';')}\n001A;false;M\xfcller, Gebr\xfcder;\n`, 'latin1'));
    const refused = await cli(url, ['--accounts', accounts]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /accounts\.csv: the file is not valid UTF-8; for a Latin-1 export set its encoding to latin1 \(npm run load: --encoding latin1\)/);
    const result = await cli(url, ['--accounts', accounts, '--encoding', 'latin1', '--delimiter', ';']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(await db.query('select external_id, display_name from accounts'), [{ external_id: '001A', display_name: 'Müller, Gebrüder' }]);
  });

  it('exits 2 naming a bad --encoding or --delimiter', async function () {
    const { url } = await testDatabase(this);
    const result = await cli(url, ['--accounts', 'a.csv', '--encoding', 'utf-16', '--delimiter', ';;']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /encoding: Invalid option: expected one of "utf-8"\|"latin1"/);
    assert.match(result.stderr, /delimiter: Too big: expected string to have exactly 1 characters/);
    assert.match(result.stderr, /\n\nusage: npm run load/);
  });

  it('refuses a UTF-16 file without a byte order mark in one clear line, without a stack trace', async function () {
    const { url, db } = await testDatabase(this);
    const accounts = path.join(await tempDir(), 'accounts.csv');
    await writeFile(accounts, Buffer.from(`${accountHeader.join(',')}\n001A,false,Acme,\n`, 'utf16le').swap16());
    const result = await cli(url, ['--accounts', accounts]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout.trim(),
      'Run 1 failed; the directory is unchanged.\nSOURCE_UNREADABLE: accounts.csv: the file looks like UTF-16 (big-endian) without a byte order mark; save it as UTF-8, or as UTF-16 with a byte order mark',
    );
    assert.equal(result.stderr, '');
    assert.deepEqual(await db.query('select state from sync_runs'), [{ state: 'failed' }]);
  });

  it('exits 2 with the usage when no file is given', async function () {
    const { url } = await testDatabase(this);
    const result = await cli(url, []);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^usage: npm run load -- \[--accounts FILE\]/);
  });

  it('extracts from a connected Salesforce org, then only what changed, and prints how and with how many API calls', async function () {
    const { url, db } = await testDatabase(this);
    const standIn = await startStandIn();
    try {
      seedCompany(standIn);
      const connectionId = await connectStandIn(db, standIn);
      const mapping = path.join(await tempDir(), 'mapping.json');
      await writeFile(mapping, JSON.stringify(companyMapping));
      const args = ['--salesforce-connection', String(connectionId), '--objects', 'accounts,contacts', '--mapping', mapping];
      const env = { SECRET_KEY: 'a-test-secret-key-of-32-characters!' };
      const first = await cli(url, args, env);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /\nAccount: every record \(Bulk API 2\.0\)\nContact: every record \(Bulk API 2\.0\)\nSalesforce API calls: 8\.\n$/);
      const second = await cli(url, args, env);
      assert.match(second.stdout, /\nAccount: changes since 2026-01-01T00:00:03\.000Z \(nothing changed\)\nContact: changes since 2026-01-01T00:00:05\.000Z \(nothing changed\)\nSalesforce API calls: 4\.\n$/);
    } finally {
      await standIn.close();
    }
  });

  it('selects extra Salesforce fields per object with --fields, so a mapping can read them', async function () {
    const { url, db } = await testDatabase(this);
    const standIn = await startStandIn();
    try {
      const ids = seedCompany(standIn);
      standIn.org.addField('Account', 'Tier__c');
      standIn.org.update('Account', ids.acme, { Tier__c: 'Strategic' });
      const connectionId = await connectStandIn(db, standIn);
      const mapping = path.join(await tempDir(), 'mapping.json');
      await writeFile(mapping, JSON.stringify({ ...companyMapping, accounts: { attributes: { tier: { source: 'Tier__c', type: 'String' }, industry: { source: 'Industry', type: 'String' } } } }));
      const env = { SECRET_KEY: 'a-test-secret-key-of-32-characters!' };
      const args = ['--salesforce-connection', String(connectionId), '--objects', 'accounts', '--mapping', mapping];
      const loaded = await cli(url, [...args, '--fields', 'accounts=Tier__c', '--fields', 'accounts=Industry'], env);
      assert.equal(loaded.code, 0, loaded.stdout + loaded.stderr);
      assert.deepEqual(await db.query('select display_name, attributes from accounts order by display_name'), [
        { display_name: 'Acme', attributes: { tier: 'Strategic', industry: 'Banking' } },
        { display_name: 'Beta', attributes: { tier: null, industry: 'Retail' } },
      ]);
      const wrong = await cli(url, [...args, '--fields', 'contacts=Department'], env);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /^--fields contacts=Department: name one of the extracted objects \(accounts\)/);
    } finally {
      await standIn.close();
    }
  });
});
