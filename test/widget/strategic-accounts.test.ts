import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../core/db.ts';
import { loadDirectory } from '../../worker/load/load-directory.ts';
import { openLocalFiles } from '../../worker/extract/local-files.ts';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { freePort } from '../helpers/database.ts';
import { accountHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { adminKey, serve, testApp, type Served } from '../server/serve.ts';
import { addResponses, addSurveyAnswers, answers, createSurvey, loadWidgetDirectory, saveConfig } from '../server/widgets/fixture.ts';
import { embedPage, serveEmbedPages, watch, type EmbedServer } from './embed-page.ts';

const xssName = '<img src=x onerror=alert(1)>';

/** The widget fixture's directory plus an account whose name is markup. */
async function loadAccounts(db: Db): Promise<void> {
  await loadWidgetDirectory(db);
  const dir = await tempDir();
  const accounts = await writeCsv(dir, 'accounts.csv', [accountHeader, ['A6', 'false', xssName, '']]);
  const result = await loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: () => openLocalFiles({ accounts }), mapping: {} });
  assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
  // As of 2026-11-25, QoQ: Q4 2026 against Q3; MoM: November against October.
  await addResponses(db, [
    ...answers('A1', '2026-08-10', [10, 10, 8, 8, 8]), // Q3: 40
    ...answers('A1', '2026-10-10', [10, 10, 10, 10, 8]), // October: 80
    ...answers('A1', '2026-11-10', [10, 10, 10, 8, 8]), // November: 60; Q4: 7 promoters of 10: 70
    ...answers('A2', '2026-08-10', [0, 0, 10, 8, 8]), // Q3: -20
    ...answers('A2', '2026-11-10', [10, 0, 0, 0, 8]), // November and Q4: -40
    ...answers('A3', '2026-10-12', [10, 10, 10, 10, 10]), // October and Q4: 100
  ]);
}

const config = {
  name: 'Key accounts',
  period: 'QoQ',
  timeZone: 'UTC',
  chartPeriods: 4,
  columns: [{ field: 'attribute:industry', label: 'Industry' }],
  keyMetrics: [
    { label: 'ARR', field: 'arr', format: 'currency', decimals: 2 },
    { label: 'Seats', field: 'attribute:seats', format: 'number', decimals: 0 },
    { label: 'NPS', field: 'nps', format: 'percent', decimals: 1 },
  ],
  chartMetric: { field: 'nps' },
  arr: { amountAttribute: 'contractAmount', termAttribute: 'termMonths', termUnit: 'months' },
  currencyAttribute: 'currency',
};

const script = '<script type="module" src="/widget/strategic-accounts.js"></script>';

function tag(configId: number, token: string, extra = ''): string {
  return `<strategic-accounts config="${configId}" token="${token}" as-of="2026-11-25"${extra}></strategic-accounts>`;
}

/** An embed token for the configuration, as its admin would issue one for a portal. */
async function issueToken(api: Served, configId: number): Promise<string> {
  const reply = await api.request('/api/embed-tokens', {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ configId, expiresInSeconds: 3600 }),
  });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return (reply.body as { token: string }).token;
}

/** The table as a user reads it: one array of cell texts per row. */
async function tableRows(page: Page): Promise<string[][]> {
  const rows = page.locator('strategic-accounts tbody tr');
  await rows.first().waitFor();
  return rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => (cell as HTMLElement).innerText.trim())));
}

async function headers(page: Page): Promise<string[]> {
  return page.locator('strategic-accounts thead th').evaluateAll((ths) => ths.map((th) => (th as HTMLElement).innerText.trim()));
}

