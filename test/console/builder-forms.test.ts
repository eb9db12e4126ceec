import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { Db } from '../../core/db.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { eventually } from '../helpers/eventually.ts';
import { connectStandIn, seedCompany } from '../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { assertAccessible, signIn } from './console-page.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const admin = { email: 'forms-admin@bellwether.example', password: 'a-long-forms-password' };

/**
 * The first three instants after `from` whose wall clock in `timeZone` `matches`, found by walking
 * every minute: slow, but it shares nothing with how the console works out a schedule.
 */
function firstThree(from: Date, timeZone: string, matches: (wall: { weekday: string; hour: number; minute: number }) => boolean): string[] {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  const found: string[] = [];
  // Schedules fire on whole minutes, and strictly after the moment they are read at.
  for (let at = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000; found.length < 3; at += 60_000) {
    const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
    if (matches({ weekday: parts.weekday!, hour: Number(parts.hour), minute: Number(parts.minute) })) found.push(new Date(at).toISOString());
  }
  return found;
}

/** The next runs the schedule card shows: each one's instant and the text a reader sees. */
async function shownRuns(page: Page): Promise<{ at: string; text: string }[]> {
  const times = page.getByText(/^Next runs:/).locator('time');
  await eventually(async () => assert.equal(await times.count(), 3), { what: 'three next runs shown' });
  return times.evaluateAll((ts) => ts.map((t) => ({ at: t.getAttribute('datetime')!, text: t.textContent!.trim() })));
}

/**
 * Checks the three next runs shown against `matches` in `timeZone`, worked out from `before` (just
 * before the schedule was set) and from just after the runs were read, so a minute turning over in
 * between still finds the card right.
 */
async function assertNextRuns(page: Page, before: Date, timeZone: string, matches: Parameters<typeof firstThree>[2]): Promise<{ at: string; text: string }[]> {
  const shown = await eventually(async () => {
    const runs = await shownRuns(page);
    const after = new Date();
    const expected = [firstThree(before, timeZone, matches), firstThree(after, timeZone, matches)];
    assert.ok(expected.some((e) => JSON.stringify(e) === JSON.stringify(runs.map((r) => r.at))), `shown ${JSON.stringify(runs)}, expected ${JSON.stringify(expected[0])}`);
    return runs;
  }, { what: 'the next runs of the new schedule' });
  return shown;
}

/**
 * The builder's forms as a new admin meets them: a schedule switched between its kinds and zones,
 * an invalid cron refused at its field, a workflow disabled; a list view picked from the org's; a
 * load's field mapping changed, an extra field made a custom attribute, and a mailing list named.
 */
