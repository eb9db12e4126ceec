import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { freePort } from '../helpers/database.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { watch } from './embed-page.ts';

const root = path.join(import.meta.dirname, '..', '..');
/** Git-ignored; a reviewer opens the screenshot to see the demo page as the test saw it. */
const screenshot = path.join(root, 'test-results', 'demo-page.png');

describe('npm start: the widget demo page', () => {
  let browser: Browser | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await browser?.close();
  });

  it('shows the demo company in the widget under a strict CSP, and saves a screenshot', async function () {
    this.timeout(60_000);
    const [{ url }, port] = await Promise.all([testDatabase(this), freePort(), buildWidget()]);
    child = spawn(process.execPath, [path.join(root, 'bin', 'start.ts')], {
      // With DATABASE_URL the key that signs embed tokens must be given (it is generated only for the embedded database).
      env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_API_KEY: '', EMBED_TOKEN_KEY: 'a-demo-embed-token-key-of-32-characters' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    for await (const chunk of child.stdout!) {
      banner += String(chunk);
      if (banner.includes('Try:')) break;
    }
    assert.match(banner, new RegExp(`The widget on the demo data: http://localhost:${port}/demo\\n`));

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const trouble = await watch(page);
    const response = await page.goto(`http://localhost:${port}/demo`);
    assert.match(response!.headers()['content-security-policy']!, /^default-src 'self'; script-src 'self'; style-src 'self'/);
    const rows = page.locator('strategic-accounts tbody tr');
    await rows.first().waitFor();
    const names = await page.locator('strategic-accounts tbody th').allInnerTexts();
    assert.equal(names.length, 35, 'every live account of the demo company, on one page');
    assert.ok(names.includes('Helvetia Precision AG'));
    // The demo is pinned to the day of its newest answer, so it has a current quarter to show.
    await page.getByText('Q4 2026 (2026-10-01 – 2026-12-31)').waitFor();
    assert.deepEqual([await trouble.violations(), trouble.errors], [[], []]);

    await mkdir(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = await readFile(screenshot);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok((await stat(screenshot)).size > 20_000, 'the screenshot shows a rendered page, not a blank one');
  });
});
