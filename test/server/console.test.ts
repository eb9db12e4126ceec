import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { consoleDist } from '../../server/console/routes.ts';
import { buildWidget } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { serve, type Served } from './serve.ts';

const strictCsp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

describe('the console', () => {
  let api: Served;

  before(async function () {
    this.timeout(60_000);
    await buildWidget();
  });
  beforeEach(async function () {
    api = await serve((await testDatabase(this)).db);
  });
  afterEach(() => api.close());

  describe('GET a page of it', () => {
    it('answers the same shell at every page, under a policy that allows nothing inline and nothing from elsewhere', async () => {
      const pages = ['/', '/sign-in', '/setup?token=abc', '/invite?token=abc', '/directory/accounts/001A', '/runs/12', '/mail', '/settings/people'];
      const answers = await Promise.all(pages.map(async (page) => {
        const response = await fetch(api.base + page);
        return [response.status, response.headers.get('content-security-policy'), await response.text()] as const;
      }));
      const [, , shell] = answers[0]!;
      assert.match(shell, /<script type="module" src="\/console\/console.js"><\/script>/);
      assert.doesNotMatch(shell, /<script>|<style|style=/, 'nothing inline');
      assert.deepEqual(answers, pages.map(() => [200, strictCsp, shell]));
    });
  });

  describe('GET /console/:file', () => {
    it("serves the entry to revalidate and the hashed chunks to keep, and answers 404 for what the build did not make", async () => {
      const chunk = (await readdir(consoleDist)).find((name) => name !== 'console.js')!;
      const entry = await fetch(`${api.base}/console/console.js`);
      const hashed = await fetch(`${api.base}/console/${chunk}`);
      assert.deepEqual(
        [entry.status, entry.headers.get('content-type'), entry.headers.get('cache-control'), await entry.text()],
        [200, 'text/javascript; charset=utf-8', 'public, max-age=0', await readFile(path.join(consoleDist, 'console.js'), 'utf8')],
      );
      assert.deepEqual([hashed.status, hashed.headers.get('cache-control')], [200, 'public, max-age=31536000, immutable']);
      const missing = await fetch(`${api.base}/console/nothing.js`);
      assert.deepEqual([missing.status, await missing.json()], [404, { error: { code: 'NOT_FOUND', message: 'no console file nothing.js: run `npm run build` if the console is not built' } }]);
    });
  });
});
