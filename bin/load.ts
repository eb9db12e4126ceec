// `npm run load -- --accounts a.csv --contacts c.csv --team-members t.csv [--mapping m.json] [--mailing-list NAME]
//                  [--responses nps.csv] [--encoding latin1] [--delimiter ';']`
// Loads export files into the directory as one run, prints what changed, exits 1 when the run failed;
// then imports an NPS history, if given.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Runtime } from '../core/boot.ts';
import { openCsvFile } from '../worker/extract/local-files.ts';
import { lazySecretBox } from '../core/secret-box.ts';
import { runSync } from '../worker/jobs/run-sync.ts';
import type { SyncDeps } from '../worker/jobs/sync-job.ts';
import { csvDialectShape } from '../core/records/csv-source.ts';
import { describeIssues } from '../core/errors.ts';
import { readFile } from 'node:fs/promises';
import { importResponses, parseResponseMapping } from '../core/surveys/import-responses.ts';
import { formatRunReport } from '../worker/load/run-report.ts';
import { salesforceObjects as objectFields } from '../core/connections/salesforce-objects.ts';
import type { SourceKind } from '../core/records/source.ts';
import { runCommand } from './command.ts';

const usage = `usage: npm run load -- [--accounts FILE] [--contacts FILE] [--team-members FILE]
                     [--mapping FILE.json] [--mailing-list NAME] [--directory ID]
                     [--responses FILE [--responses-mapping FILE.json]]
                     [--encoding utf-8|latin1] [--delimiter CHAR] [--full-export]
At least one file. Column names follow Salesforce exports (Id, Name, Parent.Id, Account.Id, User.Email, ...).
--encoding (utf-8 by default) and --delimiter (a comma by default) apply to every file read.
--full-export says the files hold every record: a record they leave out is removed from the directory.
--responses imports NPS answers: Contact.Id, Account.Id (optional), Score (0-10), Comment, Responded_At;
--responses-mapping names other columns and a time format: {"score": "NPS", "dateFormat": "DD/MM/YYYY"}.
With --sftp-connection ID the files are paths or patterns (exports/contacts_*.csv: the newest match)
on that server; --archive FOLDER moves them there after the load, --force loads a file loaded before.
With --salesforce-connection ID the objects (--objects accounts,contacts,teamMembers: all three by
default) are extracted from that org: what changed since the last run, or everything with --full-resync;
--reconcile also reads their Ids and removes what the org no longer has (due by itself every 7th run);
--fields OBJECT=FIELD,FIELD (repeatable) selects fields besides the required ones, e.g.
--fields accounts=Industry,Tier__c for a mapping's account attributes.`;

const options = {
  accounts: { type: 'string' },
  contacts: { type: 'string' },
  'team-members': { type: 'string' },
  mapping: { type: 'string' },
  'mailing-list': { type: 'string' },
  directory: { type: 'string', default: '1' },
  responses: { type: 'string' },
  'responses-mapping': { type: 'string' },
  encoding: { type: 'string' },
  delimiter: { type: 'string' },
  'sftp-connection': { type: 'string' },
  archive: { type: 'string' },
  force: { type: 'boolean' },
  'full-export': { type: 'boolean' },
  'salesforce-connection': { type: 'string' },
  objects: { type: 'string', default: 'accounts,contacts,teamMembers' },
  'full-resync': { type: 'boolean' },
  reconcile: { type: 'boolean' },
  fields: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseArguments() {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return process.exit(2);
  }
}

