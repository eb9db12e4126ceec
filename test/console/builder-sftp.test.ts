import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { createSftpConnection } from '../../core/connections/sftp.ts';
import { Db } from '../../core/db.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';
import { testSecretBox } from '../server/serve.ts';
import { assertAccessible, signIn } from './console-page.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const admin = { email: 'sftp-builder@bellwether.example', password: 'a-long-sftp-builder-password' };

/** The cells of a table, row by row, as a reader sees them. */
function cells(table: Locator): Promise<string[][]> {
  return table.getByRole('row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent!.trim())));
}

/**
 * An admin builds a workflow that reads a file from an SFTP server, in the browser only: the
 * server's folders are browsed from where the login starts, a file is picked and its first rows
 * shown with the extract's settings, and a file that lacks a column the load reads keeps the
 * workflow from being saved until the right one is picked.
 */
describe('the workflow builder with an SFTP extract, in the console', function () {
  this.timeout(180_000);
  let server: ConsoleServer;
  let sshd: Sshd;
  let db: Db;
  let passed = false;
  /** A folder of this test's own in the login's home, where the browser starts. */
  let folder: string;
  let connectionId: number;

  before(async function () {
    this.timeout(180_000);
    [sshd, server] = await Promise.all([
      startSshd(),
      startConsoleServer('the SFTP extract builder', {
        BELLWETHER_DEMO: 'off', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, SECRET_KEY: 'a-test-secret-key-of-32-characters!',
      }),
    ]);
    const home = execFileSync('getent', ['passwd', sshd.users.password.username], { encoding: 'utf8' }).split(':')[5]!;
    folder = path.join(home, `exports-${randomBytes(4).toString('hex')}`);
    await mkdir(path.join(folder, 'accounts'), { recursive: true });
    await mkdir(path.join(folder, 'locked'), { mode: 0o700 });
    await chmod(path.join(folder, 'locked'), 0o700);
    await writeFile(path.join(folder, 'accounts', 'accounts-short.csv'), 'Id;IsDeleted;Parent.Id\n001A;false;\n');
    await writeFile(path.join(folder, 'accounts', 'accounts.csv'), 'Id;IsDeleted;Name;Parent.Id\n001A;false;"Acme; Ltd";\n001B;false;Beta;001A\n001C;false\n');
    // The connection is the Connections page's business (its own test): here it is stored as that page stores it.
    ({ id: connectionId } = await createSftpConnection(server.database.db, testSecretBox, {
      name: 'Nightly exports', host: sshd.host, port: sshd.port, username: sshd.users.password.username, password: sshd.users.password.password, hostKeyFingerprint: sshd.hostKeyFingerprint,
    }));
  });
  beforeEach(() => {
    db = new Db(server.database.url, { max: 1 });
  });
  afterEach(async () => {
    await db.close();
    await server?.closeBrowsers();
  });
  after(async () => {
    await server?.stop(passed);
    await sshd?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('browses the server into a folder, previews the file picked, refuses to save a file that lacks a column, and saves the right one', async () => {
    const { page, trouble } = await server.openBrowser();
    await signIn(page, server.base, '/workflows', admin);
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.waitForURL(`${server.base}/workflows/new`);
    await page.getByLabel('Workflow name').fill('Nightly accounts from SFTP');

    await page.getByRole('button', { name: 'Add an SFTP extract' }).click();
    const extract = page.getByRole('region', { name: /^1\. Extract accounts from SFTP/ });
    assert.equal(await extract.getByLabel('SFTP connection').inputValue(), String(connectionId));
    await extract.getByLabel('Delimiter').selectOption({ label: 'Semicolon (;)' });
    const browse = extract.getByRole('button', { name: 'Browse the server of Accounts' });
    assert.equal(await browse.getAttribute('aria-expanded'), 'false');
    await browse.click();
    assert.equal(await browse.getAttribute('aria-expanded'), 'true');
    const folders = extract.getByRole('region', { name: 'Folders of the server of Accounts' });

    // The login's folder first; the test's folder is opened from the keyboard, and the reader lands on its name.
    const home = path.dirname(folder);
    await folders.getByText(`Folder ${home}`).waitFor();
    await folders.getByRole('button', { name: `Open folder ${path.basename(folder)}/` }).press('Enter');
    await folders.getByText(`Folder ${folder}`).waitFor();
    assert.deepEqual(await page.evaluate(() => {
      let element = document.activeElement;
      while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
      return element?.textContent?.trim();
    }), `Folder ${folder}`);
    assert.deepEqual((await cells(folders.getByRole('table', { name: `Entries of ${folder}` }))).map((row) => row[0]), ['Name', 'Open folder accounts/', 'Open folder locked/']);

    // A folder the login cannot read: the server's reason, and the way back.
    await folders.getByRole('button', { name: 'Open folder locked/' }).click();
    await folders.getByRole('alert').filter({ hasText: `The folder could not be listed: BAD_REQUEST${sshd.host} logged in ${sshd.users.password.username}, but cannot list ${folder}/locked: Permission denied` }).waitFor();
    await folders.getByRole('button', { name: `Back to ${folder}` }).click();
    await folders.getByRole('button', { name: 'Open folder accounts/' }).click();
    await folders.getByText(`Folder ${folder}/accounts`).waitFor();
    await folders.getByRole('button', { name: `Up to ${folder}` }).click();
    await folders.getByText(`Folder ${folder}`, { exact: true }).waitFor();
    await folders.getByRole('button', { name: 'Open folder accounts/' }).click();

    // The file without names: its rows, and the column the load needs that it lacks.
    await folders.getByRole('button', { name: 'Pick accounts-short.csv' }).click();
    const short = extract.getByRole('table', { name: new RegExp(`^The first 1 rows of ${folder}/accounts/accounts-short\\.csv \\(modified `) });
    await short.waitFor();
    assert.deepEqual(await cells(short), [['Line', 'Id', 'IsDeleted', 'Parent.Id'], ['2', '001A', 'false', '']]);
    await extract.getByRole('alert').filter({ hasText: 'The header lacks the column the load reads: Name' }).waitFor();
    assert.equal(await extract.getByLabel('Path').inputValue(), `${folder}/accounts/accounts-short.csv`);
    await assertAccessible(page, 'the SFTP extract card with its folders and preview');

    await page.getByRole('button', { name: 'Add a load' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // The builder says it above the card, and the card beside its path.
    await extract.getByRole('alert').filter({ hasText: "the file's header lacks Name" }).first().waitFor();
    assert.equal(await db.query(`select 1 from workflows where name = 'Nightly accounts from SFTP'`).then((r) => r.length), 0);

    // The right file: every row read with semicolons, the line it cannot read with its reason.
    await folders.getByRole('button', { name: 'Pick accounts.csv' }).click();
    const full = extract.getByRole('table', { name: new RegExp(`^The first 3 rows of ${folder}/accounts/accounts\\.csv \\(modified `) });
    await full.waitFor();
    assert.deepEqual(await cells(full), [
      ['Line', 'Id', 'IsDeleted', 'Name', 'Parent.Id'],
      ['2', '001A', 'false', 'Acme; Ltd', ''],
      ['3', '001B', 'false', 'Beta', '001A'],
      ['4', 'the row has 2 fields, the header has 4'],
    ]);
    await extract.getByRole('status').filter({ hasText: 'The header has every column the load reads (Id, Name, IsDeleted, Parent.Id).' }).waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 1.' }).waitFor();
    const [saved] = await db.query<{ definition: { tasks: unknown[] } }>(`select definition from workflows where name = 'Nightly accounts from SFTP'`);
    assert.deepEqual(saved!.definition.tasks[0], {
      type: 'extract', name: 'Accounts', object: 'accounts', source: 'sftp', connectionId, path: `${folder}/accounts/accounts.csv`, delimiter: ';',
    });
    // The refusals the page showed (400) were the test's doing; the 401 is the page before signing in.
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });
});
