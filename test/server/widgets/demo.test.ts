import assert from 'node:assert/strict';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Db } from '../../../core/db.ts';
import { createLogger } from '../../../core/log.ts';
import { demoRoutes, markDemoDirectory, withDemoPage } from '../../../server/widgets/demo.ts';
import { embedTokens } from '../../../server/widgets/embed-tokens.ts';
import { runSync } from '../../../worker/jobs/run-sync.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { adminKey, serve, testApp, testEmbedTokenKey, testSecretBox, type Served } from '../serve.ts';
import { loadWidgetDirectory } from './fixture.ts';

const demoDir = path.join(import.meta.dirname, '..', '..', '..', 'examples', 'demo');

/** What `npm start` loads on a fresh machine: the demo company into directory 1. */
async function loadDemoCompany(db: Db): Promise<void> {
  const files = { accounts: path.join(demoDir, 'accounts.csv'), contacts: path.join(demoDir, 'contacts.csv'), teamMembers: path.join(demoDir, 'team_members.csv') };
  const result = await runSync({ db, secretBox: async () => testSecretBox }, { directoryId: 1, files, mapping: path.join(demoDir, 'mapping.json') });
  assert.equal(result.state, 'succeeded', result.error?.message);
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
      await loadDemoCompany(db);
      const demo = await markDemoDirectory(db, 1);
      const page = await visit();
      assert.equal(page.status, 200);
      const claims = decodeJwt(/ token="([^"]+)"/.exec(page.text)![1]!);
      assert.deepEqual(
        { cfg: claims.cfg, dir: claims.dir, email: claims.email, lifetime: claims.exp! - claims.iat! },
        { cfg: demo.configId, dir: 1, email: undefined, lifetime: 15 * 60 },
      );
      assert.equal((await visit('/demo/demo.css')).status, 200);
    });
  });

  describe('once the directory holds other data', () => {
    it('responds 404 after an admin loads their own accounts into it', async () => {
      await loadDemoCompany(db);
      await markDemoDirectory(db, 1);
      await loadWidgetDirectory(db);
      assert.deepEqual([(await visit()).status, (await visit('/demo/demo.css')).status], [404, 404]);
    });

    it('responds 404 after the demo widget configuration is deleted', async () => {
      await loadDemoCompany(db);
      const demo = await markDemoDirectory(db, 1);
      const deleted = await site.request(`/api/widget-configs/${demo.configId}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
      assert.equal(deleted.status, 204);
      assert.equal((await visit()).status, 404);
    });
  });

  describe('when npm start did not load the demo', () => {
    it('responds 404 even if the directory holds the same company', async () => {
      await loadDemoCompany(db);
      assert.equal((await visit()).status, 404);
    });
  });
});
