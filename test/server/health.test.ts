import assert from 'node:assert/strict';
import { Db } from '../../core/db.ts';
import { freePort } from '../helpers/database.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { serve, type Served } from './serve.ts';

describe('GET /api/health', () => {
  let api: Served | undefined;
  let unreachable: Db | undefined;

  afterEach(async () => {
    await api?.close();
    await unreachable?.close();
    api = unreachable = undefined;
  });

  describe('when the database answers', () => {
    beforeEach(async function () {
      const { db } = await testDatabase(this);
      api = await serve(db);
    });

    it('responds 200 ok without a key', async () => {
      const reply = await api!.get('/api/health', { key: null });
      assert.deepEqual([reply.status, reply.body], [200, { status: 'ok', database: 'ok' }]);
      assert.equal(reply.headers.get('x-powered-by'), null);
    });
  });

  describe('when the database is unreachable', () => {
    beforeEach(async () => {
      unreachable = new Db(`postgres://nobody:nothing@127.0.0.1:${await freePort()}/none`);
      api = await serve(unreachable);
    });

    it('responds 503 unavailable', async () => {
      const reply = await api!.get('/api/health', { key: null });
      assert.deepEqual([reply.status, reply.body], [503, { status: 'unavailable', database: 'unreachable' }]);
    });
  });
});
