import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../core/db.ts';
import { createWidgetConfig } from '../../core/widgets/config-queries.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { addUser } from '../server/people-fixture.ts';
import { serve, testApp, type Served } from '../server/serve.ts';
import { loadWidgetDirectory, writeBackWorkflow } from '../server/widgets/fixture.ts';
import type { SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { watch } from '../widget/embed-page.ts';
import { assertAccessible, failedLoad, signIn, signedOut, withAxe } from './console-page.ts';

describe('the Widgets section: deleting a widget configuration, in the browser', function () {
  this.timeout(90_000);
  let db: Db;
  let api: Served | undefined;
  let browser: Browser | undefined;
  let board: number;
  let sales: number;
  let standIn: SalesforceStandIn | undefined;

  beforeEach(async function () {
    [{ db }] = await Promise.all([testDatabase(this), buildWidget()]);
    api = await serve(db, undefined, undefined, await testApp(db));
    await addUser(db, 'ada@bellwether.example', 'admin');
    await loadWidgetDirectory(db);
    ({ id: board } = await createWidgetConfig(db, { name: 'Board view', directoryId: 1 }));
    ({ id: sales } = await createWidgetConfig(db, { name: 'Sales view', directoryId: 1 }));
    browser = await launchChromium();
  });
  afterEach(async () => {
    await browser?.close();
    await api?.close();
    await standIn?.close();
    standIn = undefined;
  });

  const names = (page: Page) =>
    page.getByRole('table', { name: 'Widget configurations' }).locator('tbody tr td:first-child').allInnerTexts();

  it('asks first, naming the configuration and the embeds that stop working, then deletes it: gone from the list, the designer and after a reload', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await withAxe(page);
    const trouble = await watch(page);
    await signIn(page, api!.base, '/widgets');
    await page.getByRole('button', { name: 'Design and embed Board view' }).click();
    await page.getByRole('heading', { name: 'Design “Board view”' }).waitFor();

    // Keeping it changes nothing.
    await page.getByRole('button', { name: 'Delete: Board view' }).click();
    const question = page.getByRole('alertdialog', { name: `Delete “Board view” (configuration ${board})?` });
    assert.equal(
      await question.getAttribute('aria-describedby').then((id) => question.locator(`#${id}`).innerText()),
      `Every page that embeds it stops showing the widget: its snippets and embed tokens name configuration ${board}, which will no longer exist.`,
    );
    await assertAccessible(page, 'the question before deleting a widget configuration');
    // The safe answer has the focus: Enter keeps it.
    await page.keyboard.press('Enter');
    await question.waitFor({ state: 'detached' });
    assert.deepEqual(await names(page), ['Board view', 'Sales view']);

    await page.getByRole('button', { name: 'Delete: Board view' }).click();
    await question.getByRole('button', { name: 'Delete “Board view”' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted “Board view”.' }).waitFor();
    await page.getByRole('table', { name: 'Widget configurations' }).getByRole('cell', { name: 'Board view', exact: true }).waitFor({ state: 'detached' });
    assert.deepEqual(await names(page), ['Sales view']);
    assert.equal(await page.getByRole('heading', { name: 'Design “Board view”' }).count(), 0, 'the designer of the deleted configuration is closed');
    assert.equal(page.url(), `${api!.base}/widgets`);
    await assertAccessible(page, 'a widget configuration deleted');

    await page.reload();
    await page.getByRole('table', { name: 'Widget configurations' }).getByRole('cell', { name: 'Sales view', exact: true }).waitFor();
    assert.deepEqual(await names(page), ['Sales view']);
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut], []]);
  });

  it('shows the server’s refusal when the configuration was deleted in another tab, and keeps the other configurations', async () => {
    const first = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await withAxe(first);
    const trouble = await watch(first);
    await signIn(first, api!.base, '/widgets');
    await first.getByRole('button', { name: 'Delete: Sales view' }).waitFor();

    // The same admin, in another tab, deletes it first.
    const second = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(second, api!.base, '/widgets');
    await second.getByRole('button', { name: 'Delete: Sales view' }).click();
    await second.getByRole('button', { name: 'Delete “Sales view”' }).click();
    await second.getByRole('status').filter({ hasText: 'Deleted “Sales view”.' }).waitFor();

    await first.getByRole('button', { name: 'Delete: Sales view' }).click();
    await first.getByRole('button', { name: 'Delete “Sales view”' }).click();
    const refusal = first.getByRole('table', { name: 'Widget configurations' }).getByRole('alert');
    assert.deepEqual([await refusal.locator('code').innerText(), await refusal.innerText()], ['NOT_FOUND', `Not deleted: NOT_FOUNDwidget configuration ${sales} does not exist`]);
    await assertAccessible(first, 'a refused delete');
    await first.reload();
    await first.getByRole('table', { name: 'Widget configurations' }).getByRole('cell', { name: 'Board view', exact: true }).waitFor();
    assert.deepEqual(await names(first), ['Board view']);
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== failedLoad('404 (Not Found)')), trouble.dialogs], [[], [signedOut], []]);
  });

  it('names the workflows whose write-back uses the configuration when the server refuses, and deletes it anyway only when asked again', async () => {
    let workflowId: number;
    ({ workflowId, standIn } = await writeBackWorkflow(db, sales, 'Nightly health'));
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await withAxe(page);
    const trouble = await watch(page);
    await signIn(page, api!.base, '/widgets');
    await page.getByRole('button', { name: 'Delete: Sales view' }).click();
    await page.getByRole('button', { name: 'Delete “Sales view”' }).click();
    const refusal = page.getByRole('alertdialog').getByRole('alert');
    assert.equal(
      await refusal.innerText(),
      `Workflows write back with it: CONFLICTwidget configuration ${sales} ("Sales view") is used by workflow "Nightly health" (${workflowId}): removing it breaks them; add ?force=true to remove it anyway`,
    );
    await assertAccessible(page, 'a delete refused while a workflow uses the configuration');
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.reload();
    await page.getByRole('table', { name: 'Widget configurations' }).getByRole('cell', { name: 'Sales view', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Delete: Sales view' }).click();
    await page.getByRole('button', { name: 'Delete “Sales view”' }).click();
    await page.getByRole('button', { name: 'Delete it and break them' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted “Sales view”.' }).waitFor();
    assert.deepEqual(await names(page), ['Board view']);
    await page.reload();
    await page.getByRole('table', { name: 'Widget configurations' }).getByRole('cell', { name: 'Board view', exact: true }).waitFor();
    assert.deepEqual(await names(page), ['Board view']);
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== failedLoad('409 (Conflict)')), trouble.dialogs], [[], [signedOut], []]);
  });
});
