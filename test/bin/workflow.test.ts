import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createSurvey } from '../../core/surveys/queries.ts';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { testDatabase } from '../helpers/hooks.ts';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const demoDir = path.join(root, 'examples', 'demo');
const demo = (file: string) => path.join(demoDir, file);

describe('npm run workflow -- run', () => {
  it('runs the workflow now, showing its progress, then each load report and the distribution it scheduled', async function () {
    const { db, url } = await testDatabase(this);
    const survey = await createSurvey(db, { name: 'Quarterly NPS', title: 'Acme feedback' });
    const { default: mapping } = await import(demo('mapping.json'), { with: { type: 'json' } });
    const workflow = await createWorkflow(db, {
      name: 'Demo',
      definition: {
        tasks: [
          { type: 'extract', name: 'T1', object: 'contacts', source: 'file', path: demo('contacts.csv') },
          { type: 'extract', name: 'T2', object: 'accounts', source: 'file', path: demo('accounts.csv') },
          { type: 'extract', name: 'T3', object: 'teamMembers', source: 'file', path: demo('team_members.csv') },
          { type: 'load', name: 'T4', extracts: { contacts: 'T1', accounts: 'T2', teamMembers: 'T3' }, mapping, mailingListName: 'Demo' },
          { type: 'distribute', name: 'T5 survey', load: 'T4', surveyId: survey.id, send: { delayMinutes: 60 } },
        ],
      },
    }, demoDir);
    const { stdout } = await run(process.execPath, [path.join(root, 'bin', 'workflow.ts'), 'run', String(workflow.id)], {
      env: { ...process.env, DATABASE_URL: url, IMPORT_DIR: demoDir, LOG_LEVEL: 'silent' },
    });
    const lines = stdout.split('\n');
    assert.equal(lines[0], 'Running workflow "Demo" (version 1)');
    assert.ok(lines.some((l) => /^ {2}(staging|checking|merging|saving) +[\d,]+ rows read/.test(l)), `a progress line in:\n${stdout}`);
    assert.ok(lines.includes('Run 1 succeeded.'), stdout);
    assert.ok(lines.includes('contacts               317         0         0         3         0'), stdout);
    const [recorded] = await db.query('select workflow_id::int as workflow, workflow_version as version, state from sync_runs');
    assert.deepEqual(recorded, { workflow: workflow.id, version: 1, state: 'succeeded' });
    // The worker sends it in an hour: the distribution and its job wait on the queue.
    const [distribution] = await db.query<{ id: number; recipients: number; skipped: number }>(
      `select d.id::int, count(*) filter (where r.state <> 'skipped')::int as recipients, count(*) filter (where r.state = 'skipped')::int as skipped
       from distributions d join distribution_recipients r on r.distribution_id = d.id group by d.id`,
    );
    assert.ok(
      lines.some((l) => new RegExp(`^Survey distribution ${distribution!.id} \\("T5 survey"\\): ${distribution!.recipients} recipients, ${distribution!.skipped} skipped; a worker sends it at \\S+Z`).test(l)),
      stdout,
    );
    assert.ok(distribution!.recipients > 300, String(distribution!.recipients));
    const jobs = await db.query(`select state from pgboss.job where name = 'distribution-send'`);
    assert.deepEqual(jobs, [{ state: 'created' }]);
  });

  it('exits 2 with the usage when no workflow is named', async () => {
    await assert.rejects(run(process.execPath, [path.join(root, 'bin', 'workflow.ts'), 'run']), (error: { code: number; stderr: string }) => {
      assert.deepEqual([error.code, error.stderr.trim()], [2, 'usage: npm run workflow -- run <workflow id>']);
      return true;
    });
  });
});
