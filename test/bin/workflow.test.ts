import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createWorkflow } from '../../core/workflows/queries.ts';
import { testDatabase } from '../helpers/hooks.ts';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const demo = (file: string) => path.join(root, 'examples', 'demo', file);

describe('npm run workflow -- run', () => {
  it('runs the workflow now, showing its progress, then each load report', async function () {
    const { db, url } = await testDatabase(this);
    const { default: mapping } = await import(demo('mapping.json'), { with: { type: 'json' } });
    const workflow = await createWorkflow(db, {
      name: 'Demo',
      definition: {
        tasks: [
          { type: 'extract', name: 'T1', object: 'contacts', source: 'file', path: demo('contacts.csv') },
          { type: 'extract', name: 'T2', object: 'accounts', source: 'file', path: demo('accounts.csv') },
          { type: 'extract', name: 'T3', object: 'teamMembers', source: 'file', path: demo('team_members.csv') },
          { type: 'load', name: 'T4', extracts: { contacts: 'T1', accounts: 'T2', teamMembers: 'T3' }, mapping, mailingListName: 'Demo' },
        ],
      },
    });
    const { stdout } = await run(process.execPath, [path.join(root, 'bin', 'workflow.ts'), 'run', String(workflow.id)], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    });
    const lines = stdout.split('\n');
    assert.equal(lines[0], 'Running workflow "Demo" (version 1)');
    assert.ok(lines.some((l) => /^ {2}(staging|checking|merging|saving) +[\d,]+ rows read/.test(l)), `a progress line in:\n${stdout}`);
    assert.ok(lines.includes('Run 1 succeeded.'), stdout);
    assert.ok(lines.includes('contacts               317         0         3         0         0'), stdout);
    const [recorded] = await db.query('select workflow_id::int as workflow, workflow_version as version, state from sync_runs');
    assert.deepEqual(recorded, { workflow: workflow.id, version: 1, state: 'succeeded' });
  });

  it('exits 2 with the usage when no workflow is named', async () => {
    await assert.rejects(run(process.execPath, [path.join(root, 'bin', 'workflow.ts'), 'run']), (error: { code: number; stderr: string }) => {
      assert.deepEqual([error.code, error.stderr.trim()], [2, 'usage: npm run workflow -- run <workflow id>']);
      return true;
    });
  });
});
