import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { freePort } from '../helpers/database.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { serveWithPeople } from '../server/people-fixture.ts';
import type { Served } from '../server/serve.ts';
import { watch } from '../widget/embed-page.ts';
import { assertAccessible, tabTo, withAxe } from './console-page.ts';

describe('signing in to the console with Salesforce', () => {
  let api: Served | undefined;
  let standIn: SalesforceStandIn | undefined;
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    await api?.close();
    await standIn?.close();
  });

  /** Who logs in on Salesforce's login page next (the stand-in consents for them at once). */
  function salesforceUser(email: string, emailVerified = true): void {
    standIn!.user = { ...standIn!.user, username: `${email.split('@')[0]!.toLowerCase()}@acme.my.salesforce.com`, email, emailVerified };
  }

  const salesforceButton = (page: Page) => page.getByRole('link', { name: 'Sign in with Salesforce' });

  it('refuses an unknown email with the reason on the sign-in page, signs an admin in by keyboard, and lets an invited viewer in', async function () {
    this.timeout(90_000);
    standIn = await startStandIn();
    const port = await freePort();
    const callbackUrl = `http://localhost:${port}/oauth/salesforce/callback`;
    standIn.app.callbackUrl = callbackUrl;
    const salesforceApp = { clientId: standIn.app.clientId, clientSecret: standIn.app.clientSecret, callbackUrl, loginUrl: standIn.url };
    [{ api }] = await Promise.all([serveWithPeople(this, { 'ann@example.com': 'admin' }, { salesforceApp }, port), buildWidget()]);
    const base = api.base;
    browser = await launchChromium();
    const page = await browser.newPage();
    await withAxe(page);
    const trouble = await watch(page);

    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in to Bellwether' }).waitFor();
    await salesforceButton(page).waitFor();
    await assertAccessible(page, 'the sign-in page with Salesforce');

    salesforceUser('mallory@example.com');
    await tabTo(page, 'Sign in with Salesforce');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/sign-in?refused=unknown`);
    const refusal = page.getByRole('alert').filter({ hasText: "no Bellwether user has your Salesforce user's email: ask an admin to invite you" });
    assert.match(await refusal.innerText(), /^Not signed in with Salesforce: INVALID_CREDENTIALS/);
    await assertAccessible(page, 'the refusal');

    salesforceUser('Ann@Example.com');
    await tabTo(page, 'Sign in with Salesforce');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/directory`);
    await page.getByText('ann (admin)').waitFor();

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill('vi@example.com');
    await form.getByLabel('Name').fill('Vi Viewer');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByRole('status').filter({ hasText: 'Invitation sent to vi@example.com.' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    salesforceUser('vi@example.com');
    await salesforceButton(page).click();
    await page.waitForURL(`${base}/my-accounts`);
    await page.getByText('Vi Viewer (viewer)').waitFor();
    assert.deepEqual(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allInnerTexts(), ['My accounts']);

    // Logged by the browser: who is signed in, asked before anyone was (the first page, and the refusal's).
    const signedOut = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut, signedOut], []]);
  });
});
