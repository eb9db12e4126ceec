import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../core/db.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { survey } from '../server/directory-fixture.ts';
import { loadAcme } from '../server/fixture.ts';
import { addUser, goodPassword } from '../server/people-fixture.ts';
import { serve, type Served } from '../server/serve.ts';
import { assertAccessible, withAxe } from './console-page.ts';
import { watch, type Trouble } from '../widget/embed-page.ts';

const adminEmail = 'admin@seller.example';

/** The element that has the focus, through the console's shadow roots: its role, its name, and whether it is expanded. */
function focused(page: Page): Promise<{ role: string | null; text: string; expanded: string | null }> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    // An item's own name comes first, before the items it holds.
    const label = element?.querySelector('.name')?.textContent ?? element?.textContent;
    return { role: element?.getAttribute('role') ?? null, text: (label ?? '').trim(), expanded: element?.getAttribute('aria-expanded') ?? null };
  });
}

/**
 * The Directory section in Chromium on the built console and the real server, over Acme's directory
 * as the loader leaves it and a survey sent to it. Every step goes through the console's pages.
 */
describe('the directory browser in the browser', function () {
  this.timeout(120_000);
  let api: Served;
  let browser: Browser;
  let page: Page;
  let trouble: Trouble;
  let db: Db;

  beforeEach(async function () {
    this.timeout(240_000);
    ({ db } = await testDatabase(this));
    await loadAcme(db);
    await survey(db);
    await addUser(db, adminEmail, 'admin');
    await buildWidget();
    api = await serve(db);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await withAxe(page);
    trouble = await watch(page);
    await page.goto(`${api.base}/directory/hierarchy`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(goodPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
  });

  afterEach(async () => {
    await browser?.close();
    await api?.close();
  });

  const tree = () => page.getByRole('tree', { name: 'Account hierarchy' });
  /** The tree item of the account named `name` (its accessible name also holds its external id, and the items it holds). */
  const item = (name: string) => tree().getByRole('treeitem').filter({ has: page.locator(':scope > .row > .name', { hasText: new RegExp(`^${name}$`) }) });

  /** Presses `key` and waits until the focused element is the tree item named `text`. */
  async function press(key: string, text: string, expanded: string | null = null): Promise<void> {
    await page.keyboard.press(key);
    for (let i = 0; i < 100; i++) {
      const now = await focused(page);
      if (now.role === 'treeitem' && now.text === text && now.expanded === expanded) return;
      await page.waitForTimeout(20);
    }
    assert.deepEqual(await focused(page), { role: 'treeitem', text, expanded }, `after ${key}`);
  }

  it('browses the hierarchy with the keyboard: expands on demand, moves in and out, and opens an account with Enter', async () => {
    await item('Acme Holding').waitFor();
    // The top of the hierarchy only: Gone Ltd was deleted, and Acme Holding's children wait until it is expanded.
    assert.deepEqual(await tree().locator('.name').allInnerTexts(), ['100% Cotton_Co', 'Acme Holding', 'Zeta Corp']);
    await assertAccessible(page, 'the hierarchy');

    // Tab reaches the tree once, on its first item (a roving tabindex).
    for (let i = 0; i < 30 && (await focused(page)).role !== 'treeitem'; i++) await page.keyboard.press('Tab');
    assert.deepEqual(await focused(page), { role: 'treeitem', text: '100% Cotton_Co', expanded: null });
    await press('ArrowDown', 'Acme Holding', 'false');
    await press('ArrowRight', 'Acme Holding', 'true');
    await item('Acme Europe').waitFor();
    await press('ArrowRight', 'Acme Europe', 'false');
    await press('ArrowRight', 'Acme Europe', 'true');
    await item('acme Paris').waitFor();
    await press('ArrowDown', 'Acme Berlin');
    await press('ArrowDown', 'acme Paris');
    await press('ArrowLeft', 'Acme Europe', 'true');
    await press('ArrowLeft', 'Acme Europe', 'false');
    assert.equal(await item('acme Paris').count(), 0);
    await press('ArrowLeft', 'Acme Holding', 'true');
    await press('End', 'Zeta Corp');
    await press('Home', '100% Cotton_Co');
    await assertAccessible(page, 'the hierarchy, expanded');

    await press('ArrowDown', 'Acme Holding', 'true');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${api.base}/directory/accounts/001A`);
    await page.getByRole('heading', { name: 'Acme Holding', level: 2 }).waitFor();
    await page.getByText('NPS 0 over 2 answers: 1 promoters, 0 passives, 1 detractors.').waitFor();
    const answers = page.getByRole('table', { name: 'Answers, newest first' });
    assert.deepEqual(await answers.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent!.trim()))), [
      ['9', 'Great support', 'Q4 pulse', '003A'],
      ['3', '', 'imported', '003B'],
    ]);
    await assertAccessible(page, 'an account with answers');
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !e.includes('401')), trouble.dialogs], [[], [], []]);
  });

  it('browses the hierarchy with the mouse, opens an account, then a contact with its invitations and answers', async () => {
    await item('Acme Holding').locator('.toggle').first().click();
    await item('Acme Europe').locator('.toggle').first().click();
    await item('acme Paris').waitFor();
    assert.equal(await item('Acme Europe').getAttribute('aria-expanded'), 'true');
    // A second click folds it again.
    await item('Acme Europe').locator('.toggle').first().click();
    await page.waitForFunction(() => !document.querySelector('bw-console')?.shadowRoot?.querySelector('bw-account-tree')?.shadowRoot?.querySelector('[data-key="a:001D"]'));
    await item('Acme Holding').locator('.name').first().click();
    await page.getByRole('heading', { name: 'Acme Holding', level: 2 }).waitFor();

    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.waitForURL(`${api.base}/directory/contacts/003A`);
    await page.getByRole('heading', { name: 'Ada Lovelace', level: 2 }).waitFor();
    const details = page.getByRole('table', { name: 'The contact' });
    assert.match(await details.innerText(), /Account\tAcme Holding \(EXECUTIVE_SPONSOR\)/);
    assert.match(await details.innerText(), /Mailing lists\tAcme contacts/);
    assert.deepEqual(await page.getByRole('table', { name: 'Surveys sent, newest first' }).locator('tbody td').allInnerTexts().then((cells) => cells.slice(0, 4)), [
      'Q4 pulse', 'Acme contacts', 'ada@acme.example', 'sent',
    ]);
    await page.getByRole('table', { name: 'Answers, newest first' }).getByText('Great support').waitFor();
    await assertAccessible(page, 'a contact');

    // Its mailing list, whose members include one no longer in the directory.
    await details.getByRole('link', { name: 'Acme contacts' }).click();
    await page.getByText('003Z (no longer in the directory)').waitFor();
    await assertAccessible(page, 'a mailing list');
  });

  it('reads a long level 100 accounts at a time, "Show more" bringing the next and taking the focus to them', async () => {
    await db.query(`insert into accounts (directory_id, external_id, display_name, parent_external_id)
      select 1, 'Z' || lpad(i::text, 3, '0'), 'Zeta Branch ' || lpad(i::text, 3, '0'), '001E' from generate_series(1, 120) as i`);
    await item('Zeta Corp').waitFor();
    await page.reload();
    await item('Zeta Corp').locator('.toggle').first().click();
    const more = tree().getByRole('treeitem', { name: 'Show more (100 of 120 shown)' });
    await more.waitFor();
    assert.equal(await item('Zeta Corp').locator('[role="group"] > [role="treeitem"]').count(), 101);
    await more.click();
    await item('Zeta Branch 120').waitFor();
    assert.deepEqual([await more.count(), await focused(page)], [0, { role: 'treeitem', text: 'Zeta Branch 101', expanded: null }]);
    await press('ArrowUp', 'Zeta Branch 100');
  });

  it('searches the contacts, showing who opted out, and lists the attribute definitions', async () => {
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    const search = page.getByRole('searchbox', { name: 'Search contacts' });
    await search.fill('builder');
    await search.press('Enter');
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await rows.filter({ hasText: 'Bob Builder' }).waitFor();
    assert.deepEqual(await rows.first().locator('td').allInnerTexts(), ['Bob Builder', 'bob@acme.example', '003B', '001A (PROCUREMENT_FINANCE_PERSON)', 'opted out']);
    await assertAccessible(page, 'the contacts, searched');

    await page.getByRole('link', { name: 'Attributes', exact: true }).click();
    const attributes = page.getByRole('table', { name: 'Custom account attributes' }).locator('tbody tr');
    await attributes.first().waitFor();
    assert.deepEqual(await attributes.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent!.trim()))), [
      ['contractAmount', 'Decimal'],
      ['seats', 'Integer'],
    ]);
    await assertAccessible(page, 'the attribute definitions');

    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Sort by').selectOption('-name');
    await page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').first().filter({ hasText: 'Zeta Corp' }).waitFor();
    // A child names its parent by name, linking to it.
    const paris = page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').filter({ hasText: 'acme Paris' });
    await paris.getByRole('link', { name: 'Acme Europe' }).click();
    await page.getByRole('heading', { name: 'Acme Europe' }).waitFor();
  });
});
