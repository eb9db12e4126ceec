// `npm run schema:dump`: writes sql/schema.sql from a database migrated from scratch.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Db } from '../core/db.ts';
import { dumpSchema } from '../core/schema-dump.ts';
import { createTestDatabase, startTestServer, stopTestServer } from '../test/helpers/database.ts';

await startTestServer();
const database = await createTestDatabase('schema dump');
try {
  const schema = await dumpSchema(database.db as Db);
  await writeFile(path.join(import.meta.dirname, '..', 'sql', 'schema.sql'), schema);
  console.log('wrote sql/schema.sql');
} finally {
  await database.drop();
  await stopTestServer();
}
