import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { loadAcme } from './fixture.ts';
import { adminKey, recordingLogger, serve, type Served } from './serve.ts';

describe('the API', () => {
  let db: Db;
  let api: Served;
  let logged: ReturnType<typeof recordingLogger>;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    await loadAcme(db);
    logged = recordingLogger();
    api = await serve(db, logged.logger);
  });
  afterEach(() => api.close());

  describe('GET an unknown route', () => {
    it('responds 404 JSON naming the route', async () => {
      const reply = await api.get('/api/nothing-here');
      assert.deepEqual([reply.status, reply.headers.get('content-type'), reply.body], [
        404,
        'application/json; charset=utf-8',
        { error: { code: 'NOT_FOUND', message: 'no route for GET /api/nothing-here' } },
      ]);
    });
  });

  describe('a request with malformed JSON', () => {
    it('responds 400 BAD_REQUEST', async () => {
      const reply = await api.request('/api/accounts', {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: '{"name": ',
      });
      assert.deepEqual([reply.status, reply.body], [400, { error: { code: 'BAD_REQUEST', message: 'the request body is not valid JSON' } }]);
    });
  });

  describe('a path that is not valid percent-encoding', () => {
    it('responds 400 BAD_REQUEST', async () => {
      const reply = await api.get('/api/accounts/%E0%A4%A');
      assert.deepEqual([reply.status, reply.body], [400, { error: { code: 'BAD_REQUEST', message: "Failed to decode param '%E0%A4%A'" } }]);
    });
  });

  describe('a request body over 16 kB', () => {
    it('responds 413', async () => {
      const reply = await api.request('/api/accounts', {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ padding: 'x'.repeat(20_000) }),
      });
      assert.deepEqual([reply.status, reply.body], [413, { error: { code: 'BAD_REQUEST', message: 'request entity too large' } }]);
    });
  });

  describe('a request whose query fails in the database', () => {
    it('responds 500 with a generic body and logs the cause', async () => {
      await db.query('drop table accounts cascade');
      const reply = await api.get('/api/accounts');
      assert.deepEqual([reply.status, reply.body], [500, { error: { code: 'INTERNAL', message: 'internal error' } }]);
      const errors = logged.lines().filter((line) => line.level === 50);
      assert.deepEqual(
        errors.map((line) => [line.msg, line.method, line.url, (line.err as { message: string }).message]),
        [['request failed', 'GET', '/api/accounts', 'relation "accounts" does not exist']],
      );
    });
  });
});
