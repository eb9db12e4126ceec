import { setImmediate } from 'node:timers/promises';
import type { Context, Runner, Test } from 'mocha';
import { createTestDatabase, startTestServer, stopTestServer, testServerStarted, type TestDatabase } from './database.ts';
import { eventually } from './eventually.ts';

const databases = new Map<string, TestDatabase>();

/** A database for the running test, dropped after it only when the test passed. */
export async function testDatabase(context: Context): Promise<TestDatabase> {
  const title = context.currentTest?.fullTitle() ?? context.test?.fullTitle() ?? 'unnamed';
  if (!testServerStarted()) {
    // The first test to ask starts the server; that is no time of its own, and no resource it leaks.
    const timeout = context.timeout();
    if (timeout > 0) context.timeout(timeout + 60_000);
    const before = activeResources();
    await startTestServer();
    for (const [kind, count] of difference(activeResources(), before)) atStart.set(kind, (atStart.get(kind) ?? 0) + count);
  }
  const database = await createTestDatabase(title);
  databases.set(title, database);
  return database;
}

/*
 * Each test must leave behind nothing that keeps the process alive: a pool, a server, a child
 * process or a timer it started and did not stop is its failure, named in the report, rather
 * than a run that never exits.
 */

/** What keeps the process alive, by kind (TCPSocketWrap, TCPServerWrap, Timeout, ProcessWrap...). */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function difference(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([kind, n]): [string, number] => [kind, n - (before.get(kind) ?? 0)]).filter(([, n]) => n > 0));
}

let atStart = new Map<string, number>();
/** Mocha's Runner#fail, which its types mark protected: it fails a test that already passed, and counts it. */
let runner: { fail: (test: Test, error: Error) => void } | undefined;

// Mocha calls global setup with its runner: the check reports a leak as the test's failure
// through it, since a failing root afterEach hook would stop the whole run.
export function mochaGlobalSetup(this: Runner) {
  runner = this as unknown as typeof runner;
}

async function failIfLeaked(test: Test): Promise<void> {
  // A handle being closed goes away within a moment; a leaked one stays.
  const leaked = await eventually(
    async () => {
      await setImmediate();
      const left = difference(activeResources(), atStart);
      if (left.size > 0) throw new Error([...left].map(([kind, n]) => `${n} ${kind}`).join(', '));
    },
    { what: 'the test stops what it started', timeoutMs: 2000, intervalMs: 20 },
  ).then(() => undefined, (error: Error) => error);
  if (!leaked) return;
  const error = new Error(`the test left running what keeps the process alive (${leaked.cause instanceof Error ? leaked.cause.message : ''}): close it in the test or its afterEach`);
  if (!runner) throw error;
  runner.fail(test, error);
}

export const mochaHooks = {
  // Both sample once mocha has armed the hook's own timeout, so that timer is on either side.
  async beforeEach() {
    await setImmediate();
    atStart = activeResources();
  },
  async afterEach(this: Context) {
    const test = this.currentTest;
    const title = test?.fullTitle() ?? '';
    const database = databases.get(title);
    databases.delete(title);
    if (test?.state !== 'passed') {
      if (!database) return;
      await database.keep();
      console.error(`    kept database ${database.name} of the failed test for inspection`);
      return;
    }
    // Its own pool closes first; dropping the database would end any other connection to it,
    // and hide a pool the test left open.
    if (database && !database.db.pool.ended) await database.db.close();
    await failIfLeaked(test);
    // A test failed only for what it left running has no data worth keeping.
    await database?.drop();
  },
  async afterAll(this: Context) {
    this.timeout(30_000);
    await stopTestServer();
  },
};
