import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { createTestDatabase, freePort, type TestDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';
import { tempDir } from '../helpers/files.ts';
import { watch, type Trouble } from '../widget/embed-page.ts';
import { assertAccessible, tabTo, withAxe } from './console-page.ts';

const root = path.join(import.meta.dirname, '..', '..');
const demo = path.join(root, 'examples', 'demo');
const admin = { email: 'admin@bellwether.example', password: 'a-long-admin-password' };
/** Holds an account management role on demo accounts, so My accounts has accounts to show. */
const viewerEmail = 'sofia.marchetti@northwind.example';

const sections = ['Directory', 'Connections', 'Workflows', 'Runs', 'Surveys', 'Widgets', 'Outbox', 'Settings'];

/**
 * The console as a person uses it: `npm start`'s real server, the built bundle, Chromium. Every step
 * goes through the console's pages (the workflow it runs is saved beforehand, as a builder would).
 */
describe('the console in the browser', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let child: ChildProcess;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let passed = true;

  before(async function () {
    this.timeout(180_000);
    database = await createTestDatabase('the console in the browser');
    const importDir = await tempDir();
    for (const file of ['accounts.csv', 'contacts.csv', 'team_members.csv']) await copyFile(path.join(demo, file), path.join(importDir, file));
    // A contact the load rejects and a title it cannot map to a role, so the run has row errors to show.
    await appendFile(path.join(importDir, 'contacts.csv'), [
      '003Nw0000099998IAA,false,Buyer,001Nw0000010000IAA,not-an-email,Ada,Broken,Procurement,en',
      '003Nw0000099999IAA,false,Buyer,001Nw0000010000IAA,bob@example.com,Bob,Buyer,Procurement,en',
    ].join('\n') + '\n');
    const port = await freePort();
    base = `http://localhost:${port}`;
    await buildWidget();
    child = spawn(process.execPath, [path.join(root, 'bin', 'start.ts')], {
      env: {
        ...process.env, DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_API_KEY: '', IMPORT_DIR: importDir,
        ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, EMBED_TOKEN_KEY: 'a-console-embed-token-key-of-32-characters',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    for await (const chunk of child.stdout!) {
      banner += String(chunk);
      if (banner.includes('Try:')) break;
    }
    const mapping: unknown = JSON.parse(await readFile(path.join(demo, 'mapping.json'), 'utf8'));
    await createWorkflow(database.db, {
      name: 'Demo files',
      definition: {
        tasks: [
          { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: 'accounts.csv' },
          { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: 'contacts.csv' },
          { type: 'extract', name: 'team', object: 'teamMembers', source: 'file', path: 'team_members.csv' },
          { type: 'load', name: 'load', directoryId: 1, extracts: { accounts: 'accounts', contacts: 'contacts', teamMembers: 'team' }, mapping },
        ],
      },
    }, importDir);
    browser = await launchChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'passed') passed = false;
    for (const context of contexts.splice(0)) await context.close();
  });

  after(async () => {
    await browser?.close();
    if (child?.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    if (passed) await database.drop();
    else await database.db.close();
  });

  /** A fresh browser (no cookie) with axe and a watch for CSP violations and script errors. */
  async function openBrowser(): Promise<{ page: Page; trouble: Trouble }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await withAxe(page);
    return { page, trouble: await watch(page) };
  }

  /** Signs in with the keyboard only: Tab between the fields, Enter to send. */
  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email').focus();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
  }

  /** What the browser logs when the console asks who is signed in before anyone is. */
  const signedOut = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';

  /** Chooses the demo company's directory in the header, as a person would; answers its id. */
  async function showDemo(page: Page): Promise<string> {
    const picker = page.getByRole('combobox', { name: 'Directory' });
    await picker.selectOption({ label: 'Demo (Northwind)' });
    return picker.inputValue();
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 });
  const navigation = (page: Page) => page.getByRole('navigation', { name: 'Sections' });

  it('signs in from ADMIN_EMAIL and ADMIN_PASSWORD, shows every section in order, and passes axe on each page', async () => {
    const { page, trouble } = await openBrowser();
    const response = await page.goto(`${base}/`);
    assert.match(response!.headers()['content-security-policy']!, /^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/);
    await page.getByRole('heading', { name: 'Sign in to Bellwether' }).waitFor();
    await assertAccessible(page, 'the sign-in page');
    await signIn(page, admin.email, 'not the password at all');
    await page.getByRole('alert').filter({ hasText: 'INVALID_CREDENTIALS' }).waitFor();
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL(`${base}/directory`);
    assert.deepEqual(await navigation(page).getByRole('link').allInnerTexts(), [...sections, 'My accounts']);
    // Your own data starts in the empty default directory; the demo company has its own.
    await page.getByText('No accounts yet.').waitFor();
    const demoDirectory = await showDemo(page);
    await page.waitForURL(`${base}/directory?directory=${demoDirectory}`);
    await page.getByRole('link', { name: 'Helvetia Precision AG' }).first().waitFor();

    // The Directory and Runs links keep the directory chosen: Runs shows the demo's load.
    const shown: Record<string, string | RegExp> = {
      Directory: 'Accounts', Connections: 'No SFTP connections yet.', Workflows: 'Demo files', Runs: /^Run \d+$/, Surveys: 'Demo NPS',
      Widgets: 'Widget configurations', Outbox: 'Messages, newest first', Settings: 'Everyone who may sign in or was invited',
    };
    for (const section of sections) {
      await navigation(page).getByRole('link', { name: section }).click();
      await heading(page).filter({ hasText: section }).waitFor();
      await page.getByText(shown[section]!, { exact: true }).first().waitFor();
      assert.equal(await navigation(page).getByRole('link', { name: section }).getAttribute('aria-current'), 'page');
      await assertAccessible(page, `the ${section} page`);
    }
    // The browser logs the two refusals the page expected: who is signed in (no one yet), and the wrong password.
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut, signedOut], []]);
  });

  it('lands on the same page after a reload, and follows back and forward', async () => {
    const { page, trouble } = await openBrowser();
    await page.goto(`${base}/directory`);
    await signIn(page, admin.email, admin.password);
    const demoDirectory = await showDemo(page);
    await page.getByRole('link', { name: 'Helvetia Precision AG' }).first().click();
    await page.getByRole('heading', { name: 'Helvetia Precision AG', level: 2 }).waitFor();
    const accountUrl = page.url();
    assert.match(accountUrl, /\/directory\/accounts\/\w+\?directory=\d+$/);
    await assertAccessible(page, 'an account');

    await page.reload();
    await page.getByRole('heading', { name: 'Helvetia Precision AG', level: 2 }).waitFor();
    assert.equal(page.url(), accountUrl);

    await page.goBack();
    await page.waitForURL(`${base}/directory?directory=${demoDirectory}`);
    await page.getByRole('table', { name: 'Accounts' }).waitFor();
    await page.goForward();
    await page.waitForURL(accountUrl);
    await page.getByRole('heading', { name: 'Helvetia Precision AG', level: 2 }).waitFor();

    // A deep link opened in a new tab, signed in by the same cookie.
    const other = await page.context().newPage();
    await other.goto(`${base}/directory/contacts?directory=${demoDirectory}`);
    await other.getByRole('table', { name: 'Contacts' }).waitFor();
    // A link to what is not there shows the server's error where the page would be.
    await page.goto(`${base}/runs/987654`);
    await page.getByRole('alert').filter({ hasText: 'Run 987654 could not be read: NOT_FOUNDrun 987654 does not exist' }).waitFor();
    const notFound = 'Failed to load resource: the server responded with a status of 404 (Not Found)';
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut, notFound], []]);
  });

  it("runs a workflow from its list and shows the run's progress bar reach the end", async () => {
    const { page, trouble } = await openBrowser();
    await page.goto(`${base}/workflows`);
    await signIn(page, admin.email, admin.password);
    await page.getByRole('button', { name: 'Run now: Demo files' }).click();
    await page.getByRole('status').filter({ hasText: 'Started' }).getByRole('link', { name: 'runs page' }).click();
    await page.waitForURL(/\/runs\?workflow=\d+$/);
    await page.getByLabel('Workflow').locator('option', { hasText: 'Demo files' }).waitFor({ state: 'attached' });
    assert.equal(await page.getByLabel('Workflow').inputValue(), await page.getByLabel('Workflow').locator('option', { hasText: 'Demo files' }).getAttribute('value'));
    // The worker may take a moment to pick the run up: the list is read again until it shows it.
    const runLink = page.getByRole('table', { name: 'Runs, newest first' }).getByRole('link', { name: /^Run \d+$/ });
    await eventually(async () => {
      if ((await runLink.count()) > 0) return;
      await page.getByRole('button', { name: 'Filter' }).click();
      throw new Error('the run is not listed yet');
    }, { what: 'the run shows in the list', timeoutMs: 30_000, intervalMs: 200 });
    await runLink.click();
    const bar = page.locator('bw-run progress');
    await page.getByText(/^Run \d+ succeeded$/).waitFor();
    assert.deepEqual([await bar.getAttribute('value'), await bar.getAttribute('max')], ['5', '5']);
    await page.getByRole('rowheader', { name: 'accounts', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Row errors (3)' }).waitFor();
    const errors = page.getByRole('table', { name: /^Errors 1–3 of 3/ });
    assert.deepEqual(await errors.locator('tbody tr').allInnerTexts(), [
      'contacts\tcontacts.csv\t322\t003Nw0000099998IAA\tEmail\tINVALID_EMAIL\tEmail "not-an-email" is not a valid email address',
      'clientRoles\tcontacts.csv\t323\t003Nw0000099999IAA\tTitle\tUNMAPPED_ROLE\tTitle "Buyer" has no client role in the value mapping',
      // The demo's own team file gives one account two owners.
      'managementRoles\tteam_members.csv\t41\t001Nw000001OOWJIA4/noah.fischer@northwind.example\tTeamMemberRole\tDUPLICATE_ACCOUNT_OWNER\taccount 001Nw000001OOWJIA4 already has an ACCOUNT_OWNER: priya.raman@northwind.example comes first, on line 40; skipped',
    ]);
    await page.getByLabel('Filter these errors').fill('unmapped');
    assert.deepEqual(await errors.locator('tbody tr td code').allInnerTexts(), ['UNMAPPED_ROLE']);
    const download = page.getByRole('link', { name: 'Download all 3 row errors as CSV' });
    assert.deepEqual([await download.getAttribute('href'), await download.getAttribute('download')], [`${new URL(page.url()).pathname.replace(/^/, '/api')}/errors.csv`, '']);
    await assertAccessible(page, 'a run');
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut], []]);
    // Git-ignored; a reviewer opens it to see the console as the test saw it (docs/images/console.png is one).
    await page.getByLabel('Filter these errors').fill('');
    await page.screenshot({ path: path.join(root, 'test-results', 'console-run.png') });
  });

  it('creates, renames and deletes a directory with the keyboard, saying what deleting removes, and shows a refusal beside its form', async () => {
    const { page, trouble } = await openBrowser();
    await page.goto(`${base}/settings/directories`);
    await signIn(page, admin.email, admin.password);
    const table = page.getByRole('table', { name: 'Directories' });
    await table.getByRole('cell', { name: 'Default', exact: true }).waitFor();
    await assertAccessible(page, 'Settings → Directories');

    await tabTo(page, "New directory's name");
    await page.keyboard.type('Default');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: /^Not created: CONFLICT/ }).waitFor();
    await page.getByLabel("New directory's name").fill('');
    await page.keyboard.type('Benelux');
    await page.keyboard.press('Enter');
    await table.getByRole('cell', { name: 'Benelux', exact: true }).waitFor();

    await tabTo(page, 'Rename: Benelux');
    await page.keyboard.press('Enter');
    await page.getByLabel('New name').fill('Benelux region');
    await page.keyboard.press('Enter');
    await table.getByRole('cell', { name: 'Benelux region', exact: true }).waitFor();

    await tabTo(page, 'Delete: Benelux region');
    await page.keyboard.press('Enter');
    await page.getByText('Deleting “Benelux region” removes 0 accounts, 0 contacts, 0 runs, 0 mailing lists and 0 widget configurations.').waitFor();
    await assertAccessible(page, 'a delete to confirm');
    await tabTo(page, 'Delete it and all it holds');
    await page.keyboard.press('Enter');
    await table.getByRole('cell', { name: 'Benelux region', exact: true }).waitFor({ state: 'detached' });
    assert.deepEqual(await table.locator('tbody tr td:nth-child(2)').allInnerTexts(), ['Default', 'Demo (Northwind)']);
    const conflict = 'Failed to load resource: the server responded with a status of 409 (Conflict)';
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut, conflict], []]);
  });

  it('invites a viewer, whose invitation opens from the outbox, and who then sees only My accounts', async () => {
    const { page, trouble } = await openBrowser();
    await page.goto(`${base}/settings/people`);
    await signIn(page, admin.email, admin.password);
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill(viewerEmail);
    await form.getByLabel('Name').fill('Sofia Marchetti');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByRole('status').filter({ hasText: `Invitation sent to ${viewerEmail}.` }).waitFor();
    const row = page.getByRole('row').filter({ hasText: viewerEmail });
    assert.deepEqual([await row.getByRole('combobox').inputValue(), await row.getByRole('cell', { name: 'invited' }).count()], ['viewer', 1]);
    await assertAccessible(page, 'Settings → People');

    await navigation(page).getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('table', { name: 'Messages, newest first' }).getByRole('button').first().click();
    await page.getByRole('heading', { level: 2 }).filter({ hasText: 'invit' }).waitFor();
    const invitation = await page.locator('bw-outbox ul.links a').first().getAttribute('href');
    assert.match(invitation!, new RegExp(`^${base}/invite\\?token=`));

    const viewer = await openBrowser();
    await viewer.page.goto(invitation!);
    await viewer.page.getByText(`For ${viewerEmail}.`).waitFor();
    await assertAccessible(viewer.page, 'the invitation page');
    await viewer.page.getByLabel('Password (12 characters or more)').fill('a-long-viewer-password');
    await viewer.page.getByRole('button', { name: 'Accept and sign in' }).click();
    await viewer.page.waitForURL(`${base}/my-accounts`);
    assert.deepEqual(await navigation(viewer.page).getByRole('link').allInnerTexts(), ['My accounts']);
    const accounts = viewer.page.locator('strategic-accounts tbody tr');
    await accounts.first().waitFor();
    assert.ok((await accounts.count()) > 0);
    await assertAccessible(viewer.page, 'My accounts');

    await viewer.page.goto(`${base}/runs`);
    await viewer.page.waitForURL(`${base}/my-accounts`);
    await viewer.page.getByRole('button', { name: 'Sign out' }).click();
    await viewer.page.getByRole('heading', { name: 'Sign in to Bellwether' }).waitFor();
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut], []]);
    assert.deepEqual([await viewer.trouble.violations(), viewer.trouble.errors, viewer.trouble.dialogs], [[], [signedOut], []]);
  });

  it('opens an outbox message in a sandboxed frame, its links labelled', async () => {
    const { page, trouble } = await openBrowser();
    await page.goto(`${base}/mail`);
    await signIn(page, admin.email, admin.password);
    // The oldest on the first page is one of the demo's survey invitations (an earlier test mailed a newer one).
    await page.getByRole('table', { name: 'Messages, newest first' }).getByRole('button').last().click();
    const frame = page.locator('bw-outbox iframe');
    assert.deepEqual([await frame.getAttribute('sandbox')], ['']);
    await page.frameLocator('bw-outbox iframe').getByText('How likely are you to recommend').first().waitFor();
    const links = page.locator('bw-outbox ul.links li');
    assert.match(await links.first().innerText(), new RegExp(`→ ${base}/s/\\S+`));
    await assertAccessible(page, 'an opened message');
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut], []]);
  });
});
