import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSurvey } from '../../core/surveys/queries.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { eventually } from '../helpers/eventually.ts';
import { assertAccessible, tabTo } from './console-page.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const demo = path.join(import.meta.dirname, '..', '..', 'examples', 'demo');
const admin = { email: 'cx-admin@bellwether.example', password: 'a-long-first-hour-password' };
const files = ['accounts.csv', 'contacts.csv', 'team_members.csv'];

/**
 * A new CX admin's first hour, in the browser only: signed in from ADMIN_EMAIL and ADMIN_PASSWORD,
 * they make a directory for their company, upload its three exports, run the workflow that reads
 * them (saved beforehand, as the workflow builder will), watch the run end, browse the hierarchy it
 * loaded and open an invitation the run sent. No step calls the API.
 */
describe('the first hour in the console', function () {
  this.timeout(180_000);
  let server: ConsoleServer;
  let passed = false;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer('the first hour', {
      BELLWETHER_DEMO: 'off', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, EMBED_TOKEN_KEY: 'a-first-hour-embed-token-key-of-32-chars',
    });
    // The test saves its workflow through this pool: its connection opens here, with the server's,
    // not as something the test left running.
    await server.database.db.query('select 1');
  });
  afterEach(() => server?.closeBrowsers());
  after(() => server?.stop(passed));

  it('creates a directory, uploads three CSV files, runs a workflow to the end, browses the hierarchy and opens an invitation', async () => {
    const { page, trouble } = await server.openBrowser();
    const navigation = page.getByRole('navigation', { name: 'Sections' });

    await page.goto(`${server.base}/`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.base}/directory`);
    await page.getByText('No accounts yet.').waitFor();

    // A directory of their own, from Settings, with the keyboard.
    await navigation.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Directories' }).click();
    await tabTo(page, "New directory's name");
    await page.keyboard.type('Northwind customers');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Directories' }).getByRole('cell', { name: 'Northwind customers', exact: true }).waitFor();

    // The workflow that reads the uploads into that directory and invites its contacts.
    const [directory] = await server.database.db.query<{ id: number }>(`select id::int from directories where name = 'Northwind customers'`);
    const survey = await createSurvey(server.database.db, { name: 'Relationship NPS', title: 'How are we doing?' });
    const mapping: unknown = JSON.parse(await readFile(path.join(demo, 'mapping.json'), 'utf8'));
    await createWorkflow(server.database.db, {
      name: 'Weekly exports',
      definition: {
        tasks: [
          { type: 'extract', name: 'accounts', object: 'accounts', source: 'upload', file: 'accounts.csv' },
          { type: 'extract', name: 'contacts', object: 'contacts', source: 'upload', file: 'contacts.csv' },
          { type: 'extract', name: 'team', object: 'teamMembers', source: 'upload', file: 'team_members.csv' },
          { type: 'load', name: 'load', directoryId: directory!.id, extracts: { accounts: 'accounts', contacts: 'contacts', teamMembers: 'team' }, mapping, mailingListName: 'Weekly exports' },
          { type: 'distribute', name: 'survey', load: 'load', surveyId: survey.id, subject: 'How are we doing, {{firstName}}?' },
        ],
      },
    }, demo);

    // The three exports, uploaded in one go.
    await navigation.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'Uploaded files' }).click();
    await page.getByLabel('Files to upload (CSV)').setInputFiles(files.map((file) => path.join(demo, file)));
    await page.getByRole('button', { name: /^Upload/ }).click();
    await page.getByRole('status').filter({ hasText: 'Done: 3 of 3 uploaded.' }).waitFor();
    await assertAccessible(page, 'the uploaded files');

    // Their directory, chosen in the header, then the run started from the workflows list.
    await page.getByRole('combobox', { name: 'Directory' }).selectOption({ label: 'Northwind customers' });
    await page.waitForURL(`${server.base}/directory?directory=${directory!.id}`);
    await navigation.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('button', { name: 'Run now: Weekly exports' }).click();
    await page.getByRole('status').filter({ hasText: 'Started' }).getByRole('link', { name: 'runs page' }).click();
    const runLink = page.getByRole('table', { name: 'Runs, newest first' }).getByRole('link', { name: /^Run \d+$/ });
    await eventually(async () => {
      if ((await runLink.count()) > 0) return;
      await page.getByRole('button', { name: 'Filter' }).click();
      throw new Error('the run is not listed yet');
    }, { what: 'the run shows in the list', timeoutMs: 60_000, intervalMs: 250 });
    await runLink.click();
    await page.getByText(/^Run \d+ succeeded$/).waitFor({ timeout: 60_000 });
    const bar = page.locator('bw-run progress');
    assert.equal(await bar.getAttribute('value'), await bar.getAttribute('max'), 'the progress bar reached the end');
    // Which uploads the run read, so a later upload of the same name never blurs it.
    await page.locator('bw-run dd').filter({ hasText: /^accounts\.csv \(upload \d+, accounts\), contacts\.csv \(upload \d+, contacts\), team_members\.csv/ }).waitFor();
    await assertAccessible(page, 'the finished run');

    // The hierarchy the run loaded: Helvetia Precision AG holds Helvetia Precision GmbH.
    await navigation.getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('navigation', { name: 'Directory' }).getByRole('link', { name: 'Hierarchy' }).click();
    const tree = page.getByRole('tree', { name: 'Account hierarchy' });
    const top = tree.getByRole('treeitem').filter({ has: page.locator(':scope > .row > .name', { hasText: /^Helvetia Precision AG$/ }) });
    await top.locator('.toggle').first().click();
    await top.getByRole('treeitem').filter({ has: page.locator(':scope > .row > .name', { hasText: /^Helvetia Precision GmbH$/ }) }).waitFor();
    assert.equal(await top.getAttribute('aria-expanded'), 'true');
    await assertAccessible(page, 'the loaded hierarchy');

    // An invitation the run's distribution sent, opened in the outbox.
    await navigation.getByRole('link', { name: 'Outbox' }).click();
    const messages = page.getByRole('table', { name: 'Messages, newest first' });
    await eventually(async () => {
      if ((await messages.getByRole('button', { name: /How are we doing, / }).count()) > 0) return;
      await page.reload();
      throw new Error('no invitation in the outbox yet');
    }, { what: 'an invitation reaches the outbox', timeoutMs: 60_000, intervalMs: 500 });
    await messages.getByRole('button', { name: /How are we doing, / }).first().click();
    await page.getByRole('heading', { level: 2 }).filter({ hasText: 'How are we doing, ' }).waitFor();
    const link = await page.locator('bw-outbox ul.links a').first().getAttribute('href');
    assert.match(link!, new RegExp(`^${server.base}/s/`), 'the invitation links to its survey');
    await assertAccessible(page, 'an invitation in the outbox');

    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !e.includes('401')), trouble.dialogs], [[], [], []]);
    passed = true;
  });
});
