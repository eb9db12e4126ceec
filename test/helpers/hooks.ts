import type { Context } from 'mocha';
import { createTestDatabase, startTestServer, stopTestServer, testServerStarted, type TestDatabase } from './database.ts';

const databases = new Map<string, TestDatabase>();

/** A database for the running test, dropped after it only when the test passed. */
export async function testDatabase(context: Context): Promise<TestDatabase> {
  const title = context.currentTest?.fullTitle() ?? context.test?.fullTitle() ?? 'unnamed';
  if (!testServerStarted()) {
    // The first test to ask starts the server; that is no time of its own.
    const timeout = context.timeout();
    if (timeout > 0) context.timeout(timeout + 60_000);
    await startTestServer();
  }
  const database = await createTestDatabase(title);
  databases.set(title, database);
  return database;
}

export const mochaHooks = {
  async afterEach(this: Context) {
    const title = this.currentTest?.fullTitle() ?? '';
    const database = databases.get(title);
    if (!database) return;
    databases.delete(title);
    if (this.currentTest?.state === 'passed') await database.drop();
    else {
      await database.db.close();
      console.error(`    kept database ${database.name} of the failed test for inspection`);
    }
  },
  async afterAll(this: Context) {
    this.timeout(30_000);
    await stopTestServer();
  },
};
