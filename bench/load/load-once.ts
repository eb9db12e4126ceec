// One pass of the load benchmark in its own process, so its peak RSS is its own:
//   node bench/load/load-once.ts --mode=loader|copy --url=postgres://... --accounts=F --contacts=F --team=F
//     [--explain=FILE]   (loader only: EXPLAIN ANALYZE every merge statement first, in a savepoint rolled back)
//     [--tx-sql=SQL]     (loader only, a what-if: run SQL first in the load's transaction, e.g. "set local work_mem = '64MB'")
// Prints one JSON line on stdout: wall time of the load, peak RSS (KiB), per-statement times and the counts.
import { createReadStream } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Db, type Row, type Tx } from '../../core/db.ts';
import { openLocalFiles } from '../../worker/extract/local-files.ts';
import { loadDirectory } from '../../worker/load/load-directory.ts';
import type { MappingInput } from '../../core/directory/mapping-input.ts';
import { StepTimes, type Step } from '../shared.ts';
import { titleRoles } from './generate.ts';

export type PassResult = {
  mode: 'loader' | 'copy';
  ms: number;
  maxRssKiB: number;
  steps: Step[];
  state?: string;
  error?: { code: string; message: string } | null;
  counts?: Record<string, { inserted: number; updated: number; unchanged: number; deleted: number; rejected: number }>;
};

/** The mapping an admin would write for these exports: every Title to a client role, two custom account attributes. */
export const benchMapping: MappingInput = {
  accounts: {
    attributes: {
      annualContractValue: { source: 'AnnualContractValue__c', type: 'Decimal' },
      seats: { source: 'Seats__c', type: 'Integer' },
    },
  },
  clientRoles: { values: { ...titleRoles } },
};

/** The bare baseline's tables and the CSV columns COPY fills, in file order (see run.ts for their indexes). */
export const bareCopies = [
  { file: 'accounts', table: 'bare_accounts', columns: 'external_id, is_deleted, display_name, parent_external_id, annual_contract_value, seats' },
  { file: 'contacts', table: 'bare_contacts', columns: 'external_id, is_deleted, title, account_external_id, email, first_name, last_name' },
  { file: 'team', table: 'bare_management_roles', columns: 'account_external_id, user_email, role_name, is_deleted' },
] as const;

