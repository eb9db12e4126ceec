import assert from 'node:assert/strict';
import { loadConfig } from '../../core/config.ts';
import type { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { workflowJobs } from '../../core/workflows/schedule.ts';
import { startWorker, type Worker } from '../../worker/worker.ts';
import { eventually } from '../helpers/eventually.ts';
import { accountHeader, contactHeader, runErrors, teamHeader } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { adminKey, serve, type Served } from './serve.ts';

const csv = (rows: string[][], delimiter = ',') => rows.map((r) => r.join(delimiter)).join('\n') + '\n';

const uploadTasks = [
  { type: 'extract', name: 'Accounts', object: 'accounts', source: 'upload', file: 'accounts.csv' },
  { type: 'extract', name: 'Contacts', object: 'contacts', source: 'upload', file: 'contacts.csv' },
  // Written with semicolons, as some exports are: the task says so, as for any other file.
  { type: 'extract', name: 'Team', object: 'teamMembers', source: 'upload', file: 'team.csv', delimiter: ';' },
  { type: 'load', name: 'Load', extracts: { accounts: 'Accounts', contacts: 'Contacts', teamMembers: 'Team' } },
];

describe('a workflow with source "upload"', function () {
  this.timeout(30_000);
  let db: Db;
  let api: Served;
  let worker: Worker;

  beforeEach(async function () {
    const database = await testDatabase(this);
    db = database.db;
    worker = await startWorker({ databaseUrl: database.url, db, logger: createLogger('silent', 'test'), config: loadConfig({ DATABASE_URL: database.url, SECRET_KEY: 'a-test-secret-key-of-32-characters!' }) });
    api = await serve(db, undefined, workflowJobs(worker.boss));
  });
  afterEach(async () => {
    await api.close();
    await worker.stop();
  });

  const call = (method: string, path: string, body?: unknown) =>
    api.request(path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const upload = async (name: string, text: string) => {
    const reply = await api.request(`/api/uploads?name=${name}`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' }, body: text });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return (reply.body as { id: number }).id;
  };
  const runToTheEnd = async (tasks: unknown[]) => {
    const saved = await call('POST', '/api/workflows', { name: 'Nightly', definition: { tasks } });
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    return runAgain((saved.body as { id: number }).id);
  };
  const runAgain = async (id: number) => {
    const started = await call('POST', `/api/workflows/${id}/runs`);
    assert.equal(started.status, 202);
    const { runId } = started.body as { runId: number };
    return eventually(async () => {
      const run = (await call('GET', `/api/runs/${runId}`)).body as Record<string, unknown>;
      assert.ok(run.state && run.state !== 'running', `the run is ${String(run.state ?? 'not started')}`);
      return run;
    }, { what: 'the run ends' });
  };

  it('loads the directory from the newest upload of each name, records which it read, and names the upload and line of a bad row', async () => {
    await upload('accounts.csv', csv([accountHeader, ['001X', 'false', 'Stale', '']]));
    const accounts = await upload('accounts.csv', csv([accountHeader, ['001A', 'false', 'Acme', ''], ['001B', 'false', 'Beta', '001A']]));
    const contacts = await upload('contacts.csv', csv([contactHeader, ['003A', 'false', 'CEO', '001A', 'ann@acme.example', 'Ann', 'Lee'], ['003B', 'false', 'CEO', '001B', 'bo@beta.example', 'Bo', 'Ray', 'extra']]));
    const team = await upload('team.csv', csv([teamHeader, ['001A', 'am@bellwether.example', 'Account Manager', 'false']], ';'));
    const run = await runToTheEnd(uploadTasks);
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.deepEqual((await db.query('select external_id, parent_external_id from accounts order by 1')).map((a) => [a.external_id, a.parent_external_id]), [
      ['001A', null],
      ['001B', '001A'],
    ]);
    assert.deepEqual((await db.query('select external_id, email from contacts order by 1')).map((c) => [c.external_id, c.email]), [['003A', 'ann@acme.example']]);
    assert.deepEqual((await db.query('select account_external_id, user_email from management_roles')).map((m) => [m.account_external_id, m.user_email]), [['001A', 'am@bellwether.example']]);
    assert.deepEqual(((await call('GET', `/api/runs/${run.id}`)).body as { uploads: unknown[] }).uploads, [
      { object: 'accounts', uploadId: accounts, name: 'accounts.csv' },
      { object: 'contacts', uploadId: contacts, name: 'contacts.csv' },
      { object: 'teamMembers', uploadId: team, name: 'team.csv' },
    ]);
    assert.deepEqual((await runErrors(db, run.id as number)).map((e) => [e.source, e.line, e.code, e.message]), [
      ['contacts.csv', 2, 'UNMAPPED_ROLE', 'Title "CEO" has no client role in the value mapping'],
      ['contacts.csv', 3, 'UNREADABLE_ROW', 'CSV_COLUMN_COUNT: the row has 8 fields, the header has 7'],
    ]);
  });

  it('fails the run naming a file that was never uploaded, and loads nothing', async () => {
    await upload('accounts.csv', csv([accountHeader, ['001A', 'false', 'Acme', '']]));
    await upload('team.csv', csv([teamHeader], ';'));
    const run = await runToTheEnd(uploadTasks);
    assert.deepEqual([run.state, run.errorCode, run.errorMessage], [
      'failed',
      'SOURCE_UNREADABLE',
      'contacts.csv: no file of this name is uploaded; upload it under Connections → Uploaded files, or with POST /api/uploads?name=contacts.csv',
    ]);
    assert.deepEqual(await db.query('select external_id from accounts'), []);
  });

  it('removes an account the next full export leaves out, when its task says the file is a full export', async () => {
    const tasks = [
      { type: 'extract', name: 'Accounts', object: 'accounts', source: 'upload', file: 'accounts.csv', fullExport: true },
      { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
    ];
    await upload('accounts.csv', csv([accountHeader, ['001A', 'false', 'Acme', ''], ['001B', 'false', 'Beta', '']]));
    const first = await runToTheEnd(tasks);
    assert.equal(first.state, 'succeeded');
    await upload('accounts.csv', csv([accountHeader, ['001B', 'false', 'Beta', '']]));
    const run = await runAgain(first.workflowId as number);
    assert.equal(run.state, 'succeeded', JSON.stringify(run));
    assert.deepEqual((run.counts as Record<string, unknown>).accounts, { inserted: 0, updated: 0, unchanged: 1, deleted: 1, rejected: 0 });
    assert.deepEqual(await db.query('select external_id, is_deleted from accounts order by 1'), [
      { external_id: '001A', is_deleted: true },
      { external_id: '001B', is_deleted: false },
    ]);
  });
});
