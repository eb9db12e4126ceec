import assert from 'node:assert/strict';
import { Audience, DistributionState, FollowUpState, RecipientState, RunState, SkipReason } from '../../core/states.ts';
import { testDatabase } from '../helpers/hooks.ts';

describe('states', () => {
  const tables = [
    { table: 'sync_runs', states: RunState },
    { table: 'distributions', states: DistributionState },
    { table: 'distribution_recipients', states: RecipientState },
    { table: 'distribution_recipients', states: SkipReason, column: 'skip_reason' },
    { table: 'distributions', states: Audience, column: 'audience' },
    { table: 'recipient_follow_ups', states: FollowUpState },
  ];
  for (const { table, states, column = 'state' } of tables) {
    it(`${table}.${column} allows exactly the values the code declares`, async function () {
      const { db } = await testDatabase(this);
      const rows = await db.query<{ definition: string }>(
        `select pg_get_constraintdef(c.oid) as definition from pg_constraint c
         where c.conrelid = $1::regclass and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%(' || $2 || ' = ANY%'`,
        [table, column],
      );
      assert.equal(rows.length, 1, `one check constraint lists ${table}'s ${column} values`);
      const allowed = [...rows[0]!.definition.matchAll(/'(\w+)'::text/g)].map((m) => m[1]).sort();
      assert.deepEqual(allowed, Object.values(states).sort());
    });
  }
});