/** Names a loader statement by what it does, read off its SQL: the table it stages, checks or merges. */
function stepLabel(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  let m: RegExpExecArray | null;
  if ((m = /^copy (\w+)/.exec(s))) return `stage ${m[1]} (parse, map, COPY)`;
  if ((m = /^create temp table (chg_\w+)/.exec(s))) return `find changes: ${m[1]}`;
  if (/^create temp table stg_/.test(s)) return 'create staging tables';
  if ((m = /^update (\w+) s set err_object/.exec(s))) return `check ${m[1]}: ${/err_code = '([A-Z_]+)'/.exec(s)?.[1] ?? 'rejects'}`;
  if (/^with recursive edges/.test(s)) return 'check chg_hierarchy: HIERARCHY_CYCLE';
  if ((m = /^with (?:updated|removed) as \( update (\w+)/.exec(s))) return `merge ${m[1]}`;
  if (/^analyze /.test(s)) return 'analyze staging';
  if (/^insert into sync_run_errors/.test(s)) return 'save row errors';
  if (/^select \(select count\(\*\)::int from stg_accounts/.test(s) || /^select err_object as object/.test(s)) return 'count rows';
  return 'other bookkeeping';
}

/** EXPLAIN ANALYZE only plain single statements that change or read rows (not COPY, DDL or ANALYZE). */
const explainable = (sql: string) => /^\s*(with|update|insert|select|delete)\b/i.test(sql) && !sql.includes(';');

/** A Db whose transactions time every statement the loader sends, by merge step. */
class TracedDb extends Db {
  readonly steps = new StepTimes();
  readonly explainFile: string | undefined;
  readonly txSql: string | undefined;

  constructor(url: string, explainFile: string | undefined, txSql: string | undefined) {
    super(url, { max: 2, applicationName: 'bellwether-bench' });
    this.explainFile = explainFile;
    this.txSql = txSql;
  }

  override async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const record = (label: string, started: number) => this.steps.record(label, started);
    return super.tx(async (inner) => {
      if (this.txSql) await inner.query(this.txSql);
      const traced: Tx = {
        query: async <R extends Row = Row>(text: string, values?: readonly unknown[]): Promise<R[]> => {
          const label = stepLabel(text);
          if (this.explainFile && explainable(text)) await this.explain(inner, label, text, values);
          const started = performance.now();
          try {
            return await inner.query<R>(text, values);
          } finally {
            this.steps.record(label, started);
          }
        },
        copyIn: async (copySql, rows) => {
          const started = performance.now();
          try {
            await inner.copyIn(copySql, rows);
          } finally {
            this.steps.record(stepLabel(copySql), started);
          }
        },
        copyOut: async function* (copySql) {
          const started = performance.now();
          try {
            yield* inner.copyOut(copySql);
          } finally {
            record(`fetch known records: ${/from (\w+) where/.exec(copySql)?.[1] ?? '?'}`, started);
          }
        },
      };
      return fn(traced);
    });
  }

  private async explain(tx: Tx, label: string, text: string, values: readonly unknown[] | undefined): Promise<void> {
    await tx.query('savepoint bench_explain');
    const started = performance.now();
    const plan = await tx.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${text}`, values);
    const ms = performance.now() - started;
    await tx.query('rollback to savepoint bench_explain');
    const body = plan.map((r) => r['QUERY PLAN']).join('\n');
    await appendFile(this.explainFile!, `===== ${label} (${(ms / 1000).toFixed(2)} s)\n${text.trim()}\n-- params: ${JSON.stringify(values ?? [])}\n${body}\n\n`);
  }
}

async function runLoader(
  url: string,
  files: { accounts: string; contacts: string; teamMembers: string },
  options: { explainFile?: string | undefined; txSql?: string | undefined },
): Promise<PassResult> {
  if (options.explainFile) await writeFile(options.explainFile, '');
  const db = new TracedDb(url, options.explainFile, options.txSql);
  try {
    const started = performance.now();
    const result = await loadDirectory(db, { directoryId: 1, sourceLabel: 'bench', openSources: () => openLocalFiles(files), mapping: benchMapping });
    const ms = performance.now() - started;
    return {
      mode: 'loader',
      ms,
      maxRssKiB: process.resourceUsage().maxRSS,
      steps: db.steps.list(),
      state: result.state,
      error: result.error,
      counts: result.counts as PassResult['counts'],
    };
  } finally {
    await db.close();
  }
}

/** The baseline: each file streamed as it is into COPY (FORMAT csv, HEADER), in one transaction like the loader's. */
async function runCopy(url: string, files: { accounts: string; contacts: string; team: string }): Promise<PassResult> {
  const client = new pg.Client({ connectionString: url, application_name: 'bellwether-bench-copy' });
  await client.connect();
  const steps: Step[] = [];
  try {
    const started = performance.now();
    await client.query('begin');
    for (const copy of bareCopies) {
      const stepStarted = performance.now();
      await pipeline(
        createReadStream(files[copy.file], { highWaterMark: 1 << 16 }),
        client.query(copyFrom(`copy ${copy.table} (${copy.columns}) from stdin (format csv, header)`)),
      );
      steps.push({ label: `copy ${copy.table}`, ms: performance.now() - stepStarted, calls: 1 });
    }
    const commitStarted = performance.now();
    await client.query('commit');
    steps.push({ label: 'commit', ms: performance.now() - commitStarted, calls: 1 });
    return { mode: 'copy', ms: performance.now() - started, maxRssKiB: process.resourceUsage().maxRSS, steps };
  } finally {
    await client.end();
  }
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    options: {
      mode: { type: 'string' },
      url: { type: 'string' },
      accounts: { type: 'string' },
      contacts: { type: 'string' },
      team: { type: 'string' },
      explain: { type: 'string' },
      'tx-sql': { type: 'string' },
    },
  });
  const { mode, url, accounts, contacts, team } = args;
  if ((mode !== 'loader' && mode !== 'copy') || !url || !accounts || !contacts || !team) {
    console.error('usage: node bench/load/load-once.ts --mode=loader|copy --url=URL --accounts=FILE --contacts=FILE --team=FILE [--explain=FILE] [--tx-sql=SQL]');
    process.exit(2);
  }
  const result =
    mode === 'loader'
      ? await runLoader(url, { accounts, contacts, teamMembers: team }, { explainFile: args.explain, txSql: args['tx-sql'] })
      : await runCopy(url, { accounts, contacts, team });
  process.stdout.write(JSON.stringify(result) + '\n');
}
