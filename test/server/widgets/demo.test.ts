import assert from 'node:assert/strict';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Db } from '../../../core/db.ts';
import { createLogger } from '../../../core/log.ts';
import { createDemoDirectory } from '../../../core/demo.ts';
import { demoRoutes, markDemoDirectory, withDemoPage } from '../../../server/widgets/demo.ts';
import { embedTokens } from '../../../server/widgets/embed-tokens.ts';
import { runSync } from '../../../worker/jobs/run-sync.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { adminKey, serve, testApp, testEmbedTokenKey, testSecretBox, type Served } from '../serve.ts';
import { loadWidgetDirectory } from './fixture.ts';

const demoDir = path.join(import.meta.dirname, '..', '..', '..', 'examples', 'demo');

/** Loads the demo company into `directoryId`: as `npm start` does on a fresh machine into the demo's own directory. */
async function loadDemoCompany(db: Db, directoryId: number): Promise<void> {
  const files = { accounts: path.join(demoDir, 'accounts.csv'), contacts: path.join(demoDir, 'contacts.csv'), teamMembers: path.join(demoDir, 'team_members.csv') };
  const result = await runSync({ db, secretBox: async () => testSecretBox }, { directoryId, files, mapping: path.join(demoDir, 'mapping.json') });
  assert.equal(result.state, 'succeeded', result.error?.message);
}

/** `npm start`'s first start: the demo's directory, the company loaded into it, marked as the demo. */
async function installDemo(db: Db) {
  const directoryId = (await createDemoDirectory(db))!;
  await loadDemoCompany(db, directoryId);
  return markDemoDirectory(db, directoryId);
}

describe('GET /demo', () => {
  let db: Db;
  let site: Served;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    const app = await testApp(db);
    site = await serve(db, undefined, undefined, withDemoPage(app, demoRoutes(db, async () => embedTokens(testEmbedTokenKey)), createLogger('silent', 'test')));
  });
  afterEach(() => site.close());

  const visit = async (page = '/demo') => {
    const response = await fetch(site.base + page);
    return { status: response.status, text: await response.text() };
  };

  describe('while the directory holds only the demo company npm start loaded', () => {
    it('issues a token for the demo widget and directory only, valid for a quarter of an hour', async () => {
      const demo = await installDemo(db);
      // The user's own data goes into the default directory: the demo stays.
      await loadWidgetDirectory(db);
      const page = await visit();
      assert.equal(page.status, 200);
      const claims = decodeJwt(/ token="([^"]+)"/.exec(page.text)![1]!);
      assert.deepEqual(
        { cfg: claims.cfg, dir: claims.dir, email: claims.email, lifetime: claims.exp! - claims.iat! },
        { cfg: demo.configId, dir: demo.directoryId, email: undefined, lifetime: 15 * 60 },
      );
      assert.equal((await visit('/demo/demo.css')).status, 200);
    });
  });

  describe('once the directory holds other data', () => {
    it('responds 404 after an admin loads more into it', async () => {
      const demo = await installDemo(db);
      await loadDemoCompany(db, demo.directoryId);
      assert.deepEqual([(await visit()).status, (await visit('/demo/demo.css')).status], [404, 404]);
    });

    it('responds 404 after the demo widget configuration is deleted', async () => {
      const demo = await installDemo(db);
      const deleted = await site.request(`/api/widget-configs/${demo.configId}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
      assert.equal(deleted.status, 204);
      assert.equal((await visit()).status, 404);
    });
  });

  describe('when npm start did not load the demo', () => {
    it('responds 404 even if the directory holds the same company', async () => {
      await loadDemoCompany(db, 1);
      assert.equal((await visit()).status, 404);
    });
  });
});
