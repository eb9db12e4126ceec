import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildWidget, launchChromium } from '../helpers/browser.ts';
import { freePort } from '../helpers/database.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { serveEmbedPages, type EmbedServer } from '../widget/embed-page.ts';

const root = path.join(import.meta.dirname, '..', '..');
const tutorial = path.join(root, 'docs', 'first-hour.md');

type Block = { info: string; code: string };

/** The tutorial's shell blocks in order: `sh` runs, `sh setup` sets the variables the test sets itself, `sh skip` is for people only. */
function shellBlocks(markdown: string): Block[] {
  const blocks = [...markdown.matchAll(/^```((?:sh|bash|shell|console)\b[^\n]*)\n([\s\S]*?)^```$/gm)].map(([, info, code]) => ({ info: info!.trim(), code: code! }));
  for (const { info } of blocks) assert.ok(['sh', 'sh setup', 'sh skip'].includes(info), `unknown block "${info}" in docs/first-hour.md`);
  return blocks;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, output }));
}

describe('docs/first-hour.md', () => {
  let product: ChildProcess | undefined;
  let browser: Browser | undefined;
  let portal: EmbedServer | undefined;
  let work: string | undefined;
  afterEach(async () => {
    if (product && product.exitCode === null) {
      product.kill('SIGTERM');
      await once(product, 'exit');
    }
    await browser?.close();
    await portal?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("runs the tutorial's commands: own files load, the survey is sent and answered, and the widget shows the answer in a page", async function () {
    this.timeout(60_000);
    const blocks = shellBlocks(await readFile(tutorial, 'utf8'));
    const [{ url }, port, pagePort] = await Promise.all([testDatabase(this), freePort(), freePort(), buildWidget()]);
    work = await mkdtemp(path.join(os.tmpdir(), 'first-hour-'));
    const dataDir = path.join(work, '.bellwether');
    const bw = `http://localhost:${port}`;
    const pageOrigin = `http://localhost:${pagePort}`;

    product = spawn(process.execPath, [path.join(root, 'bin', 'start.ts')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: url,
        PORT: String(port),
        BELLWETHER_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ADMIN_API_KEY: '',
        // With DATABASE_URL the key that signs embed tokens must be given (it is generated only for the embedded database).
        EMBED_TOKEN_KEY: 'a-first-hour-embed-token-key-of-32-characters',
        CORS_ORIGINS: pageOrigin,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    for await (const chunk of product.stdout!) {
      banner += String(chunk);
      if (banner.includes('Try:')) break;
    }
    const key = /shown this once[^\n]*\n\s+(bw_\S+)/.exec(banner)?.[1];
    assert.ok(key, `no admin key in:\n${banner}`);

    // The tutorial sets these three in its setup block; the test gives them this product's values.
    const variables = { BW: bw, KEY: key, IMPORTS: path.join(dataDir, 'imports') };
    const setup = blocks.filter((b) => b.info === 'sh setup').map((b) => b.code).join('');
    assert.deepEqual([...setup.matchAll(/^export (\w+)=/gm)].map(([, name]) => name).sort(), Object.keys(variables).sort());

    // Run as a person pastes them: one shell, no `set -e` (a poll that finds nothing yet is not a failure).
    const script = [
      ...blocks.filter((b) => b.info === 'sh').map((b) => b.code),
      'printf "%s\\n" "$SURVEY" "$WORKFLOW" "$CONFIG" > "$FIRST_HOUR_IDS"',
    ].join('\n');
    const ids = path.join(work, 'ids');
    const env = { ...process.env, ...variables, FIRST_HOUR_IDS: ids, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` };
    const { code, output } = await run('bash', ['-c', script], { cwd: work, env });
    assert.equal(code, 0, output);
    const [survey, workflow, config] = (await readFile(ids, 'utf8')).trim().split('\n').map(Number) as [number, number, number];
    assert.match(output, /^\{"items":\[\{"id":1,"name":"Default",.*"accounts":0,.*"name":"Demo \(Northwind\)",.*"accounts":35,/m, 'the admin key opens the API: the empty default directory, and the demo in its own');
    if (process.env.FIRST_HOUR_OUTPUT) await writeFile(process.env.FIRST_HOUR_OUTPUT, output);
    assert.match(output, /Thank you for your answer\./, 'the survey page thanks for the answer');

    const api = async <T>(pathname: string, token = key): Promise<T> => {
      const response = await fetch(`${bw}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200, `${pathname}: ${await response.clone().text()}`);
      return (await response.json()) as T;
    };

    // The run loaded the three files without a row error.
    const runs = await api<{ items: { state: string; errorCount: number; counts: Record<string, { inserted: number }> }[] }>(`/api/runs?workflow=${workflow}`);
    assert.equal(runs.items.length, 1);
    assert.equal(runs.items[0]!.state, 'succeeded');
    assert.equal(runs.items[0]!.errorCount, 0);
    assert.equal(runs.items[0]!.counts.contacts!.inserted, 3);

    // Each contact of the files got an invitation in the outbox, with its own survey link.
    const outbox = await api<{ items: { to: string; text: string }[] }>('/api/outbox?limit=3');
    assert.deepEqual(outbox.items.map((m) => m.to).sort(), ['ada.lovelace@acme.example', 'alan.turing@globex.example', 'grace.hopper@acme.example']);
    for (const message of outbox.items) assert.match(message.text, new RegExp(`${bw}/s/[\\w-]+`));

    // The answer is stored against Ada and counts for Acme Holdings in the widget's data.
    const responses = await api<{ items: { score: number; comment: string | null }[] }>(`/api/surveys/${survey}/responses`);
    assert.deepEqual(responses.items.map((r) => [r.score, r.comment]), [[9, 'Quick onboarding']]);
    const widget = await api<{ accounts: { id: string; name: string; responses: number; nps: number | null; arr: string | null }[] }>(
      `/api/widgets/strategic-accounts?config=${config}&search=Acme`,
    );
    assert.deepEqual(
      widget.accounts.map((a) => [a.id, a.name, a.responses, a.nps, a.arr]),
      [
        ['ACME-2', 'Acme Europe', 0, null, '24000.00'],
        ['ACME-1', 'Acme Holdings', 1, 100, '120000.00'],
      ],
    );

    // The page the tutorial wrote shows the widget, with its embed token, from an origin in CORS_ORIGINS.
    const page = await readFile(path.join(work, 'my-page.html'), 'utf8');
    assert.doesNotMatch(page, new RegExp(key), 'the page holds an embed token, not the admin key');
    portal = await serveEmbedPages({ '/my-page.html': page }, { port: pagePort, csp: `default-src 'self'; script-src 'self' ${bw}; connect-src ${bw}; style-src 'self'` });
    browser = await launchChromium();
    const tab = await browser.newPage();
    await tab.goto(`${pageOrigin}/my-page.html`);
    const acme = tab.locator('strategic-accounts tbody tr', { hasText: 'Acme Holdings' });
    await acme.waitFor();
    assert.match(await acme.innerText(), /Not enough data/);
  });
});
