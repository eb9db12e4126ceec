import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { eventually } from '../helpers/eventually.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { addUser, browser } from './people-fixture.ts';
import { adminKey, serve, testApp, type Served } from './serve.ts';

/** A body sent as it is produced, with no Content-Length (chunked), as a script piping a file would. */
function streamed(pieces: AsyncIterable<Uint8Array>): RequestInit {
  const iterator = pieces[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  return { body, duplex: 'half' } as RequestInit;
}

async function* pieces(count: number, size: number, before?: (index: number) => Promise<void>): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    await before?.(i);
    yield Buffer.alloc(size, 97 + (i % 26));
  }
}

const limit = 2 * 1024 * 1024;

describe('/api/uploads', function () {
  this.timeout(30_000);
  let api: Served;
  let db: Db;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { uploadMaxBytes: limit }));
  });
  afterEach(() => api.close());

  const upload = (name: string, init: RequestInit, headers: Record<string, string> = { authorization: `Bearer ${adminKey}` }) =>
    api.request(`/api/uploads?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, ...init });
  const call = (method: string, path: string) => api.request(path, { method, headers: { authorization: `Bearer ${adminKey}` } });
  const stored = async () => db.query<{ name: string; bytes: number }>(
    `select u.name, coalesce(sum(length(c.data)), 0)::int as bytes from uploads u left join upload_chunks c on c.upload_id = u.id group by u.id order by u.id`,
  );

  describe('POST a file streamed in pieces', () => {
    it('writes its bytes into the database while the rest is still being sent, and stores all of them', async () => {
      // The last piece is sent only once the server has written a chunk of the first ones.
      const waitForFirstChunk = async (index: number) => {
        if (index !== 23) return;
        await eventually(async () => {
          const [row] = await db.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like 'insert into upload_chunks%'`,
          );
          assert.equal(row!.n, 1);
        }, { what: 'a chunk is written before the body ends' });
      };
      const reply = await upload('accounts.csv', streamed(pieces(24, 64 * 1024, waitForFirstChunk)));
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      const body = reply.body as { id: number; name: string; size: number; uploadedBy: string; uploadedAt: string };
      assert.deepEqual([body.name, body.size, body.uploadedBy], ['accounts.csv', 24 * 64 * 1024, 'API key']);
      assert.deepEqual(await stored(), [{ name: 'accounts.csv', bytes: 24 * 64 * 1024 }]);
      const [{ first, last }] = (await db.query<{ first: string; last: string }>(
        `select encode(substr(string_agg(data, ''::bytea order by seq), 1, 1), 'escape') as first,
                encode(substr(string_agg(data, ''::bytea order by seq), ${24 * 64 * 1024}, 1), 'escape') as last from upload_chunks`,
      )) as [{ first: string; last: string }];
      assert.deepEqual([first, last], ['a', 'x'], 'the bytes come back in the order they were sent');
    });
  });

  describe('POST a file larger than the limit', () => {
    it('responds 413 naming the limit, whether the size is declared or only found while streaming, and keeps nothing', async () => {
      const refusal = { error: { code: 'BAD_REQUEST', message: 'the file is larger than the upload limit of 2 MB (UPLOAD_MAX_BYTES)' } };
      const declared = await upload('big.csv', { body: Buffer.alloc(limit + 1, 97) });
      assert.deepEqual([declared.status, declared.body], [413, refusal]);
      const found = await upload('big.csv', streamed(pieces(40, 64 * 1024)));
      assert.deepEqual([found.status, found.body], [413, refusal]);
      assert.deepEqual(await stored(), []);
      assert.deepEqual(await db.query('select * from upload_chunks'), []);
    });
  });

  describe('POST of a body that breaks off', () => {
    it('ends its transaction and keeps nothing of it', async () => {
      const abort = new AbortController();
      const reply = upload('accounts.csv', {
        ...streamed(pieces(40, 64 * 1024, async (index) => {
          if (index === 20) abort.abort();
        })),
        signal: abort.signal,
      });
      await assert.rejects(reply, { name: 'AbortError' });
      await eventually(async () => {
        const open = await db.query(`select 1 from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`);
        assert.deepEqual(open, []);
      }, { what: 'the upload transaction ends' });
      assert.deepEqual(await stored(), []);
      assert.deepEqual(await db.query('select * from upload_chunks'), []);
    });
  });

  describe('POST without a file name, or with a path', () => {
    it('responds 400 saying how to name the file', async () => {
      const unnamed = await api.request('/api/uploads', { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: 'Id\n' });
      assert.deepEqual(unnamed.body, { error: { code: 'BAD_REQUEST', message: 'an upload needs its file name: ?name=accounts.csv' } });
      const pathed = await upload('exports/accounts.csv', { body: 'Id\n' });
      assert.equal(pathed.status, 400);
      assert.deepEqual(await stored(), []);
    });
  });

  describe('GET', () => {
    it('lists the uploads newest first, paged, with their size and who uploaded each', async () => {
      await addUser(db, 'ada@example.com', 'admin');
      const ada = await browser(api, 'ada@example.com');
      assert.equal((await upload('contacts.csv', { body: 'Id\n1\n' })).status, 201);
      assert.equal((await upload('accounts.csv', { body: 'Id\n' }, { cookie: ada.cookie, origin: api.base })).status, 201);
      const reply = await call('GET', '/api/uploads?limit=1');
      const page = reply.body as { items: { name: string; size: number; uploadedBy: string; uploadedAt: string }[]; total: number; limit: number; offset: number };
      assert.deepEqual([page.items.map((u) => [u.name, u.size, u.uploadedBy]), page.total, page.limit, page.offset], [[['accounts.csv', 3, 'ada@example.com']], 2, 1, 0]);
      const next = (await call('GET', '/api/uploads?limit=1&offset=1')).body as typeof page;
      assert.deepEqual(next.items.map((u) => [u.name, u.size, u.uploadedBy]), [['contacts.csv', 5, 'API key']]);
    });

    it('is read by editors, but only admins upload', async () => {
      await addUser(db, 'eve@example.com', 'editor');
      const eve = await browser(api, 'eve@example.com');
      assert.equal((await eve.get('/api/uploads')).status, 200);
      const refused = await upload('accounts.csv', { body: 'Id\n' }, { cookie: eve.cookie, origin: api.base });
      assert.deepEqual([refused.status, (refused.body as { error: { code: string } }).error.code], [403, 'FORBIDDEN']);
      assert.deepEqual(await stored(), []);
    });
  });

  describe('DELETE', () => {
    it('is refused for the file a workflow reads, naming the workflow; an older upload of its name goes', async () => {
      const older = (await upload('accounts.csv', { body: 'Id\n1\n' })).body as { id: number };
      const newest = (await upload('accounts.csv', { body: 'Id\n2\n' })).body as { id: number };
      const workflow = await createWorkflow(db, {
        name: 'Nightly',
        definition: {
          tasks: [
            { type: 'extract', name: 'T1', object: 'accounts', source: 'upload', file: 'accounts.csv' },
            { type: 'load', name: 'T2', extracts: { accounts: 'T1' } },
          ],
        },
      }, '/nowhere');
      const refused = await call('DELETE', `/api/uploads/${newest.id}`);
      assert.deepEqual([refused.status, refused.body], [409, {
        error: {
          code: 'CONFLICT',
          message: `the uploaded file "accounts.csv" (${newest.id}) is used by workflow "Nightly" (${workflow.id}): removing it breaks them; add ?force=true to remove it anyway`,
        },
      }]);
      const oldGone = await call('DELETE', `/api/uploads/${older.id}`);
      assert.deepEqual([oldGone.status, oldGone.body], [200, { deleted: older.id, brokenWorkflows: [] }]);
      const forced = await call('DELETE', `/api/uploads/${newest.id}?force=true`);
      assert.deepEqual([forced.status, forced.body], [200, { deleted: newest.id, brokenWorkflows: [{ id: workflow.id, name: 'Nightly' }] }]);
      assert.deepEqual(await stored(), []);
      assert.deepEqual(await db.query('select * from upload_chunks'), []);
      assert.equal((await call('DELETE', `/api/uploads/${newest.id}`)).status, 404);
    });
  });

  describe('a workflow that names an uploaded file with a folder', () => {
    it('is refused when saved, naming the task, since an upload is named by its file name alone', async () => {
      const reply = await api.request('/api/workflows', {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'Nightly',
          definition: { tasks: [{ type: 'extract', name: 'T1', object: 'accounts', source: 'upload', file: 'exports/accounts.csv' }, { type: 'load', name: 'T2', extracts: { accounts: 'T1' } }] },
        }),
      });
      assert.deepEqual([reply.status, reply.body], [400, {
        error: { code: 'BAD_REQUEST', message: "invalid workflow definition: tasks.0.file: the uploaded file's name alone, without a folder (accounts.csv)" },
      }]);
    });
  });
});