describe('<strategic-accounts> in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let api: Served;
  let portal: EmbedServer | undefined;
  let configId: number;
  let token: string;
  let db: Db;

  before(async function () {
    await Promise.all([buildWidget(), launchChromium().then((b) => (browser = b))]);
  });
  after(() => browser?.close());

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    await loadAccounts(db);
    api = await serve(db);
    configId = await saveConfig(api, config);
    token = await issueToken(api, configId);
  });
  afterEach(async () => {
    await portal?.close();
    portal = undefined;
    await api.close();
  });

  async function open(pages: Record<string, string>, path: string): Promise<{ page: Page; trouble: Awaited<ReturnType<typeof watch>> }> {
    portal = await serveEmbedPages(pages, { app: await testApp(db) });
    const page = await browser.newPage();
    const trouble = await watch(page);
    await page.goto(portal.base + path);
    return { page, trouble };
  }

  it('renders every account as a row with the default and configured columns under a strict CSP, with no violation', async () => {
    const { page, trouble } = await open({ '/portal': embedPage({ head: script, tag: tag(configId, token) }) }, '/portal');
    const rows = await tableRows(page);
    assert.deepEqual(await headers(page), ['Client', 'Health', 'ARR', 'NPS', 'QoQ change (NPS points)', 'Industry']);
    const byName = new Map(rows.map((r) => [r[0], r]));
    // ARR = contract amount / term in years, in the account's currency.
    assert.deepEqual(byName.get('Alpha GmbH'), ['Alpha GmbH', 'Opportunity', '€60,000', '70', '+30\nincreased by 30 points', 'Manufacturing']);
    assert.deepEqual(byName.get('Beta AG'), ['Beta AG', 'At Risk', 'CHF\u00a033,333', '-40', '-20\ndecreased by 20 points', 'Retail']);
    assert.deepEqual(byName.get('Epsilon SA'), ['Epsilon SA', 'Not enough data', '—', '—', '—\nno change to show', 'Retail']);
    assert.equal(rows.length, 6);
    assert.deepEqual(await trouble.violations(), []);
    assert.deepEqual(trouble.errors, []);
    await page.close();
  });

  it('shows an account named with markup as text and runs none of it', async () => {
    const { page, trouble } = await open({ '/portal': embedPage({ head: script, tag: tag(configId, token) }) }, '/portal');
    await page.getByRole('row', { name: xssName }).waitFor();
    assert.equal(await page.locator('strategic-accounts img').count(), 0, 'no <img> element was made from the name');
    await page.getByRole('button', { name: 'Cards' }).click();
    await page.getByRole('heading', { name: xssName, exact: true }).waitFor();
    assert.equal(await page.locator('strategic-accounts img').count(), 0);
    assert.deepEqual(trouble.dialogs, []);
    assert.deepEqual(await trouble.violations(), [], 'nothing was even tried: an attempt would be a CSP violation');
    await page.close();
  });

  it('sorts by a column from the keyboard, asking the server for that order, and again the other way', async () => {
    const { page, trouble } = await open({ '/portal': embedPage({ head: script, tag: tag(configId, token) }) }, '/portal');
    await tableRows(page);
    const nps = page.getByRole('button', { name: 'NPS', exact: true });
    await nps.focus();
    await page.keyboard.press('Enter');
    await page.locator('strategic-accounts th[aria-sort="ascending"]', { hasText: 'NPS' }).waitFor();
    await page.locator('strategic-accounts section[aria-busy="false"]').waitFor();
    assert.deepEqual((await tableRows(page)).slice(0, 3).map((r) => [r[0], r[3]]), [['Beta AG', '-40'], ['Alpha GmbH', '70'], ['Gamma Ltd', '100']]);
    await page.keyboard.press('Enter');
    await page.locator('strategic-accounts th[aria-sort="descending"]', { hasText: 'NPS' }).waitFor();
    await page.locator('strategic-accounts section[aria-busy="false"]').waitFor();
    assert.deepEqual((await tableRows(page)).slice(0, 3).map((r) => [r[0], r[3]]), [['Gamma Ltd', '100'], ['Alpha GmbH', '70'], ['Beta AG', '-40']]);
    const sorts = trouble.requests.map((url) => [url.searchParams.get('sort'), url.searchParams.get('order')]);
    assert.deepEqual(sorts, [[null, null], ['nps', 'asc'], ['nps', 'desc']]);
    await page.close();
  });

  it('searches client names on the server, and says when nothing matches', async () => {
    const { page, trouble } = await open({ '/portal': embedPage({ head: script, tag: tag(configId, token) }) }, '/portal');
    await tableRows(page);
    const search = page.getByRole('searchbox', { name: 'Search clients' });
    await search.fill('alph');
    await page.waitForFunction(() => document.querySelector('strategic-accounts')!.shadowRoot!.querySelectorAll('tbody tr').length === 1);
    assert.deepEqual((await tableRows(page)).map((r) => r[0]), ['Alpha GmbH']);
    await search.fill('zzz');
    await page.getByText('No accounts matching “zzz” to show for Q4 2026.').waitFor();
    assert.deepEqual(trouble.requests.map((url) => url.searchParams.get('search')), [null, 'alph', 'zzz']);
    await page.close();
  });

  it('fetches the chosen period again when the period switches', async () => {
    const { page, trouble } = await open({ '/portal': embedPage({ head: script, tag: tag(configId, token) }) }, '/portal');
    await tableRows(page);
    const element = page.locator('strategic-accounts');
    await page.getByRole('button', { name: 'MoM', exact: true }).click();
    await page.getByText('Nov 2026 (2026-11-01 – 2026-11-30)').waitFor();
    assert.deepEqual(await trouble.events(), ['accounts-load {"total":6,"period":"QoQ"}', 'period-change {"period":"MoM"}', 'accounts-load {"total":6,"period":"MoM"}']);
    assert.equal(await page.getByRole('button', { name: 'MoM', exact: true }).getAttribute('aria-pressed'), 'true');
    assert.equal(await element.getAttribute('period'), 'MoM');
    const byName = new Map((await tableRows(page)).map((r) => [r[0], r]));
    assert.deepEqual((await headers(page))[4], 'MoM change (NPS points)');
    assert.deepEqual(byName.get('Alpha GmbH')!.slice(3, 5), ['60', '-20\ndecreased by 20 points']);
    assert.deepEqual(trouble.requests.map((url) => url.searchParams.get('period')), [null, 'MoM']);
    await page.close();
  });

  it('shows cards with three key metrics formatted as configured and a line chart of the chosen metric', async () => {
    const { page } = await open({ '/portal': embedPage({ head: script, tag: tag(configId, token, ' view="cards"') }) }, '/portal');
    const alpha = page.locator('strategic-accounts li.card', { hasText: 'Alpha GmbH' });
    await alpha.waitFor();
    const metrics = await alpha.locator('.metric').evaluateAll((ms) => ms.map((m) => (m as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(metrics, ['ARR €60,000.00', 'Seats 250', 'NPS 70.0%']);
    // Q1-Q2 2026 had no answers (no line there), Q3 40, Q4 70: one segment between two dots.
    const chart = alpha.locator('svg[role="img"]');
    assert.equal(await chart.getAttribute('aria-label'), 'NPS: Q1 2026: no data, Q2 2026: no data, Q3 2026: 40, Q4 2026: 70');
    assert.match((await alpha.locator('path.line').getAttribute('d'))!, /^M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/);
    assert.equal(await alpha.locator('circle.dot').count(), 2);
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 20, `the chart is drawn at ${JSON.stringify(box)}`);
    const beta = page.locator('strategic-accounts li.card', { hasText: 'Beta AG' });
    assert.deepEqual(await beta.locator('.metric dd').allInnerTexts(), ['CHF\u00a033,333.33', '40', '-40.0%']);
    await page.close();
  });

  it("shows an account's latest CSAT and its quarter's average on the card, and charts the average with the configured decimals", async () => {
    const survey = await createSurvey(api, 'Relationship');
    await addSurveyAnswers(db, survey, [
      ['A1', 'C1', '2026-08-10T09:00:00Z', 9, 4],
      ['A1', 'C1', '2026-09-10T09:00:00Z', 9, 5], // Q3: 4.5
      ['A1', 'C1', '2026-10-10T09:00:00Z', 9, 3],
      ['A1', 'C1', '2026-11-01T09:00:00Z', 9, 4],
      ['A1', 'C1', '2026-11-10T09:00:00Z', 9, 4], // Q4: 11 / 3 = 3.67; the latest 4
    ]);
    const csatConfig = await saveConfig(api, {
      ...config,
      name: 'CSAT',
      keyMetrics: [
        { label: 'CSAT', field: `survey:${survey}:csat:latest`, format: 'number', decimals: 1 },
        { label: 'CSAT this quarter', field: `survey:${survey}:csat:average`, format: 'number', decimals: 2 },
      ],
      chartMetric: { field: `survey:${survey}:csat:average`, label: 'CSAT', decimals: 2 },
    });
    const csatToken = await issueToken(api, csatConfig);
    const { page } = await open({ '/portal': embedPage({ head: script, tag: tag(csatConfig, csatToken, ' view="cards"') }) }, '/portal');
    const alpha = page.locator('strategic-accounts li.card', { hasText: 'Alpha GmbH' });
    await alpha.waitFor();
    const metrics = await alpha.locator('.metric').evaluateAll((ms) => ms.map((m) => (m as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(metrics, ['CSAT 4.0', 'CSAT this quarter 3.67']);
    assert.equal(await alpha.locator('svg[role="img"]').getAttribute('aria-label'), 'CSAT: Q1 2026: no data, Q2 2026: no data, Q3 2026: 4.50, Q4 2026: 3.67');
    await page.close();
  });

  it("takes the page's theme through custom properties and ::part, and keeps its own styles and the page's apart", async () => {
    const theme = `strategic-accounts { --sa-color-accent: rgb(1, 2, 3); }
strategic-accounts::part(card) { border-color: rgb(4, 5, 6); }
h3, th { color: rgb(200, 0, 0); }`;
    const head = `${script}<link rel="stylesheet" href="/theme.css">`;
    const body = `<table><tr><th id="page-th">Page</th></tr></table>${tag(configId, token, ' view="cards"')}`;
    portal = await serveEmbedPages({ '/portal': embedPage({ head, tag: body }) }, { app: await testApp(db), stylesheets: { '/theme.css': theme } });
    const page = await browser.newPage();
    const trouble = await watch(page);
    await page.goto(`${portal.base}/portal`);
    const card = page.locator('strategic-accounts li.card', { hasText: 'Alpha GmbH' });
    await card.waitFor();
    const style = (locator: ReturnType<Page['locator']>, property: string) => locator.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
    assert.deepEqual(
      [
        await style(page.getByRole('button', { name: 'QoQ', exact: true }), 'background-color'),
        await style(card, 'border-top-color'),
        await style(card.locator('h3'), 'color'),
        await style(page.locator('#page-th'), 'color'),
        await style(page.locator('#page-th'), 'background-color'),
      ],
      // Themed accent and part; the page's h3 rule does not reach the card's heading; the element's
      // th rule does not reach the page's table, which keeps its own colour.
      ['rgb(1, 2, 3)', 'rgb(4, 5, 6)', 'rgb(31, 41, 55)', 'rgb(200, 0, 0)', 'rgba(0, 0, 0, 0)'],
    );
    assert.deepEqual(await trouble.violations(), []);
    await page.close();
  });

  it('says it is loading until the data arrives, and shows an empty state when there are no accounts', async () => {
    // A token limited to a user who holds no role on any account: the server answers with none.
    const reply = await api.request('/api/embed-tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ configId, userEmail: 'nobody@seller.example' }),
    });
    const { token: nobody } = reply.body as { token: string };
    portal = await serveEmbedPages({ '/portal': embedPage({ head: script, tag: tag(configId, nobody) }) }, { app: await testApp(db) });
    const page = await browser.newPage();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/widgets/strategic-accounts?*', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${portal.base}/portal`);
    await page.getByText('Loading accounts…').waitFor();
    assert.equal(await page.locator('strategic-accounts [role="status"]').innerText(), 'Loading accounts');
    release();
    await page.getByText('No accounts to show for Q4 2026.').waitFor();
    assert.equal(await page.locator('strategic-accounts table').count(), 0);
    await page.close();
  });

  it('says why when the server refuses the token, in an alert', async () => {
    const { page } = await open({ '/portal': embedPage({ head: script, tag: tag(configId, 'not-a-token') }) }, '/portal');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /^Could not load the accounts: .*not valid/);
    await page.close();
  });

  it('embeds in a page of another origin through CORS, and says so when that origin is not allowed', async () => {
    // One portal server reached by two names: 127.0.0.1 is in CORS_ORIGINS, localhost is not.
    const port = await freePort();
    await api.close();
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, [`http://127.0.0.1:${port}`]));
    const csp = `default-src 'self'; script-src 'self' ${api.base}; connect-src ${api.base}; style-src 'self'`;
    const page = embedPage({ head: `<script type="module" src="${api.base}/widget/strategic-accounts.js"></script>`, tag: tag(configId, token, ` api="${api.base}"`) });
    portal = await serveEmbedPages({ '/portal': page }, { port, csp });

    const allowed = await browser.newPage();
    const trouble = await watch(allowed);
    await allowed.goto(`http://127.0.0.1:${port}/portal`);
    assert.equal((await tableRows(allowed)).length, 6);
    assert.deepEqual([await trouble.violations(), trouble.errors], [[], []]);
    await allowed.close();

    const refused = await browser.newPage();
    await refused.goto(`http://localhost:${port}/portal`);
    const alert = refused.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.locator('p').innerText(), `Could not load the accounts: the server at ${api.base} could not be reached`);
    await alert.getByRole('button', { name: 'Try again' }).waitFor();
    await refused.close();
  });

  it('runs as a classic script in a closed shadow root, as Salesforce loads it', async () => {
    const classic = '<script src="/widget/strategic-accounts.iife.js" defer></script>';
    const { page, trouble } = await open({ '/vf': embedPage({ head: classic, tag: tag(configId, token, ' shadow-mode="closed"') }) }, '/vf');
    await page.waitForFunction(() => document.querySelector('strategic-accounts')!.getBoundingClientRect().height > 150);
    assert.deepEqual(await trouble.events(), ['accounts-load {"total":6,"period":"QoQ"}']);
    assert.equal(await page.locator('strategic-accounts').evaluate((el) => el.shadowRoot), null, 'the page cannot reach into the closed root');
    assert.deepEqual(await trouble.violations(), []);
    assert.deepEqual(trouble.errors, []);
    await page.close();
  });
});
