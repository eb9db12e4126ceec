import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { Db } from '../../core/db.ts';
import { createWidgetConfig } from '../../core/widgets/config-queries.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { eventually } from '../helpers/eventually.ts';
import { connectStandIn, seedCompany, testBox } from '../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { addResponses } from '../server/widgets/fixture.ts';
import { assertAccessible, signIn } from './console-page.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const admin = { email: 'writeback-admin@bellwether.example', password: 'a-long-writeback-password' };

/** The health names write-back writes. */
const healthNames = ['Opportunity', 'Neutral', 'At Risk', 'Not enough data'];

/** The values of a select's options, as the browser offers them. */
const optionValues = (select: Locator) => select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));

/** The text of what a control names in aria-describedby (its error), inside the card's shadow root. */
const description = (control: Locator) => control.evaluate((el) => {
  const root = el.getRootNode() as ShadowRoot;
  return (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => root.getElementById(id)?.textContent?.trim() ?? '').join(' ').trim();
});

/**
 * An admin adds a write-back to a workflow in the builder: the org's Account fields each figure can
 * go to (only updateable ones of a fitting type), the widget configuration the figures follow,
 * Detractor Tasks; saved, read back, run into the stand-in org; and the server's refusal of a
 * field the org made read-only shown at that field.
 */
