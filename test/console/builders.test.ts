import assert from 'node:assert/strict';
import { Db } from '../../core/db.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { eventually } from '../helpers/eventually.ts';
import { accountHeader } from '../helpers/files.ts';
import { connectStandIn, seedCompany } from '../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { assertAccessible, signIn } from './console-page.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const admin = { email: 'builder-admin@bellwether.example', password: 'a-long-builder-password' };

/** The directory's tables as text: equal before and after means nothing changed. */
async function directoryText(db: Db): Promise<string> {
  const [row] = await db.query<{ text: string }>(
    `select concat_ws(E'\\n',
      (select string_agg(a::text, E'\\n' order by a::text) from accounts a), (select string_agg(c::text, E'\\n' order by c::text) from contacts c),
      (select string_agg(m::text, E'\\n' order by m::text) from management_roles m), (select string_agg(d::text, E'\\n' order by d::text) from account_attribute_definitions d),
      (select string_agg(w::text, E'\\n' order by w::text) from salesforce_watermarks w), (select count(*)::text from sync_runs)) as text`,
  );
  return row!.text;
}

/**
 * An admin builds workflows in the browser only: from a Salesforce org's describe, with a custom
 * field as a Decimal attribute and the titles the org holds mapped (one skipped), previewed without
 * a change to the directory, saved, run; and from an uploaded file whose first rows it previews.
 */
