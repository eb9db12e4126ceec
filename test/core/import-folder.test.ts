import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { resolveImportPath } from '../../core/import-folder.ts';
import { tempDir, writeCsv } from '../helpers/files.ts';

describe('resolveImportPath', () => {
  let imports: string;
  let outside: string;

  beforeEach(async () => {
    imports = await tempDir();
    outside = await tempDir();
  });

  const outcome = (file: string) =>
    resolveImportPath(imports, file).then(
      (real) => path.relative(imports, real),
      (error: { code: string }) => error.code,
    );

  it('places a file inside, there or still to come, relative to the folder or absolute', async () => {
    await mkdir(path.join(imports, 'crm'));
    await writeCsv(imports, 'accounts.csv', [['Id']]);
    await symlink(path.join(imports, 'accounts.csv'), path.join(imports, 'crm', 'latest.csv'));
    const files = ['accounts.csv', 'crm/../accounts.csv', path.join(imports, 'crm', 'contacts.csv'), 'crm/latest.csv', 'later/contacts.csv'];
    assert.deepEqual(await Promise.all(files.map(outcome)), ['accounts.csv', 'accounts.csv', 'crm/contacts.csv', 'accounts.csv', 'later/contacts.csv']);
  });

  it('refuses a path that leads out: absolute, climbing, through a linked folder, or by a link whose target is not there yet', async () => {
    await symlink(outside, path.join(imports, 'elsewhere'));
    await symlink(path.join(outside, 'missing.csv'), path.join(imports, 'dangling.csv'));
    const files = [path.join(outside, 'a.csv'), '../a.csv', 'elsewhere/a.csv', 'dangling.csv'];
    assert.deepEqual(await Promise.all(files.map(outcome)), Array(4).fill('FILE_OUTSIDE_IMPORT_DIR'));
  });
});
