import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Browser } from 'playwright-core';
import type { Db } from '../../core/db.ts';
import { storeUpload } from '../../core/uploads/store-upload.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { eventually } from '../helpers/eventually.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { sentToAcme } from '../server/distribution-fixture.ts';
import { addUser } from '../server/people-fixture.ts';
import { serve, testApp, type Served } from '../server/serve.ts';
import { loadWidgetDirectory } from '../server/widgets/fixture.ts';
import { embedPage, serveEmbedPages, watch, type EmbedServer } from '../widget/embed-page.ts';
import { assertAccessible, failedLoad, signIn, signedOut, tabTo, withAxe } from './console-page.ts';

/** A save (and the preview of the same form) refused on purpose: how many the browser logs depends on when the preview reads. */
const refused = failedLoad('400 (Bad Request)');

describe('The survey builder and the widget designer in the browser', function () {
  this.timeout(90_000);
  let db: Db;
  let api: Served | undefined;
  let portal: EmbedServer | undefined;
  let browser: Browser | undefined;

  beforeEach(async function () {
    [{ db }] = await Promise.all([testDatabase(this), buildWidget()]);
    // No origin in CORS_ORIGINS: the one the designer allows is the only one.
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, []));
    await addUser(db, 'ada@bellwether.example', 'admin');
    browser = await launchChromium();
  });
  afterEach(async () => {
    await browser?.close();
    await portal?.close();
    await api?.close();
  });

  it('builds a survey with an extra scale and a brand colour, shows it in the preview as recipients will see it, and saves it', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await withAxe(page);
    const trouble = await watch(page);
    await signIn(page, api!.base, '/surveys');
    await page.getByRole('status').filter({ hasText: 'No surveys yet.' }).waitFor();
    await tabTo(page, 'New survey');
    await page.keyboard.press('Enter');

    const form = page.getByRole('form', { name: 'Survey' });
    await form.getByLabel('Name (for you; recipients never see it)').fill('Relationship 2026');
    await form.getByLabel('Title').fill('How are we doing, Acme?');
    await form.getByLabel('NPS question').fill('How likely are you to recommend Bellwether to a colleague?');
    await form.getByRole('button', { name: 'Add a scale' }).click();
    await form.getByLabel('Scale 1 question').fill('How satisfied are you with our support?');
    await form.getByLabel('Scale 1 label of the low end').fill('Not at all');
    await form.getByLabel('Scale 1 label of the high end').fill('Completely');
    await form.getByLabel('Thank-you text').fill('Thank you, we read every answer.');
    await form.getByLabel('Brand colour (#rrggbb; empty: the default blue)').fill('#0B6E4F');

    // The real survey page, rendered by the server for the texts typed so far.
    const preview = page.frameLocator('iframe[title="Preview of the survey page"]');
    await preview.getByRole('heading', { name: 'How are we doing, Acme?' }).waitFor();
    await preview.getByRole('group', { name: 'How likely are you to recommend Bellwether to a colleague?' }).waitFor();
    const scale = preview.getByRole('group', { name: 'How satisfied are you with our support?' });
    assert.deepEqual(await scale.getByRole('radio').evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).value)), ['1', '2', '3', '4', '5']);
    assert.equal((await scale.locator('.ends').innerText()).replace(/\s+/g, ' '), 'Not at all Completely');
    assert.equal(await preview.getByRole('button', { name: 'Send' }).evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(11, 110, 79)');
    await assertAccessible(page, 'the survey builder with its preview');

    // The comment box goes: so does the page's.
    await preview.getByRole('textbox').waitFor();
    await form.getByLabel('Ask for a comment').uncheck();
    await preview.getByRole('textbox').waitFor({ state: 'detached' });

    // A refusal is shown at the field it names.
    const colour = form.getByLabel('Brand colour (#rrggbb; empty: the default blue)');
    await colour.fill('green');
    await form.getByRole('button', { name: 'Save' }).click();
    // The message is in the field's label, so it is read with the field.
    await form.getByRole('textbox', { name: /^Brand colour .* a colour is written #rrggbb, e\.g\. #0b6e4f$/ }).waitFor();
    await colour.fill('#0B6E4F');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: /^Saved as survey \d+\.$/ }).waitFor();
    assert.equal(await form.getByLabel('Title').inputValue(), 'How are we doing, Acme?');
    await page.getByRole('table', { name: 'Surveys' }).getByRole('cell', { name: 'Relationship 2026', exact: true }).waitFor();
    const [saved] = await db.query<{ title: string; comment_question: string | null; extra_questions: unknown; brand_color: string }>(
      'select title, comment_question, extra_questions, brand_color from surveys',
    );
    assert.deepEqual(saved, {
      title: 'How are we doing, Acme?', comment_question: null, brand_color: '#0b6e4f',
      extra_questions: [{ key: 'scale1', text: 'How satisfied are you with our support?', min: 1, max: 5, minLabel: 'Not at all', maxLabel: 'Completely' }],
    });
    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== refused), trouble.dialogs], [[], [signedOut], []]);
  });

  it('designs a widget with the element beside the form, mints a token, and shows the widget on another origin once the origin is allowed', async () => {
    await loadWidgetDirectory(db);
    const support = await createSurvey(db, { name: 'Support', extraQuestions: [{ key: 'csat', text: 'How satisfied are you?', min: 1, max: 5 }] });
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api!.base });
    const page = await context.newPage();
    await withAxe(page);
    const trouble = await watch(page);
    await signIn(page, api!.base, '/widgets');
    await page.getByRole('button', { name: 'New widget configuration' }).click();

    const form = page.getByRole('form', { name: 'Widget configuration' });
    const preview = page.getByRole('region', { name: 'Preview' });
    await form.getByLabel('Name').fill('Board view');
    // The element on the directory's accounts, before anything is saved: cards without key metrics.
    const alpha = preview.locator('[part="card"][data-account="A1"]');
    await alpha.waitFor();
    assert.equal(await preview.locator('[part="card"]').count(), 5);
    assert.equal(await alpha.locator('[part="metric"]').count(), 0);
    await assertAccessible(page, 'the widget designer');

    await tabTo(page, 'Add a key metric');
    await page.keyboard.press('Enter');
    // A survey's questions are sources too: its NPS question and its CSAT, each latest, averaged or counted.
    const sources = await form.getByLabel('Metric 1 source').locator('optgroup[label="Survey: Support"] option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value));
    assert.deepEqual(sources, ['NPS', 'csat'].flatMap((q) => ['latest', 'average', 'count'].map((s) => `survey:${support.id}:${q}:${s}`)));
    const chart = await form.getByLabel('Chart metric').locator('option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value));
    assert.ok(chart.includes(`survey:${support.id}:csat:average`), chart.join(', '));
    assert.deepEqual(await form.getByLabel('Surveys that count toward NPS').locator('option').allInnerTexts(), ['Every survey', 'Support only']);
    await form.getByLabel('Metric 1 source').selectOption('attribute:seats');
    await form.getByLabel('Metric 1 label').fill('Seats');
    await form.getByLabel('Metric 1 format').selectOption('number');
    await eventually(async () => assert.deepEqual(await alpha.locator('[part="metric"]').allInnerTexts().then((t) => t.map((s) => s.replace(/\s+/g, ' '))), ['Seats 250']), {
      what: 'the preview shows the new metric',
    });
    // A column of the B2B dataset only: surveys are not among the choices.
    const columnChoices = await form.getByLabel('Column to add').locator('option').allInnerTexts();
    assert.ok(columnChoices.includes('industry (Enum)') && columnChoices.includes('Parent account') && columnChoices.includes('Executive sponsor'));
    assert.ok(!columnChoices.some((c) => /nps|survey|score/i.test(c)), columnChoices.join(', '));
    const zone = form.getByLabel('Time zone (periods start at midnight there)');
    await zone.fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('textbox', { name: 'Time zone (periods start at midnight there) "Mars/Olympus" is not an IANA time zone name (e.g. Europe/Berlin)' }).waitFor();
    await assertAccessible(page, 'the designer with a refused field');
    await zone.fill('Europe/Berlin');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: /^Saved as widget configuration \d+\.$/ }).waitFor();
    // The form keeps what was saved, and the list shows it.
    assert.deepEqual([await form.getByLabel('Name').inputValue(), await form.getByLabel('Metric 1 label').inputValue()], ['Board view', 'Seats']);
    await page.getByRole('table', { name: 'Widget configurations' }).getByRole('cell', { name: 'Seats', exact: true }).waitFor();
    const [config] = await db.query<{ id: number; settings: { keyMetrics: unknown; timeZone: string } }>('select id::int, settings from widget_configs');
    assert.deepEqual([config!.settings.keyMetrics, config!.settings.timeZone], [[{ label: 'Seats', field: 'attribute:seats', format: 'number', decimals: 0 }], 'Europe/Berlin']);

    await page.getByRole('form', { name: 'Mint an embed token' }).getByRole('button', { name: 'Mint a token' }).click();
    const tokenField = page.getByLabel(/^Embed token \(every account, until /);
    await tokenField.waitFor();
    const token = await tokenField.inputValue();
    await page.getByRole('button', { name: 'Copy the token' }).click();
    await page.getByRole('status').filter({ hasText: 'The token: copied.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
    const snippet = await page.getByRole('textbox', { name: 'Script tag (any web page)' }).inputValue();
    assert.ok(snippet.includes(`token="${token}"`) && snippet.includes(`config="${config!.id}"`), snippet);
    await assertAccessible(page, 'the embed snippets and a minted token');

    // A portal on another origin with the snippet as copied; its policy lets it load and call this server only.
    portal = await serveEmbedPages(
      { '/': embedPage({ head: '', tag: snippet }) },
      { csp: `default-src 'self'; script-src ${api!.base}; connect-src ${api!.base}; style-src 'self'` },
    );
    const visitor = await context.newPage();
    await visitor.goto(portal.base);
    // Not allowed yet: the browser refuses the answer, and the element says so.
    await visitor.locator('strategic-accounts [part="error"]').waitFor();
    assert.equal(await visitor.locator('strategic-accounts [part="row"]').count(), 0);

    await page.getByLabel('Origin (e.g. https://portal.example.com)').fill(portal.base);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('table', { name: 'Allowed origins' }).getByRole('cell', { name: portal.base, exact: true }).waitFor();
    await assertAccessible(page, 'the allowed origins');

    await visitor.reload();
    await visitor.locator('strategic-accounts [part="row"]').first().waitFor();
    assert.equal(await visitor.locator('strategic-accounts [part="row"]').count(), 5);

    assert.deepEqual([await trouble.violations(), trouble.errors.filter((e) => e !== refused), trouble.dialogs], [[], [signedOut], []]);
  });

  it('shows each distribution with its recipients’ states, opens and answers, filters the answers into a CSV, and imports a history from an upload', async () => {
    const { distributionId, adaLink: link } = await sentToAcme(db, api!.base);
    const history = 'Respondent,Rating,When\n003B,4,15/01/2026\n003D,eleven,16/01/2026\n';
    const upload = await storeUpload(db, { name: 'nps-2025.csv', uploadedBy: 'ada@bellwether.example', maxBytes: 1 << 20 }, Readable.from([Buffer.from(history)]));

    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const recipient = await context.newPage();
    // The recipient opens the survey twice and answers once, as a person would.
    await recipient.goto(link);
    await recipient.goto(link);
    await recipient.getByRole('radio', { name: '9' }).check({ force: true });
    await recipient.getByRole('button', { name: 'Send' }).click();
    await recipient.getByRole('heading', { name: 'Thank you for your answer.' }).waitFor();

    const page = await context.newPage();
    await withAxe(page);
    const trouble = await watch(page);
    await signIn(page, api!.base, '/surveys');
    const distributions = page.getByRole('table', { name: "Distributions to this directory's contacts, newest first" });
    await distributions.getByRole('row').nth(1).waitFor();
    const cells = await distributions.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    assert.deepEqual([cells[3], cells[4], cells[5], cells[6], cells[7], cells[8], cells[9]], ['finished', '2', '1 (opted out: 1)', '0', '0', '2 (by 1)', '1']);
    await page.getByRole('button', { name: `Recipients of distribution ${distributionId}` }).click();
    const recipients = page.getByRole('table', { name: `Recipients of distribution ${distributionId}` });
    await recipients.getByRole('row').nth(3).waitFor();
    const states = await recipients.getByRole('row').evaluateAll((rows) => rows.slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    assert.deepEqual(states.map(([contact, , state, , , opened, answered]) => [contact, state, opened !== '', answered !== '']), [
      ['003A', 'sent', true, true], ['003B', 'sent', false, false], ['003C', 'skipped: opted out', false, false],
    ]);
    await page.getByRole('combobox', { name: /^State/ }).selectOption('skipped');
    await eventually(async () => assert.equal(await recipients.getByRole('row').count(), 2), { what: 'only the skipped recipient is listed' });
    await assertAccessible(page, 'the distributions and a distribution’s recipients');

    // The history: any header names; a column whose name says what it holds is chosen already.
    const importer = page.getByRole('region', { name: 'Import an NPS history' });
    await importer.getByLabel('Uploaded file').selectOption({ label: `nps-2025.csv (${upload.id})` });
    const columns = importer.getByRole('form', { name: 'Columns of nps-2025.csv' });
    await columns.waitFor();
    assert.deepEqual(await Promise.all(['Contact id', 'Score (0 to 10)', 'Answered at', 'Comment (optional)'].map((name) => columns.getByLabel(name).inputValue())), ['', 'Rating', '', '']);
    await columns.getByLabel('Contact id').selectOption('Respondent');
    await columns.getByLabel('Answered at').selectOption('When');
    await columns.getByLabel(/^Time format/).fill('DD/MM/YYYY');
    await columns.getByRole('button', { name: 'Import the history' }).click();
    await importer.getByRole('status').filter({ hasText: 'Imported 1 answers; 0 were already there; 1 rows rejected.' }).waitFor();
    assert.deepEqual(await importer.getByRole('table', { name: 'Rejected rows' }).locator('tbody td').allInnerTexts(), ['3', 'Rating', 'Rating "eleven" is not a whole number from 0 to 10']);
    await assertAccessible(page, 'a history imported');

    const answers = page.getByRole('region', { name: 'Answers' });
    await answers.getByLabel('Score from').fill('0');
    await answers.getByLabel('Score to').fill('6');
    await answers.getByRole('button', { name: 'Filter' }).click();
    const table = answers.getByRole('table', { name: 'Answers, newest first' });
    await eventually(async () => assert.deepEqual(await table.locator('tbody tr td:nth-child(3)').allInnerTexts(), ['003B']), { what: 'only the imported 4 is listed' });
    const [download] = await Promise.all([page.waitForEvent('download'), answers.getByRole('link', { name: 'Download these answers as CSV' }).click()]);
    assert.equal(await readFile((await download.path())!, 'utf8'), 'responded_at,survey,contact_id,account_id,score,comment,answers\n2026-01-15 00:00:00+00,,003B,001A,4,,{}\n');
    await assertAccessible(page, 'the answers filtered');
    assert.deepEqual([await trouble.violations(), trouble.errors, trouble.dialogs], [[], [signedOut], []]);
  });
});
