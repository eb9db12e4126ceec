// `npm run load -- --accounts a.csv --contacts c.csv --team-members t.csv [--mapping m.json] [--mailing-list NAME]`
// Loads export files into the directory as one run, prints what changed, exits 1 when the run failed.
import { parseArgs } from 'node:util';
import { boot } from '../core/boot.ts';
import { isAppError } from '../core/errors.ts';
import { runSync } from '../worker/jobs/run-sync.ts';
import { formatRunReport } from '../worker/load/run-report.ts';

const usage = `usage: npm run load -- [--accounts FILE] [--contacts FILE] [--team-members FILE]
                     [--mapping FILE.json] [--mailing-list NAME] [--directory ID]
At least one file. Column names follow Salesforce exports (Id, Name, Parent.Id, Account.Id, User.Email, ...).`;

let args;
try {
  args = parseArgs({
    options: {
      accounts: { type: 'string' },
      contacts: { type: 'string' },
      'team-members': { type: 'string' },
      mapping: { type: 'string' },
      'mailing-list': { type: 'string' },
      directory: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
const directoryId = Number(args.directory);
if (args.help || (!args.accounts && !args.contacts && !args['team-members']) || !Number.isInteger(directoryId)) {
  console.error(usage);
  process.exit(args.help ? 0 : 2);
}

const runtime = await boot('load', { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
let exitCode = 1;
try {
  const result = await runSync(runtime.db, {
    directoryId,
    files: {
      ...(args.accounts ? { accounts: args.accounts } : {}),
      ...(args.contacts ? { contacts: args.contacts } : {}),
      ...(args['team-members'] ? { teamMembers: args['team-members'] } : {}),
    },
    ...(args.mapping ? { mapping: args.mapping } : {}),
    ...(args['mailing-list'] ? { mailingListName: args['mailing-list'] } : {}),
  });
  console.log(await formatRunReport(runtime.db, result));
  exitCode = result.state === 'succeeded' ? 0 : 1;
} catch (error) {
  console.error(isAppError(error) ? `error ${error.code}: ${error.message}` : error);
} finally {
  await runtime.close();
}
process.exit(exitCode);
