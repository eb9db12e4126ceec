import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createSftpConnection } from '../../core/connections/sftp.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import type { Db } from '../../core/db.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { freePort } from '../helpers/database.ts';
import { tempDir } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { seedCompany } from '../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';
import { addUser, goodPassword } from '../server/people-fixture.ts';
import { serve, testApp, testSecretBox, type Served } from '../server/serve.ts';
import { watch, type Trouble } from '../widget/embed-page.ts';
import { assertAccessible, withAxe } from './console-page.ts';

const adminEmail = 'ada@bellwether.example';
const editorEmail = 'ed@bellwether.example';

/**
 * The Connections page in Chromium on the built bundle, against a real OpenSSH server and the
 * Salesforce stand-in: every step is the admin's, in the page (the workflow that reads from the org
 * is saved beforehand, as a builder would).
 */
describe('the Connections page in the browser', function () {
  this.timeout(120_000);
  let db: Db;
  let sshd: Sshd;
  let standIn: SalesforceStandIn;
  let api: Served;
  let browser: Browser;
  let page: Page;
  let trouble: Trouble;

  before(async function () {
    this.timeout(180_000);
    [sshd] = await Promise.all([startSshd(), buildWidget()]);
    await writeFile(path.join(sshd.root, 'accounts.csv'), 'Id,Name\n001A,Acme\n');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await sshd?.stop();
  });

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    // One org per test: closing it ends the connections the server keeps open to it.
    standIn = await startStandIn();
    seedCompany(standIn);
    const port = await freePort();
    const salesforceApp = { clientId: standIn.app.clientId, clientSecret: standIn.app.clientSecret, callbackUrl: `http://localhost:${port}/oauth/salesforce/callback`, loginUrl: standIn.url };
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { salesforceApp }), port);
    await addUser(db, adminEmail, 'admin');
    await addUser(db, editorEmail, 'editor');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await withAxe(page);
    trouble = await watch(page);
  });

  async function openConnections(email = adminEmail): Promise<void> {
    await page.goto(`${api.base}/connections`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(goodPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'SFTP servers' }).waitFor();
  }
  afterEach(async () => {
    // What the browser may log: the refusals the page showed (who is signed in before anyone is, a wrong password, a removal refused).
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/^Failed to load resource: the server responded with a status of (400|401|409)/.test(e)), trouble.dialogs], [[], [], []]);
    await page.context().close();
    await api.close();
    await standIn.close();
  });

  /** Presses Tab until the focused control, inside the console's shadow roots, is named `name`. */
  async function tabTo(name: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        let element = document.activeElement;
        while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
        return (element?.getAttribute('aria-label') ?? element?.textContent ?? '').trim();
      });
      if (focused === name) return;
    }
    assert.fail(`Tab never reached "${name}"`);
  }

  const form = () => page.getByRole('form', { name: /^(Add an SFTP server|Edit )/ });
  const finding = () => form().getByRole('status');

  it('adds an SFTP server: shows its host key to trust, refuses a wrong password next to it, lists the folder, saves; then trusts the key the server changed to', async () => {
    await openConnections();
    await page.getByRole('status').filter({ hasText: 'No SFTP connections yet.' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'No Salesforce connections yet.' }).waitFor();
    await assertAccessible(page, 'the empty Connections page');

    await tabTo('Add an SFTP server');
    await page.keyboard.press('Enter');
    await form().getByLabel('Name').fill('Exports');
    await form().getByLabel('Host').fill(sshd.host);
    await form().getByLabel('Port').fill(String(sshd.port));
    await form().getByLabel('User').fill(sshd.users.password.username);
    await form().getByLabel('Password', { exact: true }).fill('not-the-password');
    await form().getByLabel('Folder to list').fill(sshd.root);
    assert.equal(await form().getByRole('button', { name: 'Save' }).isDisabled(), true, 'nothing is saved before a host key is trusted');
    await tabTo('Test connection');
    await page.keyboard.press('Enter');
    await finding().filter({ hasText: `The server presents the host key ${sshd.hostKeyFingerprint}.` }).waitFor();
    await assertAccessible(page, 'a host key to trust');

    await form().getByRole('button', { name: `Trust ${sshd.hostKeyFingerprint}` }).click();
    const refused = form().getByRole('alert');
    await refused.filter({ hasText: `SFTP_LOGIN_REFUSED${sshd.host}:${sshd.port} refused the login of ${sshd.users.password.username} with the password given` }).waitFor();
    // The refusal sits right after the password field that caused it.
    assert.equal(await form().locator('label:has(input[name="password"]) + p[role="alert"]').count(), 1);

    await form().getByLabel('Password', { exact: true }).fill(sshd.users.password.password);
    await form().getByRole('button', { name: 'Test connection' }).click();
    await finding().filter({ hasText: `Logged in. ${sshd.root} holds:` }).getByText('accounts.csv (18 bytes)').waitFor();
    await assertAccessible(page, 'a folder listed');
    await form().getByRole('button', { name: 'Save' }).click();
    const row = page.getByRole('table', { name: 'SFTP connections' }).getByRole('row', { name: /Exports/ });
    await row.getByText(sshd.hostKeyFingerprint).waitFor();
    assert.equal(await row.getByRole('cell').nth(1).innerText(), `${sshd.users.password.username}@${sshd.host}:${sshd.port}`);

    // The server's key changes on purpose: the edit shows the new key next to the trusted one.
    const oldKey = sshd.hostKeyFingerprint;
    const newKey = await sshd.rekey();
    await page.getByRole('button', { name: 'Edit: Exports' }).click();
    await form().getByLabel('Name').fill('Nightly exports');
    await form().getByLabel('Folder to list').fill(sshd.root);
    await form().getByRole('button', { name: 'Test connection' }).click();
    await finding().filter({ hasText: `The server presents the host key ${newKey}. The connection trusts ${oldKey}: if the server’s key changed on purpose, trust the new one.` }).waitFor();
    await form().getByRole('button', { name: `Trust ${newKey}` }).click();
    await finding().filter({ hasText: 'Logged in.' }).waitFor();
    await form().getByRole('button', { name: 'Save' }).click();
    const renamed = page.getByRole('table', { name: 'SFTP connections' }).getByRole('row', { name: /Nightly exports/ });
    await renamed.getByText(newKey).waitFor();
    await assertAccessible(page, 'the SFTP connection saved');
  });

  it('connects a Salesforce org through its login, shows its user, API version and usage, renames it, and names the workflows before removing it', async () => {
    await openConnections();
    standIn.dailyApiRequests = { max: 15_000, usedByOthers: 2_000 };
    const connect = page.getByRole('form', { name: 'Connect a Salesforce org' });
    await connect.getByLabel('Name').fill('Production');
    await connect.getByLabel('Login server').fill(standIn.url);
    await page.getByRole('button', { name: 'Connect a Salesforce org' }).click();
    await page.waitForURL(/\/connections\?connected=\d+$/);
    await page.getByRole('status').filter({ hasText: 'Connected “Production”.' }).waitFor();
    const row = page.getByRole('table', { name: 'Salesforce connections' }).getByRole('row', { name: /Production/ });
    const usage = row.locator('dl');
    await usage.getByText(standIn.user.username).waitFor();
    assert.deepEqual(await usage.locator('dd').allInnerTexts(), [standIn.org.id, standIn.user.username, '62.0', `${(2_000 + standIn.apiCalls).toLocaleString('en-US')} of 15,000 (${(15_000 - 2_000 - standIn.apiCalls).toLocaleString('en-US')} left)`]);
    await assertAccessible(page, 'a connected org');

    // A name taken: the login is refused before it starts, and the page shows why next to the form.
    await connect.getByLabel('Name').fill('Production');
    await connect.getByLabel('Login server').fill(standIn.url);
    await page.getByRole('button', { name: 'Connect a Salesforce org' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not connected: CONFLICTa Salesforce connection named "Production" already exists' }).waitFor();
    assert.equal(await page.locator('bw-salesforce-connect').locator('form[aria-label="Connect a Salesforce org"] + p[role="alert"]').count(), 1);

    await row.getByRole('button', { name: 'Rename: Production' }).click();
    await page.getByRole('form', { name: 'Rename Production' }).getByLabel('New name').fill('Sales org');
    await page.getByRole('form', { name: 'Rename Production' }).getByRole('button', { name: 'Save' }).click();
    const renamed = page.getByRole('table', { name: 'Salesforce connections' }).getByRole('row', { name: /Sales org/ });
    await renamed.waitFor();

    const [connection] = await db.query<{ id: number }>('select id::int from salesforce_connections');
    await createWorkflow(db, {
      name: 'Daily Salesforce',
      definition: { tasks: [{ type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId: connection!.id, listView: 'All_Accounts' }, { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } }] },
    }, await tempDir());
    await tabTo('Remove: Sales org');
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').getByText('Remove “Sales org”? Its secrets are deleted.').waitFor();
    await page.getByRole('button', { name: 'Remove it', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('alert').filter({ hasText: `is used by workflow "Daily Salesforce"` }).waitFor();
    await assertAccessible(page, 'a removal that breaks a workflow');
    await page.getByRole('button', { name: 'Remove it and break them' }).click();
    await page.getByRole('status').filter({ hasText: 'No Salesforce connections yet.' }).waitFor();
  });

  it('shows an editor the connections without a secret or a way to change them', async () => {
    const { password } = sshd.users.password;
    await createSftpConnection(db, testSecretBox, { name: 'Exports', host: sshd.host, port: sshd.port, username: sshd.users.password.username, password, hostKeyFingerprint: sshd.hostKeyFingerprint });
    await openConnections(editorEmail);
    const row = page.getByRole('table', { name: 'SFTP connections' }).getByRole('row', { name: /Exports/ });
    await row.getByText(sshd.hostKeyFingerprint).waitFor();
    assert.deepEqual(await page.getByRole('button').allInnerTexts(), ['Sign out']);
    assert.ok(!(await page.content()).includes(password));
    await assertAccessible(page, "an editor's Connections page");
  });
});
