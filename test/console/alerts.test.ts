import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../core/db.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { addUser, goodPassword } from '../server/people-fixture.ts';
import { serve, type Served } from '../server/serve.ts';
import { watch, type Trouble } from '../widget/embed-page.ts';
import { assertAccessible, tabTo, withAxe } from './console-page.ts';

const adminEmail = 'admin@seller.example';
const editorEmail = 'editor@seller.example';

/** Settings → Alerts and webhooks in Chromium, on the built console and the real server; every step through the page. */
describe('alert rules and webhooks in the browser', function () {
  this.timeout(120_000);
  let db: Db;
  let api: Served;
  let browser: Browser;
  let page: Page;
  let trouble: Trouble;

  beforeEach(async function () {
    this.timeout(240_000);
    ({ db } = await testDatabase(this));
    await addUser(db, adminEmail, 'admin');
    await addUser(db, editorEmail, 'editor');
    await buildWidget();
    api = await serve(db);
    browser = await launchChromium();
  });

  afterEach(async () => {
    await browser?.close();
    await api?.close();
  });

  async function signIn(email: string): Promise<void> {
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await withAxe(page);
    trouble = await watch(page);
    await page.goto(`${api.base}/settings/alerts`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(goodPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  const rulesTable = () => page.getByRole('table', { name: 'Alert rules of this directory' });
  const rows = (table: ReturnType<Page['getByRole']>) =>
    table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent!.trim())));

  it('lets an admin narrow the default rule, switch it off with the keyboard, add a health rule and a webhook, and read its delivery log', async () => {
    await signIn(adminEmail);
    await rulesTable().waitFor();
    assert.deepEqual(await rows(rulesTable()), [['Detractor answers', 'An answer of 6 or less from any contact', 'Account Owner, Customer Success Manager', 'On']]);
    await assertAccessible(page, 'the alert rules');

    await page.getByRole('button', { name: 'Edit: Detractor answers' }).click();
    const form = page.getByRole('form', { name: 'Edit alert rule Detractor answers' });
    await form.getByLabel('Score at or below').fill('4');
    await form.getByRole('checkbox', { name: 'Decision Maker' }).check();
    await form.getByRole('button', { name: 'Save rule' }).click();
    await rulesTable().getByText('An answer of 4 or less from Decision Maker').waitFor();

    // Switched off from the keyboard alone.
    await tabTo(page, 'Switch off: Detractor answers');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Switch on: Detractor answers' }).waitFor();
    assert.equal((await rows(rulesTable()))[0]![3], 'Off');

    await page.getByRole('button', { name: 'New alert rule' }).click();
    const created = page.getByRole('form', { name: 'New alert rule' });
    await created.getByLabel('Name').fill('Turned At Risk');
    await created.getByLabel('Alerts on').selectOption('health');
    await created.getByRole('checkbox', { name: 'At Risk' }).uncheck();
    await created.getByRole('button', { name: 'Save rule' }).click();
    // The server's refusal shows inside the group of boxes it names.
    const health = created.getByRole('group', { name: 'When Health changes to' });
    await health.getByText('a health rule needs healthTo, npsDrop or both').waitFor();
    await assertAccessible(page, 'a refused rule');
    await health.getByRole('checkbox', { name: 'At Risk' }).check();
    await created.getByLabel('And these addresses (one per line)').fill('cx-lead@seller.example');
    await created.getByRole('button', { name: 'Save rule' }).click();
    await rulesTable().getByText('Turned At Risk').waitFor();
    assert.deepEqual((await rows(rulesTable()))[1], ['Turned At Risk', 'Health turns At Risk (daily digest)', 'Account Owner, Customer Success Manager, cx-lead@seller.example', 'On']);

    await page.getByLabel('Receiver URL').fill('https://hooks.slack.example/T1/B2');
    await page.getByRole('checkbox', { name: 'Each answer' }).uncheck();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await page.getByRole('status').filter({ hasText: 'signing secret' }).locator('code').innerText();
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const hooks = page.getByRole('table', { name: 'Webhooks of this directory' });
    await hooks.waitFor();
    assert.deepEqual(await rows(hooks), [['https://hooks.slack.example/T1/B2', 'alert', 'On', '0 delivered, 0 pending, 0 failed']]);

    // What the worker logs as it delivers (worker/webhooks/deliver-webhook.ts), read by the page.
    await db.query(
      `insert into webhook_deliveries (webhook_id, event_key, event, payload, state, attempts, last_status, last_attempt_at, delivered_at)
       select id, 'alert:1', 'alert.detractor', '{}', 'delivered', 3, 200, now(), now() from webhooks`,
    );
    await page.getByRole('button', { name: 'Delivery log: https://hooks.slack.example/T1/B2' }).click();
    const log = page.getByRole('table', { name: /^Delivery log, newest first/ });
    await log.waitFor();
    assert.deepEqual((await rows(log))[0]!.slice(1), ['alert.detractor', 'delivered', '3']);
    await assertAccessible(page, 'the webhooks and a delivery log');
    // The 401 is the session read before signing in; the 400 the refused rule.
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => !/status of (401|400)\b/.test(e)), trouble.dialogs], [[], [], []]);
  });

  it('shows an editor the rules without a way to change them, and no webhooks', async () => {
    await signIn(editorEmail);
    await rulesTable().waitFor();
    assert.deepEqual(await rows(rulesTable()), [['Detractor answers', 'An answer of 6 or less from any contact', 'Account Owner, Customer Success Manager', 'On']]);
    assert.deepEqual(
      [await page.getByRole('button', { name: 'New alert rule' }).count(), await page.getByRole('button', { name: /^Edit:/ }).count(), await page.getByRole('heading', { name: 'Webhooks' }).count()],
      [0, 0, 0],
    );
    await assertAccessible(page, "an editor's alert rules");
  });
});
