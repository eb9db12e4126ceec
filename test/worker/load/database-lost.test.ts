import assert from 'node:assert/strict';
import type { Db } from '../../../core/db.ts';
import type { RecordSource, SourceItem } from '../../../core/records/source.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { directorySnapshot } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';

/** Accounts whose reading ends the load's own database connection halfway, as a database restart would. */
function accountsCutOff(db: Db): RecordSource {
  async function* items(): AsyncGenerator<SourceItem> {
    for (let i = 0; i < 1000; i++) {
      // The load's transaction is the one holding its directory's lock.
      if (i === 500) await db.query(`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and classid = 7412530 and objid = 1 and granted`);
      yield { kind: 'record', origin: { source: 'accounts.csv', line: i + 2 }, values: { Id: `001${i}`, IsDeleted: 'false', Name: `Account ${i}`, 'Parent.Id': '' } };
    }
  }
  return { name: 'accounts.csv', columns: ['Id', 'IsDeleted', 'Name', 'Parent.Id'], items: items() };
}

describe('a load whose database connection drops', () => {
  it('fails its run saying the connection was lost, changes nothing, and the process goes on', async function () {
    const { db } = await testDatabase(this);
    const result = await loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: async () => ({ accounts: accountsCutOff(db) }), mapping: {} });
    const error = { code: 'DATABASE_UNAVAILABLE', message: 'the connection to the database was lost before the transaction completed' };
    assert.deepEqual([result.state, result.error], ['failed', error]);
    const runs = await db.query(`select state, error_code as code, error_message as message from sync_runs where id = $1`, [result.runId]);
    assert.deepEqual(runs, [{ state: 'failed', ...error }]);
    assert.deepEqual((await directorySnapshot(db)).accounts, []);
  });
});
