import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { eventually } from '../helpers/eventually.ts';
import { accountHeader, contactHeader, teamHeader } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { addUser, goodPassword } from '../server/people-fixture.ts';
import { serve, testApp, type Served } from '../server/serve.ts';
import { assertAccessible, withAxe } from './console-page.ts';
import { watch } from '../widget/embed-page.ts';

const csvFile = (name: string, rows: string[][]) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(rows.map((r) => r.join(',')).join('\n') + '\n') });

describe('Connections → Uploaded files in the browser', () => {
  let api: Served | undefined;
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    await api?.close();
  });

  it('uploads several files at once, shows the refused one with the server’s reason, lists who uploaded each, and refuses to delete a file a workflow reads', async function () {
    this.timeout(60_000);
    const [{ db }] = await Promise.all([testDatabase(this), buildWidget()]);
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { uploadMaxBytes: 64 * 1024 }));
    await addUser(db, 'ada@bellwether.example', 'admin');
    const workflow = await createWorkflow(db, {
      name: 'Nightly',
      definition: { tasks: [{ type: 'extract', name: 'T1', object: 'accounts', source: 'upload', file: 'accounts.csv' }, { type: 'load', name: 'T2', extracts: { accounts: 'T1' } }] },
    }, '/nowhere');
    browser = await launchChromium();
    const page = await browser.newPage();
    await withAxe(page);
    const trouble = await watch(page);

    await page.goto(`${api.base}/connections`);
    await page.getByLabel('Email').fill('ada@bellwether.example');
    await page.getByLabel('Password').fill(goodPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Connections' }).getByRole('link', { name: 'Uploaded files' }).click();
    await page.waitForURL(`${api.base}/connections/uploads`);
    await page.getByRole('status').filter({ hasText: 'No uploaded files yet.' }).waitFor();
    await assertAccessible(page, 'the empty list of uploads');

    const accepted = [
      csvFile('accounts.csv', [accountHeader, ['001A', 'false', 'Acme', '']]),
      csvFile('contacts.csv', [contactHeader, ['003A', 'false', 'CEO', '001A', 'ann@acme.example', 'Ann', 'Lee']]),
      csvFile('team_members.csv', [teamHeader, ['001A', 'am@bellwether.example', 'Account Manager', 'false']]),
      csvFile('nps-history.csv', [['Contact.Id', 'Account.Id', 'Score', 'Comment', 'Responded_At'], ['003A', '001A', '9', 'Great', '2026-11-02T10:00:00Z']]),
    ];
    const tooLarge = { name: 'everything.csv', mimeType: 'text/csv', buffer: Buffer.alloc(65 * 1024, 'x') };
    await page.getByLabel('Files to upload (CSV)').setInputFiles([...accepted, tooLarge]);
    // Sent from the keyboard: the file field, then Tab to the button and Enter.
    await page.getByLabel('Files to upload (CSV)').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Done: 4 of 5 uploaded.' }).waitFor();
    const sent = page.getByRole('list', { name: 'Files being uploaded' }).getByRole('listitem');
    assert.deepEqual((await sent.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ')), [
      ...accepted.map((file) => `${file.name} (${file.buffer.length} bytes): uploaded`),
      'everything.csv (65 KB): Not uploaded: BAD_REQUESTthe file is larger than the upload limit of 64 KB (UPLOAD_MAX_BYTES)',
    ]);
    const table = page.getByRole('table', { name: 'Uploaded files' });
    await table.getByRole('row').nth(accepted.length).waitFor();
    const rows = await table.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    assert.deepEqual(
      rows.map(([name, size, , by]) => [name, size, by]),
      accepted.map((file) => [file.name, `${file.buffer.length} bytes`, 'ada@bellwether.example']).reverse(),
      'newest first, each with its size and who uploaded it',
    );
    await assertAccessible(page, 'the uploads after a refusal');

    const [{ id: accountsId }] = (await db.query<{ id: number }>(`select id::int from uploads where name = 'accounts.csv'`)) as [{ id: number }];
    await page.getByRole('button', { name: `Delete: accounts.csv (${accountsId})` }).click();
    await page.getByRole('alert').filter({ hasText: `Not deleted: CONFLICTthe uploaded file "accounts.csv" (${accountsId}) is used by workflow "Nightly" (${workflow.id})` }).waitFor();
    await page.getByRole('button', { name: /^Delete: nps-history\.csv/ }).click();
    await table.getByRole('cell', { name: 'nps-history.csv', exact: true }).waitFor({ state: 'detached' });
    // The list is read again after the delete: the file is gone once it shows again.
    await eventually(async () => assert.equal(await table.getByRole('row').count(), accepted.length), { what: 'the list shows the uploads left' });
    await assertAccessible(page, 'the uploads after a refused delete');

    const refused = (status: string) => `Failed to load resource: the server responded with a status of ${status}`;
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [refused('401 (Unauthorized)'), refused('413 (Payload Too Large)'), refused('409 (Conflict)')], []]);
  });
});
