import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createLogger } from '../../core/log.ts';
import { prepareFirstAdmin } from '../../server/people/first-admin.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { serve, type Served } from '../server/serve.ts';
import { watch } from '../widget/embed-page.ts';
import { assertAccessible, withAxe } from './console-page.ts';

describe('the console on a first start without ADMIN_EMAIL', () => {
  let api: Served | undefined;
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    await api?.close();
  });

  it('creates the first admin at the setup link, shows the empty directory, and refuses the used link with the server’s error', async function () {
    this.timeout(60_000);
    const [{ db }] = await Promise.all([testDatabase(this), buildWidget()]);
    api = await serve(db);
    const link = await prepareFirstAdmin(db, { firstAdmin: undefined, publicUrl: api.base }, createLogger('silent', 'test'));
    browser = await launchChromium();
    const page = await browser.newPage();
    await withAxe(page);
    const trouble = await watch(page);

    await page.goto(link!);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    await assertAccessible(page, 'the setup page');
    await page.getByLabel('Email').fill('first@bellwether.example');
    await page.getByLabel('Name').fill('First Admin');
    await page.getByLabel('Password (12 characters or more)').fill('a-long-first-password');
    await page.getByRole('button', { name: 'Create the admin and sign in' }).click();
    await page.waitForURL(`${api.base}/directory`);
    await page.getByText('First Admin (admin)').waitFor();
    await page.getByRole('status').filter({ hasText: 'No accounts yet.' }).waitFor();
    await assertAccessible(page, 'the empty directory');

    await page.goto(link!);
    await page.getByRole('alert').filter({ hasText: /^This link cannot be used .*: NOT_FOUND/ }).waitFor();
    // Logged by the browser: who is signed in, asked before anyone was; the used link.
    const refused = (status: string) => `Failed to load resource: the server responded with a status of ${status}`;
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [refused('401 (Unauthorized)'), refused('404 (Not Found)')], []]);
  });
});
