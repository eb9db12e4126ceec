// The element's share of bench:widget: the bundle's gzipped size, and the time until 1,000 accounts
// are on screen in Chromium against the same rows sent as a plain static HTML table (the baseline),
// both measured in this run. The data comes from memory (bench/widget/sample.ts), so the API's own
// latency, measured apart, is left out.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import type { Browser } from 'playwright-core';
import { listen } from '../../server/listen.ts';
import { widgetBundleRoutes, widgetDist } from '../../server/widgets/bundle.ts';
import { buildWidget, launchChromium } from '../../test/helpers/browser.ts';
import { describeChange, formatArr, formatCell, formatChange, formatInteger } from '../../widget/src/format.ts';
import type { StrategicAccounts } from '../../widget/src/api.ts';
import { table } from '../shared.ts';
import { sampleAnswer } from './sample.ts';

export const renderTargets = { gzipKB: 25 };

export type RenderFigures = {
  bundleBytes: number;
  gzipBytes: number;
  accounts: number;
  runs: number;
  /** Medians, ms from navigation start until the rows are painted. */
  widgetMs: number;
  baselineMs: number;
  /** Median ms from the data's arrival (script loaded, JSON fetched and parsed) to the painted rows. */
  widgetRenderMs: number;
};

/** Marks the time of the first frame after the page's rows are in the document. */
const markPainted = 'requestAnimationFrame(() => setTimeout(() => { window.painted = performance.now(); }));';

function widgetPage(accounts: number): string {
  return `<!doctype html><html lang="en-US"><head><meta charset="utf-8"><title>widget</title>
<script type="module">
  const element = document.querySelector('strategic-accounts');
  element.addEventListener('accounts-load', async () => { window.loaded = performance.now(); await element.updateComplete; ${markPainted} }, { once: true });
</script>
<script type="module" src="/widget/strategic-accounts.js"></script></head>
<body><strategic-accounts config="1" page-size="${accounts}"></strategic-accounts></body></html>`;
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same rows and columns as the element's table, formatted the same way, as static HTML. */
function baselinePage(data: StrategicAccounts): string {
  const locale = 'en-US';
  const cells = data.accounts.map((a) =>
    [a.name, a.health, formatArr(a.arr, a.currency, locale), formatInteger(a.nps, locale), `${formatChange(a.change, locale)} ${describeChange(a.change, locale)}`, ...data.columns.slice(5).map((c) => formatCell(a.values[c.key], locale))],
  );
  const head = data.columns.map((c) => `<th scope="col">${escape(c.label)}</th>`).join('');
  const body = cells.map((row) => `<tr><th scope="row">${escape(row[0]!)}</th>${row.slice(1).map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html><html lang="en-US"><head><meta charset="utf-8"><title>baseline</title></head>
<body><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table><script>${markPainted}</script></body></html>`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Timing = { painted: number; loaded?: number };

async function timeOnce(browser: Browser, url: string, rowsExpected: number): Promise<Timing> {
  // A fresh context each time: nothing cached from the previous pass.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => typeof (window as unknown as { painted?: number }).painted === 'number', undefined, { timeout: 60_000 });
    const rows = await page.locator('tbody tr').count();
    if (rows !== rowsExpected) throw new Error(`${url} showed ${rows} rows, not ${rowsExpected}`);
    return await page.evaluate(() => ({ painted: (window as unknown as Timing).painted, loaded: (window as unknown as Timing).loaded }));
  } finally {
    await context.close();
  }
}

export async function measureRender(options: { accounts?: number; runs?: number; log: (message: string) => void }): Promise<RenderFigures> {
  const accounts = options.accounts ?? 1000;
  const runs = options.runs ?? 7;
  await buildWidget();
  const bundle = await readFile(path.join(widgetDist, 'strategic-accounts.js'));
  const data = sampleAnswer(accounts);
  const json = JSON.stringify(data);

  const app = express();
  app.use(widgetBundleRoutes());
  app.get('/api/widgets/strategic-accounts', (_req, res) => void res.type('json').send(json));
  app.get('/widget.html', (_req, res) => void res.type('html').send(widgetPage(accounts)));
  app.get('/baseline.html', (_req, res) => void res.type('html').send(baselinePage(data)));
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
  const server = await listen(app, 0);
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  try {
    // One untimed pass each, so neither pays for Chromium's first start.
    await timeOnce(browser, `${base}/baseline.html`, accounts);
    await timeOnce(browser, `${base}/widget.html`, accounts);
    const widget: Timing[] = [];
    const baseline: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      baseline.push(await timeOnce(browser, `${base}/baseline.html`, accounts));
      widget.push(await timeOnce(browser, `${base}/widget.html`, accounts));
      options.log(`render pass ${i + 1}/${runs}: widget ${widget.at(-1)!.painted.toFixed(0)} ms, static table ${baseline.at(-1)!.painted.toFixed(0)} ms`);
    }
    return {
      bundleBytes: bundle.length,
      gzipBytes: gzipSync(bundle, { level: 9 }).length,
      accounts,
      runs,
      widgetMs: median(widget.map((t) => t.painted)),
      baselineMs: median(baseline.map((t) => t.painted)),
      widgetRenderMs: median(widget.map((t) => t.painted - t.loaded!)),
    };
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
}

export function renderTable(f: RenderFigures): string {
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  return table(
    ['measure', 'value', 'baseline', 'ratio', 'target'],
    [
      ['bundle, minified (KB)', kb(f.bundleBytes), '', '', ''],
      ['bundle, gzipped (KB)', kb(f.gzipBytes), '', '', `<= ${renderTargets.gzipKB} KB ${f.gzipBytes / 1024 <= renderTargets.gzipKB ? 'met' : 'MISSED'}`],
      [`first render, ${f.accounts.toLocaleString('en-US')} accounts (ms, median of ${f.runs})`, f.widgetMs.toFixed(0), f.baselineMs.toFixed(0), (f.widgetMs / f.baselineMs).toFixed(2), ''],
      ['  of which after the data arrived (ms)', f.widgetRenderMs.toFixed(0), '', '', ''],
    ],
    new Set([1, 2, 3]),
  );
}

export function renderTargetsMet(f: RenderFigures): boolean {
  return f.gzipBytes / 1024 <= renderTargets.gzipKB;
}
