import assert from 'node:assert/strict';
import pg from 'pg';
import { listMigrations, migrate } from '../../core/migrate.ts';
import { testDatabase } from '../helpers/hooks.ts';

describe('migrate', () => {
  it('lets processes that start together apply each migration exactly once', async function () {
    const { db, url } = await testDatabase(this);
    // The test database is a migrated clone; start from an empty one instead.
    await db.query('drop schema public cascade; create schema public');
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    const names = (await listMigrations()).map((m) => m.name);
    assert.deepEqual(results.flat().sort(), [...names].sort());
    const recorded = await db.query('select id, name from migrations order by id');
    assert.deepEqual(recorded.map((r) => r.name), names);
  });

  it('rolls a failing migration back whole and names its file', async function () {
    const { url } = await testDatabase(this);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('delete from migrations where id = 1');
      await assert.rejects(migrate(url), /^Error: migration 001_directory\.sql failed: relation "directories" already exists$/);
      const recorded = await client.query('select id from migrations where id = 1');
      assert.deepEqual(recorded.rows, [], 'the failed migration is not recorded as applied');
    } finally {
      await client.end();
    }
  });
});
