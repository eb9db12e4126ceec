import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dumpSchema } from '../../core/schema-dump.ts';
import { testDatabase } from '../helpers/hooks.ts';

describe('sql/schema.sql', () => {
  it('is exactly what the migrations produce (run `npm run schema:dump` after changing one)', async function () {
    const { db } = await testDatabase(this);
    const checkedIn = await readFile(path.join(import.meta.dirname, '..', '..', 'sql', 'schema.sql'), 'utf8');
    assert.equal(await dumpSchema(db), checkedIn);
  });
});
