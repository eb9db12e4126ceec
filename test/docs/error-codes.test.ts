import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../core/errors.ts';

describe('docs/errors.md', () => {
  it('has a row for every error code the product answers or ends a run with, and none it does not', async () => {
    const page = await readFile(path.join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
    const table = page.slice(0, page.indexOf('## Row errors'));
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
    assert.deepEqual(documented.toSorted(), Object.values(ErrorCode).toSorted());
  });
});