describe('the write-back card of the workflow builder', function () {
  this.timeout(180_000);
  let server: ConsoleServer;
  let standIn: SalesforceStandIn;
  let acme: string;
  let connectionId: number;
  let configId: number;
  let passed = false;

  before(async function () {
    this.timeout(180_000);
    standIn = await startStandIn();
    server = await startConsoleServer('the write-back card', {
      BELLWETHER_DEMO: 'off', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, SECRET_KEY: 'a-test-secret-key-of-32-characters!',
    });
    ({ acme } = seedCompany(standIn));
    standIn.org.addField('Account', 'NPS__c', 'double');
    standIn.org.addField('Account', 'Health__c', 'string');
    // Text cannot hold an NPS; a formula's number cannot be written.
    standIn.org.addField('Account', 'Account_Tier__c', 'string');
    standIn.org.addField('Account', 'Score_Formula__c', 'double', { updateable: false });
    connectionId = await connectStandIn(server.database.db, standIn);
    ({ id: configId } = await createWidgetConfig(server.database.db, { name: 'Board view', directoryId: 1 }));
    // Acme's answers of the last hour: a run's load brings Acme in under its Salesforce Id.
    const now = Date.now();
    await addResponses(server.database.db, [10, 10, 9].map((score, i) => [acme, new Date(now - (i + 1) * 60_000).toISOString(), score]));
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

  const openWorkflows = async () => {
    const { page, trouble } = await server.openBrowser();
    await signIn(page, server.base, '/workflows', admin);
    return { page, trouble };
  };

  /** The definition as the builder shows it in JSON. */
  const shownDefinition = async (page: Page) => {
    const json = page.getByText('The definition as JSON');
    await json.click();
    const text = await page.locator('details:has(> summary:text-is("The definition as JSON")) > pre').innerText();
    await json.click();
    return JSON.parse(text) as { tasks: Record<string, unknown>[] };
  };

  /** The choices the write-back card shows. */
  const shownChoices = async (card: Locator) => ({
    load: await card.getByLabel('After the load').inputValue(),
    org: await card.getByLabel(/^Org/).locator('option:checked').innerText(),
    config: await card.getByLabel('Figures as widget configuration').locator('option:checked').innerText(),
    nps: await card.getByLabel(/^NPS into/).inputValue(),
    health: await card.getByLabel(/^Health into/).inputValue(),
    change: await card.getByLabel('The NPS change over the previous period into').inputValue(),
    detractors: await card.getByRole('checkbox', { name: /Open a Salesforce Task/ }).isChecked(),
    withinDays: await card.getByLabel('Answered within the last (days)').inputValue(),
  });

  it('builds a workflow whose write-back maps NPS to a number field and Health to a text field, offers no field of the wrong type, keeps the choices when read back, and writes the NPS into the org when run', async () => {
    const { page, trouble } = await openWorkflows();
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.waitForURL(`${server.base}/workflows/new`);
    await page.getByLabel('Workflow name').fill('Health into Salesforce');
    await page.getByRole('button', { name: 'Add a Salesforce extract' }).click();
    await page.getByRole('region', { name: '1. Extract accounts from Salesforce' }).getByRole('group', { name: 'Fields to extract' }).waitFor();
    await page.getByRole('button', { name: 'Add a load' }).click();
    await page.getByRole('button', { name: 'Add a write-back to Salesforce' }).click();

    const card = page.getByRole('region', { name: '3. Write back to Salesforce' });
    assert.equal(await card.getByLabel('After the load').inputValue(), 'Load');
    const nps = card.getByLabel(/^NPS into/);
    await nps.locator('option[value="NPS__c"]').waitFor({ state: 'attached' });
    // Only the updateable number fields: not the text field, not the formula.
    assert.deepEqual(await optionValues(nps), ['', 'NPS__c']);
    const health = card.getByLabel(/^Health into/);
    assert.ok((await optionValues(health)).includes('Health__c'));
    assert.ok(!(await optionValues(health)).includes('NPS__c'), 'a number field is not offered for Health');

    // No configuration chosen, then nothing mapped: the server says so at the card.
    const config = card.getByLabel('Figures as widget configuration');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually(async () => assert.match(await description(config), /expected number/), { what: 'the refusal of the missing configuration at its select' });
    await config.selectOption({ label: `Board view (id ${configId})` });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByText('a write-back maps at least one figure').waitFor().catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${await page.locator('body').innerText()}`);
    });
    await nps.selectOption('NPS__c');
    await health.selectOption('Health__c');
    await card.getByRole('checkbox', { name: /Open a Salesforce Task/ }).check();
    await card.getByLabel('Answered within the last (days)').fill('14');
    await card.getByLabel('Answered within the last (days)').dispatchEvent('change');
    await assertAccessible(page, 'the write-back card');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 1.' }).waitFor();
    await page.waitForURL(/\/workflows\/\d+$/);

    await page.reload();
    await page.getByRole('heading', { name: 'Health into Salesforce (version 1)' }).waitFor();
    await card.getByLabel(/^NPS into/).locator('option[value="NPS__c"]').waitFor({ state: 'attached' });
    assert.deepEqual(await shownChoices(card), {
      load: 'Load', org: 'Production', config: `Board view (id ${configId})`,
      nps: 'NPS__c', health: 'Health__c', change: '', detractors: true, withinDays: '14',
    });
    const writeBack = (await shownDefinition(page)).tasks[2]!;
    assert.deepEqual(writeBack, {
      type: 'writeBack', name: 'Write back to Salesforce', load: 'Load', connectionId, widgetConfigId: configId,
      fields: { nps: 'NPS__c', health: 'Health__c' }, detractorTasks: { scoreAtMost: 6, withinDays: 14 },
    });

    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const ended = page.getByText(/^Run \d+ (succeeded|failed)$/);
    await ended.waitFor({ timeout: 30_000 });
    assert.match(await ended.innerText(), /succeeded$/, await page.locator('body').innerText());
    await eventually(async () => {
      const record = standIn.org.records.get('Account')!.get(acme)!;
      assert.equal(record.NPS__c, 100);
      assert.ok(healthNames.includes(String(record.Health__c)), `Health__c is ${String(record.Health__c)}`);
    }, { what: "Acme's NPS and health written into the org" });
    // The run's page says what the write-back sent, once it has ended.
    await eventually(async () => {
      await page.reload();
      const row = page.getByRole('table', { name: 'Write-back to Salesforce' }).getByRole('row', { name: /Write back to Salesforce/ });
      await row.waitFor({ timeout: 2_000 });
      const cells = await row.locator('td').allInnerTexts();
      // Accounts, changed, written, refused, how: Acme at least was written, through sObject Collections, none refused.
      assert.deepEqual([Number(cells[2]) >= 1, cells[3], cells[4]], [true, '0', 'sObject Collections']);
    }, { what: "the write-back on the run's page" });
    // The refusals asked for above, and the run page asking for the run before the worker has made it (404).
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401|404)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });

  it('shows the server refusing a field the org made read-only after the page loaded at that field', async () => {
    passed = false;
    // Saved before the browser opens, as a save checks it against the org.
    await createWorkflow(db, {
      name: 'Health only',
      definition: {
        tasks: [
          { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId },
          { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
          { type: 'writeBack', name: 'Write back to Salesforce', load: 'Load', connectionId, widgetConfigId: configId, fields: { nps: 'NPS__c', health: 'Health__c' } },
        ],
      },
    }, '/nonexistent', async () => testBox);
    const { page, trouble } = await openWorkflows();
    await page.getByRole('link', { name: 'Open Health only', exact: true }).click();
    const card = page.getByRole('region', { name: '3. Write back to Salesforce' });
    const health = card.getByLabel(/^Health into/);
    await health.locator('option[value="Health__c"]').waitFor({ state: 'attached' });
    const field = standIn.org.schema('Account')!.fields.find((f) => f.name === 'Health__c')!;
    field.updateable = false;
    try {
      await page.getByRole('button', { name: 'Save as a new version' }).click();
      await card.getByText('Health__c is not updateable', { exact: false }).waitFor();
      assert.match(await description(health), /^Health__c is not updateable/);
      assert.equal(await description(card.getByLabel(/^NPS into/)), '', 'the NPS field is not blamed');
      await assertAccessible(page, 'the write-back card with a refused field');
    } finally {
      field.updateable = true;
    }
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });
});
