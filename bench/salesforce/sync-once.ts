// One pass of bench:salesforce in its own process, so its peak RSS is its own:
//   node bench/salesforce/sync-once.ts --url=postgres://... --secret=KEY --connection=ID --full-extract=bulk|rest [--reconcile] [--full-resync]
// Runs the worker's `runSync` on the three objects of the connected org and prints one JSON line:
// wall time, peak RSS (KiB), the run's state, counts, API calls and how each object was read.
import { parseArgs } from 'node:util';
import { Db } from '../../core/db.ts';
import { secretBox } from '../../core/secret-box.ts';
import { salesforceObjects } from '../../core/connections/salesforce-objects.ts';
import type { ObjectPlan, SalesforceExtract } from '../../worker/extract/salesforce/salesforce-extract.ts';
import { runSync } from '../../worker/jobs/run-sync.ts';
import { titles } from './org-server.ts';

export type SyncPass = {
  ms: number;
  maxRssKiB: number;
  state: string;
  error: { code: string; message: string } | null;
  apiCalls: number;
  plans: ObjectPlan[];
  counts: Record<string, { inserted: number; updated: number; unchanged: number; deleted: number; rejected: number }>;
  removedAbsent: Record<string, number>;
};

/** Every generated title maps to a client role, the account's number fields to attributes; team roles use the defaults. */
export const benchMapping = {
  accounts: { attributes: { annualContractValue: { source: 'AnnualContractValue__c', type: 'Decimal' as const }, seats: { source: 'Seats__c', type: 'Integer' as const } } },
  clientRoles: {
    values: Object.fromEntries(titles.map((t, i) => [t, (['EXECUTIVE_SPONSOR', 'PROCUREMENT_FINANCE_PERSON', 'PROGRAM_MANAGER', 'END_USER', 'INFLUENCER', 'ACCOUNT_MEMBER'] as const)[i]!])),
  },
};

/** The three objects, the accounts with their number fields; `fullResync` reads every record again. */
function benchObjects(fullResync: boolean): SalesforceExtract['objects'] {
  const again = fullResync ? { fullResync } : {};
  return { accounts: { fields: [...salesforceObjects.accounts.required, ...Object.values(benchMapping.accounts.attributes).map((a) => a.source)], ...again }, contacts: again, teamMembers: again };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { url: { type: 'string' }, secret: { type: 'string' }, connection: { type: 'string' }, 'full-extract': { type: 'string', default: 'bulk' }, reconcile: { type: 'boolean' }, 'full-resync': { type: 'boolean' } } });
  if (!values.url || !values.secret || !values.connection) {
    console.error('usage: node bench/salesforce/sync-once.ts --url=URL --secret=KEY --connection=ID [--full-extract=bulk|rest] [--reconcile] [--full-resync]');
    process.exit(2);
  }
  const db = new Db(values.url, { max: 2, applicationName: 'bellwether-bench-salesforce' });
  const box = secretBox(values.secret);
  const started = performance.now();
  const result = await runSync(
    { db, secretBox: async () => box, salesforce: { pollIntervalMs: 250, fullExtract: values['full-extract'] === 'rest' ? 'rest' : 'bulk' } },
    {
      directoryId: 1,
      mapping: benchMapping,
      salesforce: { connectionId: Number(values.connection), objects: benchObjects(values['full-resync'] === true), ...(values.reconcile ? { reconcile: true } : {}) },
    },
  );
  const pass: SyncPass = {
    ms: performance.now() - started,
    maxRssKiB: process.resourceUsage().maxRSS,
    state: result.state,
    error: result.error,
    apiCalls: result.apiCalls ?? 0,
    plans: result.salesforcePlans,
    counts: result.counts as SyncPass['counts'],
    removedAbsent: result.removedAbsent,
  };
  await db.close();
  process.stdout.write(JSON.stringify(pass) + '\n');
}