const args = parseArguments();
const directoryId = Number(args.directory);
const directoryFiles = Boolean(args.accounts || args.contacts || args['team-members']);
const badConnection = [args['sftp-connection'], args['salesforce-connection']].some((id) => id !== undefined && !/^[1-9]\d*$/.test(id));
const salesforceObjects = args.objects.split(',').map((o) => o.trim());
const badObjects = salesforceObjects.some((o) => !['accounts', 'contacts', 'teamMembers'].includes(o));
const fromSalesforce = args['salesforce-connection'] !== undefined;
const requiredFields = (kind: SourceKind) => objectFields[kind].required;
/** `--fields accounts=Industry,Tier__c`: the fields each object selects besides its required ones. */
const extraFields = new Map<string, string[]>();
for (const given of args.fields ?? []) {
  const [object, list] = given.split('=', 2);
  if (!object || !list || !salesforceObjects.includes(object)) {
    console.error(`--fields ${given}: name one of the extracted objects (${salesforceObjects.join(', ')}) and its fields, e.g. accounts=Industry,Tier__c\n\n${usage}`);
    process.exit(2);
  }
  extraFields.set(object, [...(extraFields.get(object) ?? []), ...list.split(',').map((f) => f.trim()).filter(Boolean)]);
}
if (args.help || (!directoryFiles && !args.responses && !fromSalesforce) || !Number.isInteger(directoryId) || badConnection || badObjects) {
  console.error(usage);
  process.exit(args.help ? 0 : 2);
}
const csv = z.strictObject(csvDialectShape).safeParse({
  ...(args.encoding !== undefined ? { encoding: args.encoding } : {}),
  ...(args.delimiter !== undefined ? { delimiter: args.delimiter } : {}),
});
if (!csv.success) {
  console.error(`${describeIssues(csv.error)}\n\n${usage}`);
  process.exit(2);
}

await runCommand('load', async (runtime) => {
  const deps = { db: runtime.db, secretBox: lazySecretBox(runtime.config), maxCsvFieldBytes: runtime.config.csvMaxFieldBytes, salesforce: { apiShare: runtime.config.salesforceApiShare } };
  if (fromSalesforce && (await loadFromSalesforce(runtime, deps)) !== 0) return 1;
  if (directoryFiles && (await loadDirectoryFiles(runtime, deps)) !== 0) return 1;
  if (args.responses) {
    const file = args['responses-mapping'];
    const mapping = file ? parseResponseMapping(JSON.parse(await readFile(file, 'utf8')), file) : {};
    const source = await openCsvFile(args.responses, 'the NPS responses file', { ...csv.data, maxFieldBytes: deps.maxCsvFieldBytes });
    const imported = await importResponses(runtime.db, directoryId, source, mapping);
    console.log(`\nNPS responses: ${imported.inserted} imported, ${imported.unchanged} already there, ${imported.rejected} rejected.`);
    for (const e of imported.errors) console.log(`  line ${e.line}${e.field ? ` (${e.field})` : ''}: ${e.message}`);
  }
  return 0;
});

async function loadDirectoryFiles(runtime: Runtime, deps: SyncDeps): Promise<number> {
  const named = {
    ...(args.accounts ? { accounts: args.accounts } : {}),
    ...(args.contacts ? { contacts: args.contacts } : {}),
    ...(args['team-members'] ? { teamMembers: args['team-members'] } : {}),
  };
  const connectionId = Number(args['sftp-connection']);
  const remote = (name: string) => (/[*?[]/.test(name) ? { pattern: name } : { path: name });
  const result = await runSync(deps, {
    directoryId,
    csv: csv.data,
    ...(args['sftp-connection']
      ? {
          sftp: {
            connectionId,
            files: Object.fromEntries(Object.entries(named).map(([kind, name]) => [kind, remote(name)])),
            ...(args.archive ? { archiveFolder: args.archive } : {}),
            ...(args.force ? { force: true } : {}),
          },
        }
      : { files: named }),
    ...(args.mapping ? { mapping: args.mapping } : {}),
    ...(args['mailing-list'] ? { mailingListName: args['mailing-list'] } : {}),
    ...(args['full-export'] ? { fullExport: Object.keys(named) as SourceKind[] } : {}),
  });
  console.log(await formatRunReport(runtime.db, result));
  return result.state === 'succeeded' ? 0 : 1;
}

async function loadFromSalesforce(runtime: Runtime, deps: SyncDeps): Promise<number> {
  const options = args['full-resync'] ? { fullResync: true } : {};
  const result = await runSync(deps, {
    directoryId,
    salesforce: {
      connectionId: Number(args['salesforce-connection']),
      objects: Object.fromEntries(
        salesforceObjects.map((o) => {
          const extra = extraFields.get(o);
          return [o, extra ? { ...options, fields: [...requiredFields(o as SourceKind), ...extra] } : options];
        }),
      ),
      ...(args.reconcile ? { reconcile: true } : {}),
    },
    ...(args.mapping ? { mapping: args.mapping } : {}),
    ...(args['mailing-list'] ? { mailingListName: args['mailing-list'] } : {}),
  });
  console.log(await formatRunReport(runtime.db, result));
  return result.state === 'succeeded' ? 0 : 1;
}
