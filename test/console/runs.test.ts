import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createSurvey } from '../../core/surveys/queries.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { eventually } from '../helpers/eventually.ts';
import { accountHeader, contactHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { assertAccessible } from './console-page.ts';
import type { Trouble } from '../widget/embed-page.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const admin = { email: 'runs-admin@bellwether.example', password: 'a-long-admin-password' };

/** An address the load rejects, long and with no place to break a line: its row error must not widen the page. */
const longAddress = `notanaddress${'withoutanyatsign'.repeat(25)}`;

/**
 * The runs in the console, as an admin uses them: `npm start`'s real server (without the demo), the
 * built bundle, Chromium at 1280 px. The workflows are saved beforehand, as a builder would; every
 * step after that goes through the console's pages.
 */
describe('the console: runs', function () {
  this.timeout(120_000);
  let server: ConsoleServer;
  let base: string;
  let passed = true;

  before(async function () {
    this.timeout(180_000);
    const importDir = await tempDir();
    await writeCsv(importDir, 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme Holding', '']]);
    // Two contacts to invite, one without an address (skipped), one the load rejects.
    await writeCsv(importDir, 'contacts.csv', [
      contactHeader,
      ['003A', 'false', 'CEO', '001A', 'ada@acme.example', 'Ada', 'Lovelace'],
      ['003B', 'false', '', '001A', 'bob@acme.example', 'Bob', 'Byte'],
      ['003C', 'false', '', '001A', '', 'Cy', 'Nomail'],
      ['003D', 'false', '', '001A', longAddress, 'Lo', 'Ng'],
    ]);
    server = await startConsoleServer('the console runs in the browser', {
      IMPORT_DIR: importDir, BELLWETHER_DEMO: 'off', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, SMTP_URL: '',
    });
    base = server.base;
    const db = server.database.db;
    const survey = await createSurvey(db, { name: 'Quarterly NPS' });
    const mapping = { clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR', '': 'ACCOUNT_MEMBER' } } };
    await createWorkflow(db, {
      name: 'Nightly import',
      definition: {
        schedule: { daily: '06:00' },
        tasks: [
          { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: 'accounts.csv' },
          { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: 'contacts.csv' },
          { type: 'load', name: 'load', directoryId: 1, extracts: { accounts: 'accounts', contacts: 'contacts' }, mapping, mailingListName: 'Nightly' },
          { type: 'distribute', name: 'invite', load: 'load', surveyId: survey.id, send: 'now' },
        ],
      },
    }, importDir);
    // Its file is never there: each run fails.
    await createWorkflow(db, {
      name: 'Broken import',
      definition: {
        tasks: [
          { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: 'missing.csv' },
          { type: 'load', name: 'load', directoryId: 1, extracts: { accounts: 'accounts' }, mapping },
        ],
      },
    }, importDir);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'passed') passed = false;
    await server.closeBrowsers();
  });

  after(() => server?.stop(passed));

  /** Opens `path` in a fresh browser and signs in there with the keyboard. */
  async function signedIn(path: string): Promise<{ page: Page; trouble: Trouble }> {
    const { page, trouble } = await server.openBrowser();
    await page.goto(base + path);
    await page.getByLabel('Email').focus();
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(base + path);
    return { page, trouble };
  }

  /** What the browser logs when the console asks who is signed in before anyone is. */
  const signedOut = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';
  const runsTable = (page: Page) => page.getByRole('table', { name: 'Runs, newest first' });

  /** Starts a workflow from the workflows page and waits on its runs page until its run has ended in `state`. */
  async function runNow(page: Page, workflow: string, state: 'succeeded' | 'failed'): Promise<void> {
    await page.getByRole('button', { name: `Run now: ${workflow}` }).click();
    await page.getByRole('status').filter({ hasText: 'Started' }).getByRole('link', { name: 'runs page' }).click();
    await page.waitForURL(/\/runs\?workflow=\d+$/);
    // The worker takes a moment to start and end the run: the list is read again until it shows it ended.
    await eventually(async () => {
      if ((await runsTable(page).getByRole('cell', { name: state, exact: true }).count()) > 0) return;
      await page.getByRole('button', { name: 'Filter' }).click();
      throw new Error(`the run is not listed as ${state} yet`);
    }, { what: `the run of ${workflow} ends ${state}`, timeoutMs: 30_000, intervalMs: 250 });
  }

  it("shows a workflow's next scheduled run, a run's distribution with the outbox, and Run again opens the new run; row errors stay inside the page", async () => {
    const { page, trouble } = await signedIn('/workflows');
    // The daily 06:00 (UTC) schedule: its next start, as the reader's browser writes dates.
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 6));
    if (next <= now) next.setUTCDate(next.getUTCDate() + 1);
    const written = await page.evaluate((iso) => new Date(iso).toLocaleString(), next.toISOString());
    const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
    await row('Nightly import').getByRole('cell', { name: written, exact: true }).waitFor();
    await row('Broken import').getByRole('cell', { name: 'on demand', exact: true }).waitFor();
    await assertAccessible(page, 'the workflows with their next runs');

    await runNow(page, 'Nightly import', 'succeeded');
    await runsTable(page).getByRole('link', { name: /^Run \d+$/ }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const first = new URL(page.url()).pathname;
    await page.getByText(/^Run \d+ succeeded$/).waitFor();
    // Ada and Bob are invited, Cy has no address, and the load rejected the fourth.
    const distribution = page.getByRole('table', { name: 'Distribution' }).locator('tbody tr');
    await eventually(async () => assert.match(await distribution.innerText(), /^Distribution \d+\tcontacts the run added\tfinished\t2\t1\tno email: 1\t2$/), { what: 'the distribution is sent', timeoutMs: 20_000, intervalMs: 250 });
    const errors = page.getByRole('table', { name: /^Errors 1–1 of 1/ });
    await errors.getByText(longAddress, { exact: false }).waitFor();
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth }));
    assert.ok(widths.page <= widths.window, `the page scrolls sideways: ${JSON.stringify(widths)}`);
    const box = await page.getByRole('region', { name: 'Row errors table' }).boundingBox();
    assert.ok(box && box.x + box.width <= 1280, `the row errors' box ends at ${box && box.x + box.width}`);
    await assertAccessible(page, 'a run with its distribution');

    await page.getByRole('link', { name: 'Open the outbox' }).click();
    await page.waitForURL(`${base}/mail`);
    const messages = page.getByRole('table', { name: 'Messages, newest first' });
    await messages.getByText('ada@acme.example').waitFor();
    await messages.getByText('bob@acme.example').waitFor();

    await page.goBack();
    await page.waitForURL(base + first);
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.waitForURL((url) => /^\/runs\/\d+$/.test(url.pathname) && url.pathname !== first);
    await page.getByText(/^Run \d+ succeeded$/).waitFor({ timeout: 30_000 });
    // The same file again: the contacts are in the directory already, so nobody is invited twice.
    await eventually(async () => assert.match(await distribution.innerText(), /^Distribution \d+\tcontacts the run added\tfinished\t0\t3\talready in the directory: 3\t0$/), { what: 'the second distribution is done', timeoutMs: 20_000, intervalMs: 250 });
    const again = Number(new URL(page.url()).pathname.split('/').pop());
    assert.ok(again > Number(first.split('/').pop()));
    await page.getByRole('link', { name: /^workflow \d+$/ }).waitFor();
    // The new run's page may read it before a worker has started it: the API answers 404, and the page waits.
    const notStartedYet = 'Failed to load resource: the server responded with a status of 404 (Not Found)';
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== signedOut && e !== notStartedYet), trouble.dialogs], [[], [], []]);
  });

  it('filters the runs by workflow, state and the day they started', async () => {
    const { page, trouble } = await signedIn('/workflows');
    await runNow(page, 'Broken import', 'failed');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Runs' }).click();
    await page.waitForURL(`${base}/runs`);
    const workflows = async () => (await runsTable(page).locator('tbody tr td:nth-child(2)').allInnerTexts()).sort();
    await eventually(async () => assert.deepEqual(await workflows(), ['Broken import (v1)', 'Nightly import (v1)', 'Nightly import (v1)']), { what: 'every run is listed' });

    const filter = async (values: { workflow?: string; state?: string; date?: string }) => {
      await page.getByLabel('Workflow').selectOption({ label: values.workflow ?? 'Any workflow' });
      await page.getByLabel('State').selectOption(values.state ?? '');
      await page.getByLabel('Started on').fill(values.date ?? '');
      await page.getByRole('button', { name: 'Filter' }).click();
    };
    await filter({ workflow: 'Nightly import' });
    await page.waitForURL(/\/runs\?workflow=\d+$/);
    await eventually(async () => assert.deepEqual(await workflows(), ['Nightly import (v1)', 'Nightly import (v1)']), { what: 'the runs of one workflow' });
    await filter({ state: 'failed' });
    await page.waitForURL(`${base}/runs?state=failed`);
    await eventually(async () => assert.deepEqual(await workflows(), ['Broken import (v1)']), { what: 'the failed runs' });
    await assertAccessible(page, 'the runs, filtered');

    // Today and yesterday as the reader's browser counts days.
    const [today, yesterday] = await page.evaluate(() => {
      const day = (offset: number) => {
        const d = new Date();
        d.setDate(d.getDate() + offset);
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      };
      return [day(0), day(-1)];
    });
    await filter({ date: today! });
    await eventually(async () => assert.equal((await workflows()).length, 3), { what: "today's runs" });
    await filter({ date: yesterday! });
    await page.getByText('No runs yet.').waitFor();
    // The filters live in the address: a reload shows the same list.
    await page.reload();
    assert.equal(await page.getByLabel('Started on').inputValue(), yesterday);
    await page.getByText('No runs yet.').waitFor();
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== signedOut), trouble.dialogs], [[], [], []]);
  });
});