describe('the workflow builder in the console', function () {
  this.timeout(180_000);
  let server: ConsoleServer;
  let standIn: SalesforceStandIn;
  let passed = false;

  before(async function () {
    this.timeout(180_000);
    standIn = await startStandIn();
    server = await startConsoleServer('the workflow builder', {
      BELLWETHER_DEMO: 'off', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, SECRET_KEY: 'a-test-secret-key-of-32-characters!',
    });
    // The org, its connection and a survey are set up here: the connections they open (the pool's,
    // the login's) open with the server's, not as something a test left running.
    const ids = seedCompany(standIn);
    standIn.org.addField('Account', 'Contract_Amount__c', 'currency');
    standIn.org.update('Account', ids.acme, { Contract_Amount__c: '12500.75' });
    standIn.org.insert('Contact', { FirstName: 'Ivy', LastName: 'Ng', Email: 'ivy@acme.example', Title: 'Intern', AccountId: ids.acme });
    standIn.org.addListView('Account', 'Key_Accounts', `Name = 'Acme'`);
    await connectStandIn(server.database.db, standIn);
    await createSurvey(server.database.db, { name: 'Relationship' });
  });
  /** The test's own reads of the database, on a pool it closes: the server's pool idles its connections away between tests. */
  let db: Db;
  beforeEach(() => {
    db = new Db(server.database.url, { max: 1 });
  });
  afterEach(async () => {
    await db.close();
    await server?.closeBrowsers();
    // The server keeps its connections to the org open between requests; they are the org's, not the test's.
    standIn?.dropConnections();
  });
  after(async () => {
    await server?.stop(passed);
    await standIn?.close();
  });

  const openNewWorkflow = async () => {
    const { page, trouble } = await server.openBrowser();
    await signIn(page, server.base, '/workflows', admin);
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.waitForURL(`${server.base}/workflows/new`);
    return { page, trouble };
  };

  it('builds a Salesforce workflow from the describe, maps its titles, previews it without a change, saves and runs it, then adds a survey previewed for a loaded contact', async () => {
    const { page, trouble } = await openNewWorkflow();

    await page.getByLabel('Workflow name').fill('Nightly from Salesforce');
    await page.getByRole('button', { name: 'Add a Salesforce extract' }).click();
    const accounts = page.getByRole('region', { name: '1. Extract accounts from Salesforce' });
    const fields = accounts.getByRole('group', { name: 'Fields to extract' });
    // A compound field cannot be ticked, and says why; the required ones are ticked and locked.
    await fields.getByText('BillingAddress', { exact: false }).first().waitFor();
    assert.equal(await fields.getByRole('checkbox', { name: /^BillingAddress/ }).isDisabled(), true);
    assert.match(await fields.getByText(/a compound field/).first().innerText(), /select its parts \(BillingStreet, BillingCity, BillingState, BillingPostalCode, BillingCountry\)/);
    assert.equal(await fields.getByRole('checkbox', { name: /^Name/ }).isChecked(), true);
    assert.equal(await fields.getByRole('checkbox', { name: /^Name/ }).isDisabled(), true);
    // A custom field, found by searching.
    await accounts.getByLabel('Search fields').fill('contract');
    await fields.getByRole('checkbox', { name: /^Contract_Amount__c/ }).check();
    assert.deepEqual(await accounts.getByLabel('List view (optional)').getByRole('option').allInnerTexts(), ['Every record', 'Key Accounts']);
    await assertAccessible(page, 'the Salesforce extract card');

    await page.getByRole('button', { name: 'Add a Salesforce extract' }).click();
    await page.getByRole('region', { name: '2. Extract contacts from Salesforce' }).getByRole('group', { name: 'Fields to extract' }).waitFor();
    await page.getByRole('button', { name: 'Add a load' }).click();
    const load = page.getByRole('region', { name: '3. Load into the directory' });
    assert.equal(await load.getByLabel('Accounts from').inputValue(), 'Accounts');
    assert.equal(await load.getByLabel('Contacts from').inputValue(), 'Contacts');
    await load.getByRole('button', { name: 'Add an attribute' }).click();
    assert.equal(await load.getByLabel('Source field').inputValue(), 'Contract_Amount__c');
    await load.getByLabel('Attribute name').fill('contractAmount');
    await load.getByLabel('Type (permanent)').selectOption('Decimal');
    await load.getByText("An attribute's type is permanent").waitFor();

    // The titles the org holds, with their rows; the intern's is skipped, the empty one has a role.
    await load.getByRole('button', { name: 'Read the values from the source (Title)' }).click();
    const titles = load.getByRole('table', { name: 'The Title values the source holds' });
    await titles.waitFor();
    const rows = await titles.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('th, td')].slice(0, 2).map((c) => c.textContent!.trim())));
    assert.deepEqual(rows, [['(empty)', '1'], ['CEO', '1'], ['Intern', '1']]);
    await load.getByLabel('Role for CEO').selectOption('EXECUTIVE_SPONSOR');
    await load.getByLabel('Role for (empty)').selectOption('ACCOUNT_MEMBER');
    await load.getByLabel('Role for Intern').selectOption('SKIP');
    // A default for values not listed, from a CSV; the mapping then exports as CSV whole.
    await load.getByLabel('Import CSV (value,role)').first().setInputFiles({ name: 'titles.csv', mimeType: 'text/csv', buffer: Buffer.from('value,role\n*,End user\n') });
    // The file is read as the browser gets to it: the default shows once it has been.
    await eventually(async () => assert.equal(await load.getByLabel('Default role for values not listed').first().inputValue(), 'END_USER'), {
      what: 'the imported default role shows',
    });
    const [download] = await Promise.all([page.waitForEvent('download'), load.getByRole('button', { name: 'Export as CSV (Title → client role)' }).click()]);
    const exported = await download.createReadStream().then(async (stream) => {
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      return text;
    });
    assert.equal(exported, 'value,role\r\nCEO,EXECUTIVE_SPONSOR\r\n,ACCOUNT_MEMBER\r\nIntern,SKIP\r\n*,END_USER\r\n');
    await assertAccessible(page, 'the load card with its value mapping');

    // The preview: counts shown, and the directory as it was.
    const before = await directoryText(db);
    await page.getByRole('button', { name: 'Preview a run' }).click();
    const preview = page.getByRole('region', { name: 'Preview: what a run would do now' });
    const counts = preview.getByRole('table', { name: 'Per directory object' });
    await counts.waitFor();
    const countRows = await counts.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent!.trim())));
    assert.deepEqual(countRows.find((r) => r[0] === 'accounts'), ['accounts', '2', '0', '0', '0', '0', '0']);
    assert.deepEqual(countRows.find((r) => r[0] === 'contacts'), ['contacts', '3', '0', '0', '0', '0', '0']);
    assert.deepEqual(countRows.find((r) => r[0] === 'clientRoles'), ['clientRoles', '2', '0', '0', '0', '0', '1']);
    assert.equal(await directoryText(db), before, 'the preview changed nothing in the directory');
    await assertAccessible(page, 'the preview');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 1.' }).waitFor();
    await page.waitForURL(/\/workflows\/\d+$/);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const ended = page.getByText(/^Run \d+ (succeeded|failed)$/);
    await ended.waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${page.url()}\n${await page.locator('body').innerText()}`);
    });
    assert.match(await ended.innerText(), /succeeded$/, await page.locator('body').innerText());
    assert.deepEqual(
      await db.query(`select display_name as name, attributes->>'contractAmount' as amount from accounts order by display_name`),
      [{ name: 'Acme', amount: '12500.75' }, { name: 'Beta', amount: null }],
    );
    assert.deepEqual(
      await db.query(`select data_type as type from account_attribute_definitions where name = 'contractAmount'`),
      [{ type: 'Decimal' }],
    );
    assert.deepEqual(
      (await db.query<{ email: string; role: string | null }>(`select email, client_role as role from contacts order by email`)).map((c) => [c.email, c.role]),
      [['ada@acme.example', 'EXECUTIVE_SPONSOR'], ['bob@beta.example', 'ACCOUNT_MEMBER'], ['ivy@acme.example', null]],
    );

    // Back in the builder: a survey distribution, its email previewed for a contact the run loaded.
    await page.goBack();
    await page.getByRole('button', { name: 'Add a survey distribution' }).click();
    const distribute = page.getByRole('region', { name: '4. Send a survey' });
    const email = distribute.getByRole('region', { name: 'Email preview' });
    await email.getByLabel('Preview for').waitFor().catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${await distribute.locator('bw-distribute-card').evaluate((e) => e.shadowRoot!.textContent)}`);
    });
    await distribute.getByLabel('Subject').fill('{{firstName|Hello}}, how is {{accountName}} doing?');
    await distribute.getByLabel('Subject').press('Tab');
    // Every contact of the list, not only those the run added.
    await distribute.getByLabel('Audience').selectOption('all');
    const to = await email.getByText(/^To:/).innerText();
    const contact = /ada@acme\.example/.test(to) ? { first: 'Ada', account: 'Acme' } : { first: 'Bob', account: 'Beta' };
    await email.getByText(`${contact.first}, how is ${contact.account} doing?`).waitFor();
    assert.match(await email.locator('pre').innerText(), new RegExp(`^Hello ${contact.first},`));
    await assertAccessible(page, 'the distribute card with its email preview');
    // The load makes no mailing list yet: the refusal shows on the distribution's card, then the load gets one.
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await distribute.getByRole('alert').filter({ hasText: 'creates no mailing list' }).waitFor();
    await load.getByLabel('Mailing list (optional)').fill('Nightly contacts');
    await load.getByLabel('Mailing list (optional)').press('Tab');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2.' }).waitFor();
    await page.getByText('History: 2 saved versions').waitFor();
    assert.deepEqual(
      await db.query(`select t->>'audience' as audience from workflows, jsonb_array_elements(definition->'tasks') t where t->>'type' = 'distribute'`),
      [{ audience: 'all' }],
    );

    // The 401 is the page before signing in; the 404, the run's page asking before a worker started it; the 400, the refused save.
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401|404)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });

  it('builds an upload workflow from a preview of the file, and shows the server’s refusal at the field it names', async () => {
    passed = false;
    const { page, trouble } = await openNewWorkflow();
    // The file is uploaded in the console too, written with semicolons.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'Uploaded files' }).click();
    const text = [accountHeader, ['001U', 'false', 'Umbra; Ltd', ''], ['001V', 'false', 'Vega', '001U']].map((r) => r.map((v) => (v.includes(';') ? `"${v}"` : v)).join(';')).join('\n') + '\n';
    await page.getByLabel('Files to upload (CSV)').setInputFiles([{ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(text) }]);
    await page.getByRole('button', { name: /^Upload/ }).click();
    await page.getByRole('status').filter({ hasText: 'Done: 1 of 1 uploaded.' }).waitFor();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('link', { name: 'New workflow' }).click();

    await page.getByLabel('Workflow name').fill('Uploaded accounts');
    // Weekly on Mondays at 07:30 in Berlin: the next three runs are three Mondays, a week apart.
    await page.getByLabel('Runs').selectOption({ label: 'Weekly on' });
    await page.getByLabel('At (HH:MM)').fill('07:30');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    const next = page.getByText(/^Next runs:/).locator('time');
    await eventually(async () => assert.equal(await next.count(), 3), { what: 'three next runs' });
    const times = (await next.evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')!))).map((iso) => new Date(iso));
    for (const [i, at] of times.entries()) {
      const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(at);
      assert.equal(wall, 'Monday 07:30', `run ${i + 1} at ${at.toISOString()}`);
      if (i > 0) assert.ok(at.getTime() - times[i - 1]!.getTime() >= 6.9 * 86_400_000, 'a week apart');
    }
    await page.getByRole('button', { name: 'Add an upload extract' }).click();
    const extract = page.getByRole('region', { name: /^1\. Extract accounts from an uploaded file/ });
    assert.equal(await extract.getByLabel('Uploaded file').inputValue(), 'accounts.csv');
    await extract.getByLabel('Delimiter').selectOption({ label: 'Semicolon (;)' });
    await extract.getByRole('checkbox', { name: /full export/ }).check();
    await extract.getByRole('button', { name: /^Preview the file/ }).click();
    const rows = extract.getByRole('table', { name: /^The first 2 rows of accounts\.csv/ });
    await rows.waitFor();
    assert.deepEqual(
      await rows.getByRole('row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent!.trim()))),
      [['Line', 'Id', 'IsDeleted', 'Name', 'Parent.Id'], ['2', '001U', 'false', 'Umbra; Ltd', ''], ['3', '001V', 'false', 'Vega', '001U']],
    );
    await extract.getByRole('status').filter({ hasText: 'The header has every column the load reads (Id, Name, IsDeleted, Parent.Id).' }).waitFor();
    await assertAccessible(page, 'the upload extract card with its preview');

    // Saved without a load: the server refuses, and says so.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    assert.equal(await db.query(`select 1 from workflows where name = 'Uploaded accounts'`).then((r) => r.length), 0);

    await page.getByRole('button', { name: 'Add a load' }).click();
    // A load that names no extract: refused at its place.
    await page.getByRole('region', { name: '2. Load into the directory' }).getByLabel('Accounts from').selectOption({ label: 'Not loaded' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('region', { name: '2. Load into the directory' }).getByRole('alert').filter({ hasText: 'a load task reads at least one extract task' }).waitFor();
    await page.getByRole('region', { name: '2. Load into the directory' }).getByLabel('Accounts from').selectOption('Accounts');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 1.' }).waitFor();
    const [saved] = await db.query<{ definition: { schedule: unknown; tasks: unknown[] } }>(`select definition from workflows where name = 'Uploaded accounts'`);
    assert.deepEqual(saved!.definition.schedule, { weekly: 'monday', at: '07:30', timeZone: 'Europe/Berlin' });
    assert.deepEqual(saved!.definition.tasks[0], { type: 'extract', name: 'Accounts', object: 'accounts', source: 'upload', file: 'accounts.csv', delimiter: ';', fullExport: true });
    await page.getByText('History: 1 saved version').click();
    await assertAccessible(page, 'the saved workflow with its history');
    // The server's refusals (400) were the test's doing; the 401 is the page before signing in.
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (400|401)/.test(e)), trouble.dialogs], [[], [], []]);
    passed = true;
  });
});
