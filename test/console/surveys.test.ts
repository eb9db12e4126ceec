import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createSurvey } from '../../core/surveys/queries.ts';
import { eventually } from '../helpers/eventually.ts';
import type { Trouble } from '../widget/embed-page.ts';
import { assertAccessible } from './console-page.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const admin = { email: 'surveys-admin@bellwether.example', password: 'a-long-admin-password' };
const zoe = 'zoe.muller@helvetia-precision.example';

/**
 * Contact rules and a survey sent by hand, as an admin uses them: `npm start`'s real server with the
 * demo company (whose first sync invited its contacts, into the outbox), the built bundle, Chromium.
 * The survey is saved beforehand, as a builder would; every step after that goes through the console.
 */
describe('the console: contact rules and sending a survey', function () {
  this.timeout(120_000);
  let server: ConsoleServer;
  let passed = true;
  let demoDirectory: number;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer('the console surveys in the browser', { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, SMTP_URL: '' });
    const db = server.database.db;
    await createSurvey(db, { name: 'Renewal check-in', title: 'Renewal check-in' });
    const [demo] = await db.query<{ id: number }>('select id::int from directories where demo');
    demoDirectory = demo!.id;
    // The demo's own invitations are out before the admin arrives.
    await eventually(async () => assert.equal((await db.query(`select 1 from outbox_messages where mail_to = $1`, [zoe])).length, 1), { what: "the demo's invitation to Zoë", timeoutMs: 30_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'passed') passed = false;
    await server.closeBrowsers();
  });

  after(() => server?.stop(passed));

  async function signedIn(path: string): Promise<{ page: Page; trouble: Trouble }> {
    const { page, trouble } = await server.openBrowser();
    await page.goto(server.base + path);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(server.base + path);
    return { page, trouble };
  }

  const signedOut = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';

  it("allows a second invitation a month in the demo directory, then sends a survey to the contacts a search finds: Zoë's second invitation is in the outbox", async () => {
    const { page, trouble } = await signedIn('/settings/directories');
    const rules = page.getByRole('region', { name: 'Contact rules' });
    await rules.getByLabel('Directory').selectOption({ label: 'Demo (Northwind)' });
    await rules.getByText('The default rule: one invitation per 30 days.').waitFor();
    await rules.getByLabel('At most').fill('2');
    await rules.getByRole('button', { name: 'Save the rule' }).click();
    await rules.getByText(/The rule is saved\.$/).waitFor();
    assert.deepEqual([await rules.getByLabel('At most').inputValue(), await rules.getByLabel('every').inputValue()], ['2', '30']);
    await assertAccessible(page, 'Settings → Directories with contact rules');

    await page.goto(`${server.base}/surveys?directory=${demoDirectory}`);
    const form = page.getByRole('form', { name: 'Send a survey' });
    await form.getByLabel('Survey').selectOption({ label: 'Renewal check-in' });
    await form.getByLabel('the contacts matching a search').check();
    await form.getByLabel('Name, email or id contains').fill('zoe.muller');
    await assertAccessible(page, 'the form that sends a survey');
    await form.getByRole('button', { name: 'Send the survey' }).click();
    await page.getByRole('status').filter({ hasText: /Distribution \d+ is sending: 1 to invite, 0 skipped\./ }).waitFor();

    await page.getByRole('link', { name: 'Open the outbox' }).click();
    await page.waitForURL(`${server.base}/mail`);
    const messages = page.getByRole('table', { name: 'Messages, newest first' });
    // The newest message is the new survey's invitation to Zoë (the demo's first one is further down the list).
    await eventually(async () => {
      const newest = await messages.locator('tbody tr').first().innerText();
      if (!newest.includes('Renewal check-in')) {
        await page.reload();
        throw new Error('the second invitation is not in the outbox yet');
      }
      assert.match(newest, new RegExp(zoe.replaceAll('.', '\\.')));
    }, { what: "Zoë's second invitation", timeoutMs: 30_000, intervalMs: 500 });
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== signedOut), trouble.dialogs], [[], [], []]);
  });
});
