import assert from 'node:assert/strict';
import { requestCancel } from '../../../core/runs/queries.ts';
import type { RecordSource, SourceItem } from '../../../core/records/source.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { eventually } from '../../helpers/eventually.ts';
import { directorySnapshot } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { adminKey, serve } from '../../server/serve.ts';

/** 120,000 accounts that stop after the first 50,000 until `release` is called. */
function pausingAccounts(): { source: RecordSource; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  async function* items(): AsyncGenerator<SourceItem> {
    for (let i = 0; i < 120_000; i++) {
      if (i === 50_000) await gate;
      yield { kind: 'record', origin: { source: 'accounts.csv', line: i + 2 }, values: { Id: `001${i}`, IsDeleted: 'false', Name: `Account ${i}`, 'Parent.Id': '' } };
    }
  }
  return { source: { name: 'accounts.csv', columns: ['Id', 'IsDeleted', 'Name', 'Parent.Id'], items: items() }, release };
}

describe('cancelling a run', () => {
  it('stops the load at its next checkpoint, rolls it back and says so', async function () {
    const { db } = await testDatabase(this);
    const { source, release } = pausingAccounts();
    const loading = loadDirectory(db, { directoryId: 1, sourceLabel: 'files', openSources: async () => ({ accounts: source }), mapping: {} });
    const run = await eventually(async () => {
      const [run] = await db.query<{ id: number; rowsRead: number }>(`select id::int, (progress->>'rowsRead')::int as "rowsRead" from sync_runs`);
      assert.equal(run?.rowsRead, 50_000);
      return run;
    }, { what: 'the load pauses after 50,000 rows' });
    const api = await serve(db);
    try {
      const reply = await api.request(`/api/runs/${run.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
      assert.deepEqual([reply.status, reply.body], [202, { id: run.id, cancelRequested: true }]);
      release();
      const result = await loading;
      assert.deepEqual([result.state, result.error], ['failed', { code: 'RUN_CANCELLED', message: 'the run was cancelled while staging accounts.csv; nothing was changed' }]);
      assert.deepEqual((await directorySnapshot(db)).accounts, []);
      const again = await api.request(`/api/runs/${run.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
      assert.deepEqual([again.status, again.body], [409, { error: { code: 'CONFLICT', message: `run ${run.id} is not running (it failed)` } }]);
    } finally {
      await api.close();
    }
    assert.equal(await requestCancel(db, '999'), false);
  });
});
