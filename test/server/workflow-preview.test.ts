import assert from 'node:assert/strict';
import { loadConfig } from '../../core/config.ts';
import type { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { workflowJobs } from '../../core/workflows/schedule.ts';
import { startWorker, type Worker } from '../../worker/worker.ts';
import { eventually } from '../helpers/eventually.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { connectStandIn, seedCompany } from '../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { adminKey, serve, type Served } from './serve.ts';

/** Everything a run may change, each table as its rows' text in a stable order. */
const watched = [
  'accounts', 'contacts', 'management_roles', 'account_attribute_definitions', 'mailing_lists', 'mailing_list_members',
  'salesforce_watermarks', 'sync_runs', 'sync_run_counts', 'sync_run_errors', 'distributions', 'distribution_recipients', 'outbox_messages',
];

async function dump(db: Db): Promise<Record<string, string>> {
  const tables: Record<string, string> = {};
  for (const table of watched) {
    const [row] = await db.query<{ rows: string }>(`select coalesce(string_agg(t::text, E'\\n' order by t::text), '') as rows from ${table} t`);
    tables[table] = row!.rows;
  }
  const [jobs] = await db.query<{ rows: string }>(`select coalesce(string_agg(data::text, E'\\n' order by data::text), '') as rows from pgboss.job where name = 'distribution-send'`);
  tables['distribution-send jobs'] = jobs!.rows;
  return tables;
}

type Preview = {
  loads: {
    task: string;
    state: string;
    error: unknown;
    counts: Record<string, unknown>;
    errorCount: number;
    errors: { code: string; recordId: string | null }[];
    unmappedValues: { object: string; field: string; value: string; rows: number }[];
    mailingListMembers: number | null;
    distributions: { task: string; invited: number; skipped: number }[];
  }[];
};

describe('POST /api/workflows/:id/preview', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;
  let worker: Worker;
  let standIn: SalesforceStandIn;

  beforeEach(async function () {
    const database = await testDatabase(this);
    db = database.db;
    standIn = await startStandIn();
    worker = await startWorker({ databaseUrl: database.url, db, logger: createLogger('silent', 'test'), config: loadConfig({ DATABASE_URL: database.url, SECRET_KEY: 'a-test-secret-key-of-32-characters!' }) });
    api = await serve(db, undefined, workflowJobs(worker.boss));
  });
  afterEach(async () => {
    await api.close();
    await worker.stop();
    await standIn.close();
  });

  const call = (method: string, path: string, body?: unknown) =>
    api.request(path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const runToTheEnd = async (id: number) => {
    const started = await call('POST', `/api/workflows/${id}/runs`);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const { runId } = started.body as { runId: number };
    return eventually(async () => {
      const run = await call('GET', `/api/runs/${runId}`);
      assert.ok(run.status === 200 && (run.body as { state: string }).state !== 'running', `run ${runId} has not ended`);
      return run.body as { state: string; counts: Record<string, unknown>; errorCount: number };
    }, { what: 'the run ends', timeoutMs: 30_000 });
  };

  it('answers what a run would do, changes nothing, and a run then does just that', async () => {
    const ids = seedCompany(standIn);
    const connectionId = await connectStandIn(db, standIn);
    const survey = await createSurvey(db, { name: 'Relationship' });
    const salesforce = (name: string, object: string) => ({ type: 'extract', name, object, source: 'salesforce', connectionId });
    const definition = {
      tasks: [
        salesforce('Accounts', 'accounts'),
        salesforce('Contacts', 'contacts'),
        salesforce('Team', 'teamMembers'),
        {
          type: 'load', name: 'Load', extracts: { accounts: 'Accounts', contacts: 'Contacts', teamMembers: 'Team' }, mailingListName: 'Contacts',
          mapping: { clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR', Intern: 'SKIP' }, builtInValues: false } },
        },
        { type: 'distribute', name: 'Ask', load: 'Load', surveyId: survey.id },
      ],
    };
    const saved = await call('POST', '/api/workflows', { name: 'Nightly', definition });
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    const id = (saved.body as { id: number }).id;
    assert.equal((await runToTheEnd(id)).state, 'succeeded');
    await eventually(async () => assert.deepEqual(await db.query(`select state from distributions`), [{ state: 'finished' }]), { what: 'the first invitations are sent' });

    // Since the first run: Beta renamed, two contacts added (one unmapped title, one skipped), one opted out, Bob without an email.
    standIn.org.update('Account', ids.beta, { Name: 'Beta Retail' });
    standIn.org.insert('Contact', { FirstName: 'Cy', LastName: 'Young', Email: 'cy@acme.example', Title: 'CFO', AccountId: ids.acme });
    standIn.org.insert('Contact', { FirstName: 'Ivy', LastName: 'Ng', Email: 'ivy@acme.example', Title: 'Intern', AccountId: ids.acme });
    standIn.org.update('Contact', ids.bob, { Email: null });
    await db.query(`insert into opt_outs (directory_id, contact_external_id, email) values (1, $1, 'ada@acme.example')`, [ids.ada]);
    const before = await dump(db);

    const reply = await call('POST', `/api/workflows/${id}/preview`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const [load] = (reply.body as Preview).loads;
    assert.deepEqual(await dump(db), before, 'the preview changed nothing');

    assert.deepEqual([load!.task, load!.state, load!.error], ['Load', 'succeeded', null]);
    // Hand-counted: Beta renamed, Acme as it was; Cy and Ivy new, Bob without his email, Ada as she was. Ada's CEO
    // role stays; Bob's empty title and Cy's CFO have no role (unmapped), Ivy's Intern is skipped.
    assert.deepEqual(load!.counts, {
      accounts: { inserted: 0, updated: 1, unchanged: 1, deleted: 0, rejected: 0 },
      hierarchy: { inserted: 0, updated: 0, unchanged: 2, deleted: 0, rejected: 0 },
      contacts: { inserted: 2, updated: 1, unchanged: 1, deleted: 0, rejected: 0 },
      clientRoles: { inserted: 0, updated: 0, unchanged: 1, deleted: 0, rejected: 2, skipped: 1 },
      managementRoles: { inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 },
    });
    assert.deepEqual(load!.unmappedValues, [{ object: 'clientRoles', field: 'Title', value: '', rows: 1 }, { object: 'clientRoles', field: 'Title', value: 'CFO', rows: 1 }]);
    assert.deepEqual(load!.errors.map((e) => [e.code, e.recordId]).slice(0, 1), [['UNMAPPED_ROLE', ids.bob]]);
    assert.equal(load!.errors.length, 2);
    assert.equal(load!.mailingListMembers, 4);

    const run = await runToTheEnd(id);
    assert.equal(run.state, 'succeeded');
    assert.deepEqual(load!.counts, run.counts, 'the preview counted what the run did');
    assert.equal(load!.errorCount, run.errorCount);
    const distribution = await eventually(async () => {
      const [made] = await db.query<{ invited: number; skipped: number }>(
        `select count(*) filter (where r.skip_reason is null)::int as invited, count(*) filter (where r.skip_reason is not null)::int as skipped
         from distributions d join distribution_recipients r on r.distribution_id = d.id
         where d.id = (select max(id) from distributions) and (select count(*) from distributions) = 2`,
      );
      assert.ok(made!.invited + made!.skipped > 0, 'no second distribution yet');
      return made;
    }, { what: "the run's distribution" });
    assert.deepEqual(load!.distributions, [{ task: 'Ask', surveyId: survey.id, ...distribution }]);
    // Ada opted out and Bob has no email: Cy and Ivy are invited.
    assert.deepEqual(distribution, { invited: 2, skipped: 2 });
  });

  it('previews a draft that is not saved, with the values its source holds when no value mapping names them', async () => {
    seedCompany(standIn);
    const connectionId = await connectStandIn(db, standIn);
    const before = await dump(db);
    const reply = await call('POST', '/api/workflows/preview', {
      definition: {
        tasks: [
          { type: 'extract', name: 'Contacts', object: 'contacts', source: 'salesforce', connectionId },
          { type: 'extract', name: 'Team', object: 'teamMembers', source: 'salesforce', connectionId },
          { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId },
          { type: 'load', name: 'Load', extracts: { accounts: 'Accounts', contacts: 'Contacts', teamMembers: 'Team' }, mapping: { clientRoles: { builtInValues: false }, managementRoles: { builtInValues: false } } },
        ],
      },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(await dump(db), before);
    const [load] = (reply.body as Preview).loads;
    assert.deepEqual(load!.unmappedValues.map((v) => [v.object, v.field, v.value, v.rows]), [
      ['clientRoles', 'Title', '', 1],
      ['clientRoles', 'Title', 'CEO', 1],
      ['managementRoles', 'TeamMemberRole', 'Account Owner', 1],
      ['managementRoles', 'TeamMemberRole', 'Sales Rep', 1],
    ]);
    assert.deepEqual(load!.counts.accounts, { inserted: 2, updated: 0, unchanged: 0, deleted: 0, rejected: 0 });
  });

  it('refuses a draft the way a save does, naming the field', async () => {
    const reply = await call('POST', '/api/workflows/preview', { definition: { tasks: [{ type: 'load', name: 'Load', extracts: { accounts: 'Nowhere' } }, { type: 'load', name: 'Two', extracts: {} }] } });
    assert.equal(reply.status, 400);
    assert.match((reply.body as { error: { message: string } }).error.message, /tasks\.0\.extracts\.accounts: "Nowhere" is not an earlier task/);
  });
});
