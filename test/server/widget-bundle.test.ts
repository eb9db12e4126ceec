import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { widgetDist } from '../../server/widgets/bundle.ts';
import { buildWidget } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { serve, type Served } from './serve.ts';

describe('GET /widget/strategic-accounts.js', () => {
  let api: Served;

  before(async function () {
    this.timeout(60_000);
    await buildWidget();
  });
  beforeEach(async function () {
    api = await serve((await testDatabase(this)).db);
  });
  afterEach(() => api.close());

  it('serves the built element to anyone, from any origin, as JavaScript that caches revalidate by ETag', async () => {
    const response = await fetch(`${api.base}/widget/strategic-accounts.js`, { headers: { origin: 'https://portal.example' } });
    assert.equal(response.status, 200);
    assert.deepEqual(
      ['content-type', 'access-control-allow-origin', 'cache-control'].map((h) => response.headers.get(h)),
      ['text/javascript; charset=utf-8', '*', 'public, max-age=3600'],
    );
    assert.equal(await response.text(), await readFile(path.join(widgetDist, 'strategic-accounts.js'), 'utf8'));
    // As a browser revalidates (fetch itself would add `Cache-Control: no-cache` and so skip the cache).
    const again = await new Promise<number | undefined>((resolve, reject) => {
      http.get(`${api.base}/widget/strategic-accounts.js`, { headers: { 'if-none-match': response.headers.get('etag')! } }, (reply) => {
        reply.resume();
        resolve(reply.statusCode);
      }).on('error', reject);
    });
    assert.equal(again, 304);
  });

  it('serves the classic-script build beside it, and nothing else from the folder', async () => {
    const classic = await fetch(`${api.base}/widget/strategic-accounts.iife.js`);
    assert.equal(classic.status, 200);
    assert.match(await classic.text(), /^var BellwetherStrategicAccounts=/);
    const other = await api.get('/widget/..%2Fvite.config.ts', { key: null });
    assert.equal(other.status, 404);
  });
});
