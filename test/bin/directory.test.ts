import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { accountHeader, tempDir, writeCsv } from '../helpers/files.ts';
import { testDatabase } from '../helpers/hooks.ts';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');

async function cli(url: string, script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'bin', script), ...args], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run directory', () => {
  it('creates a directory a load can target, lists, renames, and deletes it only when told twice', async function () {
    this.timeout(60_000);
    const { url } = await testDatabase(this);
    const created = await cli(url, 'directory.ts', ['create', 'Acme EMEA']);
    assert.equal(created.code, 0, created.stderr);
    const id = /Created directory (\d+) "Acme EMEA"/.exec(created.stdout)?.[1];
    assert.ok(id, created.stdout);

    const accounts = await writeCsv(await tempDir(), 'accounts.csv', [accountHeader, ['001A', 'false', 'Acme GmbH', '']]);
    const loaded = await cli(url, 'load.ts', ['--directory', id, '--accounts', accounts]);
    assert.equal(loaded.code, 0, loaded.stderr);

    assert.equal((await cli(url, 'directory.ts', ['rename', id, 'Acme Europe'])).code, 0);
    assert.match((await cli(url, 'directory.ts', ['list'])).stdout, new RegExp(`^\\s+${id}  Acme Europe  \\(1 accounts, 0 contacts\\)$`, 'm'));
    assert.deepEqual(await cli(url, 'directory.ts', ['create', 'Acme Europe']).then((r) => [r.code, r.stderr.trim()]), [1, 'error CONFLICT: a directory named "Acme Europe" already exists']);

    const asked = await cli(url, 'directory.ts', ['delete', id]);
    assert.deepEqual([asked.code, asked.stdout.trim()], [1, `Deleting directory ${id} "Acme Europe" removes 1 accounts, 0 contacts, 1 runs, 0 mailing lists and 0 widget configurations. Run again with --yes to delete it.`]);
    assert.equal((await cli(url, 'directory.ts', ['delete', id, '--yes'])).code, 0);
    assert.doesNotMatch((await cli(url, 'directory.ts', ['list'])).stdout, /Acme Europe/);
  });

  it('refuses a command it does not know, with its usage', async function () {
    const { url } = await testDatabase(this);
    const result = await cli(url, 'directory.ts', ['remove', '2']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /usage: npm run directory -- list/);
  });
});
