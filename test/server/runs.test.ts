import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../core/db.ts';
import { contactHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { load, loadAcme } from './fixture.ts';
import { adminKey, serve, type Served } from './serve.ts';

const zero = { inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 };

type Run = { id: number; startedAt: string; finishedAt: string | null; [key: string]: unknown };

/** A run without its timestamps, after checking that they are in order. */
function untimed(run: Run) {
  const { startedAt, finishedAt, ...rest } = run;
  assert.ok(finishedAt !== null && Date.parse(startedAt) <= Date.parse(finishedAt), `run ${run.id} starts before it finishes`);
  return rest;
}

const firstRun = {
  id: 1,
  directoryId: 1,
  source: 'files',
  state: 'succeeded',
  errorCode: null,
  errorMessage: null,
  workflowId: null,
  workflowVersion: null,
  apiCalls: null,
  progress: { phase: 'saving', rowsRead: 18 },
  counts: {
    accounts: { ...zero, inserted: 7 },
    hierarchy: { ...zero, inserted: 7 },
    contacts: { ...zero, inserted: 6, rejected: 2 },
    clientRoles: { ...zero, inserted: 5, rejected: 1 },
    managementRoles: { ...zero, inserted: 3 },
  },
  errorCount: 3,
};

const secondRun = {
  ...firstRun,
  id: 2,
  counts: { accounts: { ...zero, deleted: 1 }, hierarchy: { ...zero, deleted: 1 } },
  progress: { phase: 'saving', rowsRead: 1 },
  errorCount: 0,
};

const firstRunErrors = [
  { object: 'contacts', source: 'contacts.csv', line: 6, recordId: '003E', field: 'Email', code: 'INVALID_EMAIL', message: 'Email "not-an-email" is not a valid email address' },
  { object: 'clientRoles', source: 'contacts.csv', line: 7, recordId: '003F', field: 'Account.Id', code: 'UNKNOWN_ACCOUNT', message: 'account 001Q is not in the directory: the contact loads without a client role' },
  { object: 'contacts', source: 'contacts.csv', line: 8, recordId: '003H', field: 'IsDeleted', code: 'INVALID_BOOLEAN', message: 'IsDeleted "maybe" is not true or false' },
];

/** A third run whose contacts file lacks the Email column, so it fails before loading a row. */
async function failRun(db: Db) {
  const dir = await tempDir();
  const contacts = await writeCsv(dir, 'contacts.csv', [contactHeader.filter((c) => c !== 'Email'), ['003Z', 'false', 'CEO', '001A', 'Zed', 'Z']]);
  return load(db, { contacts });
}

describe('GET /api/runs', () => {
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    await loadAcme(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  describe('without a key', () => {
    it('responds 401', async () => {
      const reply = await api.get('/api/runs', { key: null });
      assert.deepEqual([reply.status, (reply.body as { error: { code: string } }).error.code], [401, 'UNAUTHORIZED']);
    });
  });

  describe('with the key', () => {
    it('lists the runs newest first with their counts per object', async () => {
      const reply = await api.get('/api/runs');
      const { items, ...window } = reply.body as { items: Run[] };
      assert.deepEqual([reply.status, window], [200, { total: 2, limit: 50, offset: 0 }]);
      assert.deepEqual(items.map(untimed), [secondRun, firstRun]);
    });

    it('pages with limit and offset', async () => {
      const reply = await api.get('/api/runs?limit=1&offset=1');
      const { items, ...window } = reply.body as { items: Run[] };
      assert.deepEqual([items.map(untimed), window], [[firstRun], { total: 2, limit: 1, offset: 1 }]);
    });
  });

  describe('filtered by state or workflow', () => {
    it('lists only the runs that match', async () => {
      await failRun(db);
      const failed = await api.get('/api/runs?state=failed');
      assert.deepEqual((failed.body as { items: Run[]; total: number }).items.map((r) => [r.id, r.state]), [[3, 'failed']]);
      const ofWorkflow = await api.get('/api/runs?workflow=7');
      assert.deepEqual(ofWorkflow.body, { items: [], total: 0, limit: 50, offset: 0 });
      const bad = await api.get('/api/runs?state=done');
      assert.deepEqual([bad.status, bad.body], [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "state" must be running, succeeded or failed' } }]);
    });
  });

  describe('filtered by when they started', () => {
    it('lists the runs started from `from` and before `to`, and names a bad instant', async () => {
      await db.query(`update sync_runs set started_at = case id when 1 then '2026-03-01T23:30:00Z'::timestamptz else '2026-03-02T08:00:00Z' end`);
      const ids = async (query: string) => ((await api.get(`/api/runs?${query}`)).body as { items: Run[] }).items.map((r) => r.id);
      // 1 March in Berlin runs from 23:00 UTC on 28 February to 23:00 UTC on 1 March.
      assert.deepEqual(await ids('from=2026-03-01T00:00:00%2B01:00&to=2026-03-02T00:00:00%2B01:00'), []);
      assert.deepEqual(await ids('from=2026-03-02T00:00:00%2B01:00&to=2026-03-03T00:00:00%2B01:00'), [2, 1]);
      assert.deepEqual(await ids('from=2026-03-02T00:00:00Z'), [2]);
      assert.deepEqual(await ids('to=2026-03-02T00:00:00Z'), [1]);
      const bad = await api.get('/api/runs?from=2026-03-02');
      assert.deepEqual([bad.status, bad.body], [400, { error: { code: 'BAD_REQUEST', message: 'query parameter "from" must be a date and time with its offset, e.g. 2026-12-02T00:00:00Z' } }]);
    });
  });

  describe('GET /api/runs/:id/errors.csv', () => {
    it('downloads every row error of the run as CSV', async () => {
      const response = await fetch(`${api.base}/api/runs/1/errors.csv`, { headers: { authorization: `Bearer ${adminKey}` } });
      assert.deepEqual(
        [response.status, response.headers.get('content-type'), response.headers.get('content-disposition')],
        [200, 'text/csv; charset=utf-8', 'attachment; filename="run-1-errors.csv"'],
      );
      assert.equal(
        await response.text(),
        [
          'object,source,line,record_id,field,code,message',
          'contacts,contacts.csv,6,003E,Email,INVALID_EMAIL,"Email ""not-an-email"" is not a valid email address"',
          'clientRoles,contacts.csv,7,003F,Account.Id,UNKNOWN_ACCOUNT,account 001Q is not in the directory: the contact loads without a client role',
          'contacts,contacts.csv,8,003H,IsDeleted,INVALID_BOOLEAN,"IsDeleted ""maybe"" is not true or false"',
          '',
        ].join('\n'),
      );
    });

    it('starts each cell a spreadsheet would take for a formula with a quote, so it shows as text', async () => {
      const ids = ['=1+2', '+3', '-4', '@SUM(A1)'];
      const contacts = await writeCsv(await tempDir(), '=contacts.csv', [contactHeader, ...ids.map((id) => [id, 'false', 'Buyer', '001A', 'not-an-email', 'F', 'L'])]);
      const { runId } = await load(db, { contacts });
      const response = await fetch(`${api.base}/api/runs/${runId}/errors.csv`, { headers: { authorization: `Bearer ${adminKey}` } });
      assert.deepEqual((await response.text()).split('\n'), [
        'object,source,line,record_id,field,code,message',
        ...ids.map((id, i) => `contacts,'=contacts.csv,${i + 2},'${id},Email,INVALID_EMAIL,"Email ""not-an-email"" is not a valid email address"`),
        '',
      ]);
    });
  });

  describe('in a directory that does not exist', () => {
    it('responds 404 naming the directory', async () => {
      const reply = await api.get('/api/runs?directory=2');
      assert.deepEqual([reply.status, reply.body], [404, { error: { code: 'DIRECTORY_NOT_FOUND', message: 'directory 2 does not exist' } }]);
    });
  });
});

describe('GET /api/runs/:id', () => {
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    await loadAcme(db);
    api = await serve(db);
  });
  afterEach(() => api.close());

  describe('without a key', () => {
    it('responds 401', async () => {
      const reply = await api.get('/api/runs/1', { key: null });
      assert.deepEqual([reply.status, (reply.body as { error: { code: string } }).error.code], [401, 'UNAUTHORIZED']);
    });
  });

  describe('of a run with row errors', () => {
    it('shows the run and its first 100 errors by default', async () => {
      const reply = await api.get('/api/runs/1');
      const { errors, ...run } = reply.body as Run & { errors: unknown };
      assert.deepEqual([reply.status, untimed(run as Run)], [200, firstRun]);
      assert.deepEqual(errors, { items: firstRunErrors, total: 3, limit: 100, offset: 0 });
    });

    it('pages the errors with errorsLimit and errorsOffset', async () => {
      const first = (await api.get('/api/runs/1?errorsLimit=2')).body as { errors: unknown };
      const rest = (await api.get('/api/runs/1?errorsLimit=2&errorsOffset=2')).body as { errors: unknown };
      assert.deepEqual(
        [first.errors, rest.errors],
        [
          { items: firstRunErrors.slice(0, 2), total: 3, limit: 2, offset: 0 },
          { items: firstRunErrors.slice(2), total: 3, limit: 2, offset: 2 },
        ],
      );
    });
  });

  describe('of a failed run', () => {
    it('shows its error code and message, and no counts', async () => {
      const failed = await failRun(db);
      const reply = await api.get(`/api/runs/${failed.runId}`);
      assert.deepEqual(untimed(reply.body as Run), {
        id: 3,
        directoryId: 1,
        source: 'files',
        state: 'failed',
        errorCode: 'SOURCE_COLUMN_MISSING',
        errorMessage:
          'contacts.csv: missing column "Email" (mapped to contacts.email); the header has: Id, IsDeleted, Title, Account.Id, FirstName, LastName',
        workflowId: null,
        workflowVersion: null,
        apiCalls: null,
        progress: {},
        counts: {},
        errorCount: 0,
        errors: { items: [], total: 0, limit: 100, offset: 0 },
      });
    });
  });

  describe('with errorsLimit over 1000', () => {
    it('responds 400 naming errorsLimit', async () => {
      const reply = await api.get('/api/runs/1?errorsLimit=1001');
      assert.deepEqual([reply.status, reply.body], [
        400,
        { error: { code: 'BAD_REQUEST', message: 'query parameter "errorsLimit" must be an integer from 1 to 1000' } },
      ]);
    });
  });

  describe('of an unknown or non-numeric id', () => {
    it('responds 404 naming the id', async () => {
      const replies = await Promise.all(['99', 'abc', '99999999999999999999'].map((id) => api.get(`/api/runs/${id}`)));
      assert.deepEqual(
        replies.map((r) => [r.status, r.body]),
        ['99', 'abc', '99999999999999999999'].map((id) => [404, { error: { code: 'NOT_FOUND', message: `run ${id} does not exist` } }]),
      );
    });
  });
});

describe('GET /api/runs/:id/events', () => {
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    api = await serve(db);
  });
  afterEach(() => api.close());

  /** The events of a server-sent event stream as they come, as `[event, data]` pairs. */
  async function* events(response: Response): AsyncGenerator<[string, Record<string, unknown>]> {
    let buffered = '';
    for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        yield [/^event: (.*)$/m.exec(block)![1]!, JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, unknown>];
      }
    }
  }

  const startRun = async () =>
    (await db.query<{ id: number }>(
      `insert into sync_runs (directory_id, source, state, progress) values (1, 'files', 'running', '{"phase": "staging", "rowsRead": 0}') returning id::int`,
    ))[0]!.id;
  const watch = (id: number) => fetch(`${api.base}/api/runs/${id}/events`, { headers: { authorization: `Bearer ${adminKey}` } });

  describe('of a run that is still running', () => {
    it('streams each change of its progress as it is written, then its end', async () => {
      const id = await startRun();
      const response = await watch(id);
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      const stream = events(response);
      const next = async () => {
        const { value } = await stream.next();
        return value && [value[0], value[1].state, value[1].progress];
      };
      assert.deepEqual(await next(), ['progress', 'running', { phase: 'staging', rowsRead: 0 }]);
      await db.query(`update sync_runs set progress = '{"phase": "merging", "rowsRead": 50000}' where id = $1`, [id]);
      assert.deepEqual(await next(), ['progress', 'running', { phase: 'merging', rowsRead: 50000 }]);
      await db.query(`update sync_runs set state = 'succeeded', finished_at = now() where id = $1`, [id]);
      assert.deepEqual(await next(), ['progress', 'succeeded', { phase: 'merging', rowsRead: 50000 }]);
      assert.deepEqual(await next(), ['end', 'succeeded', { phase: 'merging', rowsRead: 50000 }]);
      assert.equal(await next(), undefined);
    });

    it('reads the run when it changes, not on a timer, however many watch it', async () => {
      const id = await startRun();
      const reads = { count: 0 };
      const counting = Object.assign(Object.create(db) as Db, {
        query: (text: string, values?: readonly unknown[]) => {
          if (/from sync_runs/.test(text)) reads.count++;
          return db.query(text, values);
        },
      });
      await api.close();
      api = await serve(counting);
      const streams = await Promise.all(Array.from({ length: 5 }, async () => events(await watch(id))));
      for (const stream of streams) assert.equal((await stream.next()).value![1].state, 'running');
      const afterFirstReads = reads.count;
      // Two seconds of no change: a stream that polled every half second would have read the run 20 times.
      await sleep(2000);
      assert.equal(reads.count, afterFirstReads);
      await db.query(`update sync_runs set state = 'failed', error_code = 'RUN_CANCELLED', error_message = 'cancelled', finished_at = now() where id = $1`, [id]);
      for (const stream of streams) assert.equal((await stream.next()).value![1].state, 'failed');
    });
  });

  describe('of an unknown run', () => {
    it('responds 404', async () => {
      const reply = await api.get('/api/runs/99/events');
      assert.deepEqual([reply.status, reply.body], [404, { error: { code: 'NOT_FOUND', message: 'run 99 does not exist' } }]);
    });
  });
});
