// One pass of the CSV field benchmark in its own process, so its peak RSS is its own:
//   node bench/csv-field/load-once.ts --url=postgres://... --accounts=FILE
// Loads the accounts file with the worker's `runSync` and prints one JSON line on stdout:
// wall time, peak RSS (KiB), and the run's state, counts and row error codes.
import { parseArgs } from 'node:util';
import { Db } from '../../core/db.ts';
import { runSync } from '../../worker/jobs/run-sync.ts';
import { runErrorCodes } from './queries.ts';

export type PassResult = {
  ms: number;
  maxRssKiB: number;
  state: string;
  error: { code: string; message: string } | null;
  inserted: number;
  errors: string[];
};

const { values } = parseArgs({ options: { url: { type: 'string' }, accounts: { type: 'string' } } });
const db = new Db(values.url!, { applicationName: 'bellwether-bench' });
try {
  const started = performance.now();
  const result = await runSync({ db, secretBox: () => Promise.reject(new Error('no secrets in this benchmark')) }, { directoryId: 1, files: { accounts: values.accounts! } });
  const ms = performance.now() - started;
  const pass: PassResult = {
    ms,
    maxRssKiB: process.resourceUsage().maxRSS,
    state: result.state,
    error: result.error,
    inserted: result.counts.accounts?.inserted ?? 0,
    errors: await runErrorCodes(db, result.runId),
  };
  console.log(JSON.stringify(pass));
} finally {
  await db.close();
}