describe('the workflow builder forms in the console', function () {
  this.timeout(180_000);
  let server: ConsoleServer;
  let standIn: SalesforceStandIn;
  let connectionId: number;
  let passed = false;

  before(async function () {
    this.timeout(180_000);
    standIn = await startStandIn();
    server = await startConsoleServer('the workflow builder forms', {
      BELLWETHER_DEMO: 'off', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, SECRET_KEY: 'a-test-secret-key-of-32-characters!',
    });
    const ids = seedCompany(standIn);
    standIn.org.addField('Account', 'Legal_Name__c');
    standIn.org.addField('Account', 'Tier__c');
    standIn.org.update('Account', ids.acme, { Legal_Name__c: 'Acme Corporation', Tier__c: 'Gold' });
    standIn.org.update('Account', ids.beta, { Legal_Name__c: 'Beta Retail Ltd', Tier__c: 'Silver' });
    standIn.org.addListView('Account', 'Key_Accounts', `Name = 'Acme'`);
    standIn.org.addListView('Account', 'Retail_Accounts', `Industry = 'Retail'`);
    connectionId = await connectStandIn(server.database.db, standIn);
  });
  let db: Db;
  beforeEach(() => {
    db = new Db(server.database.url, { max: 1 });
  });
  afterEach(async () => {
    await db.close();
    await server?.closeBrowsers();
    standIn?.dropConnections();
  });
  after(async () => {
    await server?.stop(passed);
    await standIn?.close();
  });

  /** A workflow that reads the org's accounts and contacts into the directory, as set up before the browser opens; its id. */
  const saveWorkflow = async (name: string, { accountFields, schedule }: { accountFields?: string[]; schedule?: unknown } = {}) => {
    const workflow = await createWorkflow(db, {
      name,
      definition: {
        ...(schedule ? { schedule } : {}),
        tasks: [
          { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId, ...(accountFields ? { fields: accountFields } : {}) },
          { type: 'extract', name: 'Contacts', object: 'contacts', source: 'salesforce', connectionId },
          { type: 'load', name: 'Load', extracts: { accounts: 'Accounts', contacts: 'Contacts' } },
        ],
      },
    }, '/nonexistent');
    return workflow.id;
  };

  /** Signs in on the workflow's page and waits for its builder. */
  const openWorkflow = async (id: number, name: string) => {
    const { page, trouble } = await server.openBrowser();
    await signIn(page, server.base, '/workflows', admin);
    await page.getByRole('link', { name: `Open ${name}`, exact: true }).click();
    await page.waitForURL(`${server.base}/workflows/${id}`);
    await page.getByRole('heading', { name: new RegExp(`^${name} \\(version \\d+\\)$`) }).waitFor();
    return { page, trouble };
  };

  /** The definition as the builder shows it in JSON. */
  const shownDefinition = async (page: Page) => {
    const json = page.getByText('The definition as JSON');
    await json.click();
    const text = await page.locator('details:has(> summary:text-is("The definition as JSON")) > pre').innerText();
    await json.click();
    return JSON.parse(text) as { schedule?: unknown; tasks: Record<string, unknown>[] };
  };

  const save = async (page: Page, version: number) => {
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByRole('status').filter({ hasText: `Saved as version ${version}.` }).waitFor();
  };

  it('shows a schedule saved in Kyiv on Kyiv’s clock, switches it between hourly, daily in Adelaide, weekly in Berlin and a cron in New York, each with its next three runs; refuses a bad cron at its field; stays disabled once saved so', async () => {
    passed = false;
    // Saved daily at 06:00 in Kyiv, a zone the browser lists by its old name (Europe/Kiev).
    const id = await saveWorkflow('Scheduled sync', { schedule: { daily: '06:00', timeZone: 'Europe/Kyiv' } });
    let before = new Date();
    const { page, trouble } = await openWorkflow(id, 'Scheduled sync');
    const runs = page.getByLabel('Runs');
    const zone = page.getByLabel('Time zone');
    assert.deepEqual([await runs.inputValue(), await page.getByLabel('At (HH:MM)').inputValue(), await zone.inputValue()], ['daily', '06:00', 'Europe/Kyiv']);
    await assertNextRuns(page, before, 'Europe/Kyiv', (w) => w.hour === 6 && w.minute === 0);
    await page.getByText('(Europe/Kyiv)').waitFor();

    // Hourly at minute 17: three runs an hour apart, each at 17 past.
    await runs.selectOption({ label: 'Hourly at' });
    await zone.selectOption('UTC');
    before = new Date();
    await page.getByLabel('Minute past each hour').fill('17');
    await page.getByLabel('Minute past each hour').press('Tab');
    const hourly = await assertNextRuns(page, before, 'UTC', (w) => w.minute === 17);
    assert.ok(hourly.every((r) => /:17\b/.test(r.text)), `shown as at 17 past: ${hourly.map((r) => r.text).join(', ')}`);
    await assertAccessible(page, 'the schedule card, hourly');

    // Daily at 23:45 in Adelaide, half an hour off UTC's hours: three days running, at 23:45 there.
    await runs.selectOption({ label: 'Daily at' });
    before = new Date();
    await zone.selectOption('Australia/Adelaide');
    await page.getByLabel('At (HH:MM)').fill('23:45');
    const daily = await assertNextRuns(page, before, 'Australia/Adelaide', (w) => w.hour === 23 && w.minute === 45);
    assert.ok(daily.every((r) => /23:45/.test(r.text)), `shown on Adelaide's clock: ${daily.map((r) => r.text).join(', ')}`);

    // Weekly on Wednesdays at 09:15 in Berlin: read on Berlin's clock, whatever the browser's zone.
    await runs.selectOption({ label: 'Weekly on' });
    await page.getByLabel(/^On\b/).selectOption({ label: 'Wednesday' });
    await page.getByLabel('At (HH:MM)').fill('09:15');
    before = new Date();
    await zone.selectOption('Europe/Berlin');
    const weekly = await assertNextRuns(page, before, 'Europe/Berlin', (w) => w.weekday === 'Wednesday' && w.hour === 9 && w.minute === 15);
    assert.ok(weekly.every((r) => /Wed/.test(r.text) && /09:15/.test(r.text)), `shown on Berlin's clock: ${weekly.map((r) => r.text).join(', ')}`);
    await page.getByText('(Europe/Berlin)').waitFor();

    // A cron in New York: weekdays at 08:30 and 17:30 there.
    await runs.selectOption({ label: 'Cron' });
    await zone.selectOption('America/New_York');
    const cron = page.getByLabel('Cron (five fields)');
    const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
    before = new Date();
    await cron.fill('30 8,17 * * 1-5');
    await cron.press('Tab');
    await assertNextRuns(page, before, 'America/New_York', (w) => weekdays.includes(w.weekday) && (w.hour === 8 || w.hour === 17) && w.minute === 30);
    await assertAccessible(page, 'the schedule card, cron');

    // A minute past 59 is no cron: refused at the field, nothing saved.
    await cron.fill('61 * * * *');
    await cron.press('Tab');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: /61/ }).first();
    await refusal.waitFor();
    assert.equal(await cron.getAttribute('aria-describedby'), 'schedule-cron-error');
    assert.match(await page.locator('bw-schedule-card').evaluate((card) => card.shadowRoot!.getElementById('schedule-cron-error')?.textContent ?? ''), /61/);
    assert.deepEqual(await db.query(`select version from workflows where id = $1`, [id]), [{ version: 1 }]);
    await assertAccessible(page, 'the schedule card with a refused cron');

    // A good cron again, disabled, saved: after a reload it is still so, and runs on no schedule.
    await cron.fill('30 8,17 * * 1-5');
    await cron.press('Tab');
    await page.getByRole('checkbox', { name: 'Enabled' }).uncheck();
    await page.getByText('Disabled: it does not run on its schedule.').waitFor();
    await save(page, 2);
    await page.reload();
    await page.getByRole('heading', { name: 'Scheduled sync (version 2)' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Enabled' }).isChecked(), false);
    await page.getByText('Disabled: it does not run on its schedule.').waitFor();
    assert.equal(await cron.inputValue(), '30 8,17 * * 1-5');
    assert.equal(await zone.inputValue(), 'America/New_York');
    assert.deepEqual((await shownDefinition(page)).schedule, { cron: '30 8,17 * * 1-5', timeZone: 'America/New_York' });
    await page.getByRole('link', { name: 'All workflows' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Scheduled sync' });
    await row.waitFor();
    assert.match(await row.innerText(), /\bno\b[\s\S]*none \(disabled\)/);

    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });

  it('picks a list view from the org’s, keeps it once saved, and previews only its accounts', async () => {
    passed = false;
    const id = await saveWorkflow('Key accounts');
    const { page, trouble } = await openWorkflow(id, 'Key accounts');
    const accounts = page.getByRole('region', { name: '1. Extract accounts from Salesforce' });
    const listView = accounts.getByLabel('List view (optional)');
    await accounts.getByRole('group', { name: 'Fields to extract' }).waitFor();
    assert.deepEqual(await listView.getByRole('option').allInnerTexts(), ['Every record', 'Key Accounts', 'Retail Accounts']);
    await listView.selectOption({ label: 'Key Accounts' });
    await assertAccessible(page, 'the Salesforce extract card with a list view');
    await save(page, 2);

    await page.reload();
    await page.getByRole('heading', { name: 'Key accounts (version 2)' }).waitFor();
    await accounts.getByRole('group', { name: 'Fields to extract' }).waitFor();
    assert.equal(await listView.locator('option:checked').innerText(), 'Key Accounts');
    assert.equal((await shownDefinition(page)).tasks[0]!.listView, 'Key_Accounts');

    // Only Acme is in the list view: Beta's contact has no account to join.
    await page.getByRole('button', { name: 'Preview a run' }).click();
    const counts = page.getByRole('region', { name: 'Preview: what a run would do now' }).getByRole('table', { name: 'Per directory object' });
    await counts.waitFor({ timeout: 30_000 });
    const rows = await counts.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent!.trim())));
    assert.deepEqual(rows.find((r) => r[0] === 'accounts'), ['accounts', '1', '0', '0', '0', '0', '0']);
    assert.deepEqual(rows.find((r) => r[0] === 'hierarchy')?.[1], '1');
    await assertAccessible(page, 'the preview of the list view');

    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });

  it('maps a field to another source column, an extra field to an Enum attribute and names a mailing list; kept once saved, and the run shows them in the directory', async () => {
    passed = false;
    const id = await saveWorkflow('Mapped accounts', { accountFields: ['Id', 'IsDeleted', 'Name', 'Parent.Id', 'Tier__c'] });
    const { page, trouble } = await openWorkflow(id, 'Mapped accounts');
    const load = page.getByRole('region', { name: '3. Load into the directory' });

    // The defaults are filled in, per directory object the sources feed.
    await load.getByText('Field mapping (the defaults are filled in)').click();
    const mappingOf = async (object: string) => {
      const group = load.getByRole('group', { name: object, exact: true });
      return group.getByRole('textbox').evaluateAll((inputs) => inputs.map((i) => [(i as HTMLInputElement).labels![0]!.textContent!.trim(), (i as HTMLInputElement).value]));
    };
    assert.deepEqual(await mappingOf('Accounts'), [['accountExternalReferenceId', 'Id'], ['displayName', 'Name'], ['isDeleted', 'IsDeleted']]);
    assert.deepEqual(await mappingOf('Contacts'), [['contactExternalReferenceId', 'Id'], ['firstName', 'FirstName'], ['lastName', 'LastName'], ['email', 'Email'], ['isDeleted', 'IsDeleted']]);
    assert.deepEqual(await mappingOf('Hierarchy'), [['accountExternalReferenceId', 'Id'], ['accountParentExternalReferenceId', 'Parent.Id'], ['isDeleted', 'IsDeleted']]);
    assert.deepEqual(await mappingOf('Client roles'), [['accountExternalReferenceId', 'Account.Id'], ['roleName', 'Title'], ['isDeleted', 'IsDeleted']]);
    const displayName = load.getByRole('group', { name: 'Accounts', exact: true }).getByLabel('displayName');
    await displayName.fill('Legal_Name__c');
    await displayName.press('Tab');

    // Tier__c as an Enum attribute: the type is permanent, and the card says so.
    await load.getByRole('button', { name: 'Add an attribute' }).click();
    const source = load.getByLabel('Source field');
    await source.fill('Tier__c');
    await source.press('Tab');
    await load.getByLabel('Attribute name').fill('tier');
    await load.getByLabel('Attribute name').press('Tab');
    await load.getByLabel('Type (permanent)').selectOption('Enum');
    await load.getByLabel('Values (comma-separated)').fill('Gold, Silver, Bronze');
    await load.getByLabel('Values (comma-separated)').press('Tab');
    await load.getByText("An attribute's type is permanent").waitFor();
    await load.getByLabel('Mailing list (optional)').fill('Mapped contacts');
    await load.getByLabel('Mailing list (optional)').press('Tab');
    await assertAccessible(page, 'the load card with its mapping and an attribute');

    // The accounts extract does not read Legal_Name__c yet: refused at the field, which says where to add it.
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await load.getByRole('alert').filter({ hasText: 'the Salesforce extract "Accounts" does not read Legal_Name__c: add it to that task\'s fields' }).waitFor();
    const describedBy = await displayName.getAttribute('aria-describedby');
    assert.match(await page.locator(`[id="${describedBy}"]`).innerText(), /does not read Legal_Name__c/);
    assert.deepEqual(await db.query(`select version from workflows where id = $1`, [id]), [{ version: 1 }]);
    await assertAccessible(page, 'the load card with a refused field');
    const accounts = page.getByRole('region', { name: '1. Extract accounts from Salesforce' });
    await accounts.getByLabel('Search fields').fill('legal');
    await accounts.getByRole('group', { name: 'Fields to extract' }).getByRole('checkbox', { name: /^Legal_Name__c/ }).check();
    await save(page, 2);

    await page.reload();
    await page.getByRole('heading', { name: 'Mapped accounts (version 2)' }).waitFor();
    await load.getByText('Field mapping (the defaults are filled in)').click();
    assert.deepEqual(await mappingOf('Accounts'), [['accountExternalReferenceId', 'Id'], ['displayName', 'Legal_Name__c'], ['isDeleted', 'IsDeleted']]);
    assert.equal(await load.getByLabel('Source field').inputValue(), 'Tier__c');
    assert.equal(await load.getByLabel('Attribute name').inputValue(), 'tier');
    assert.equal(await load.getByLabel('Type (permanent)').inputValue(), 'Enum');
    assert.equal(await load.getByLabel('Values (comma-separated)').inputValue(), 'Gold, Silver, Bronze');
    assert.equal(await load.getByLabel('Mailing list (optional)').inputValue(), 'Mapped contacts');
    const saved = (await shownDefinition(page)).tasks[2]!;
    assert.deepEqual([saved.mapping, saved.mailingListName], [
      { accounts: { fields: { displayName: 'Legal_Name__c' }, attributes: { tier: { source: 'Tier__c', type: 'Enum', values: ['Gold', 'Silver', 'Bronze'] } } } },
      'Mapped contacts',
    ]);

    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const ended = page.getByText(/^Run \d+ (succeeded|failed)$/);
    await ended.waitFor({ timeout: 30_000 });
    assert.match(await ended.innerText(), /succeeded$/, await page.locator('body').innerText());

    // The directory shows the legal name and the tier; the mailing list holds the run's contacts.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByRole('table', { name: 'Accounts' }).getByRole('link', { name: 'Acme Corporation' }).first().click();
    await page.getByRole('heading', { name: 'Acme Corporation', level: 2 }).waitFor();
    const account = page.getByRole('table', { name: 'The account' });
    assert.equal(await account.getByRole('row', { name: /^tier/ }).locator('td').innerText(), 'Gold');
    await assertAccessible(page, 'the account with its attribute');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('link', { name: 'Mailing lists', exact: true }).click();
    await page.getByRole('table', { name: 'Mailing lists' }).getByRole('link', { name: 'Mapped contacts' }).click();
    const members = page.getByRole('table', { name: /^Members of mailing list/ }).locator('tbody tr');
    await members.first().waitFor();
    assert.deepEqual((await members.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[1]!.textContent!.trim()))).sort(), ['ada@acme.example', 'bob@beta.example']);

    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401|404)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });
});
