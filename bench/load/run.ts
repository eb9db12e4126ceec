// `npm run bench:load`: the directory loader against a bare COPY of the same files.
//   BENCH_SCALE=0.1   a tenth of the size (default 1: 100k accounts, 1M contacts, 300k team members)
//   DATABASE_URL      use that server (a fresh database `bellwether_bench` is created on it);
//                     otherwise an embedded PostgreSQL under bench/.data/pg
//   BENCH_VACUUM=0    skip the untimed VACUUM ANALYZE of the directory between the first load and the reload
//   BENCH_STRICT=1    exit 1 when a target fails
//   BENCH_LOADER_TX_SQL=SQL  a what-if: SQL run first in each load's transaction (e.g. "set local work_mem = '64MB'")
// Each pass runs in a child process (load-once.ts) that reports its own wall time and peak RSS.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../core/migrate.ts';
import { benchScale, checkpoint, freshDatabase, openBenchServer, runChildPass, stepTable, table, withClient } from '../shared.ts';
import { dataRoot, ensureDataset, type Dataset } from './generate.ts';
import { bareCopies, type PassResult } from './load-once.ts';

const benchDatabase = 'bellwether_bench';
const loadOnce = path.join(import.meta.dirname, 'load-once.ts');
const objects = ['accounts', 'hierarchy', 'contacts', 'clientRoles', 'managementRoles'] as const;
const targets = { firstLoadRatio: 2, reloadRatio: 1, rssMB: 300 };

const log = (message: string) => process.stderr.write(`[bench:load] ${message}\n`);

/**
 * The baseline's plain tables: the CSV's columns under the directory's column names, and the very
 * primary keys and indexes of `accounts`, `contacts` and `management_roles`, copied from the catalog
 * of the migrated schema. No foreign keys, no defaults beyond the directory id and the update time
 * (which the browser's "last change" order indexes). The one-owner index
 * tests the raw picklist value ('Account Owner') where the directory's tests the mapped role, so it
 * indexes the same 1 row in 3.
 */
async function createBareTables(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    await c.query(`
      create table bare_accounts (directory_id bigint not null default 1, external_id text not null, is_deleted boolean,
        display_name text, parent_external_id text, annual_contract_value numeric, seats integer, updated_at timestamptz not null default now());
      create table bare_contacts (directory_id bigint not null default 1, external_id text not null, is_deleted boolean,
        title text, account_external_id text, email text, first_name text, last_name text);
      create table bare_management_roles (directory_id bigint not null default 1, account_external_id text not null,
        user_email text not null, role_name text, is_deleted boolean)`);
    const created: string[] = [];
    for (const table of ['accounts', 'contacts', 'management_roles']) {
      const { rows } = await c.query<{ indexname: string; indexdef: string; is_pkey: boolean }>(
        `select i.indexname, i.indexdef, coalesce(x.indisprimary, false) as is_pkey
         from pg_indexes i join pg_class ic on ic.relname = i.indexname and ic.relnamespace = (select oid from pg_namespace where nspname = i.schemaname)
         join pg_index x on x.indexrelid = ic.oid
         where i.schemaname = current_schema() and i.tablename = $1 order by i.indexname`,
        [table],
      );
      if (rows.length === 0) throw new Error(`no indexes found on ${table}: is the schema migrated?`);
      for (const index of rows) {
        const definition = index.indexdef
          .replace(` INDEX ${index.indexname} ON `, ` INDEX bare_${index.indexname} ON `)
          .replace(new RegExp(` ON (\\w+\\.)?${table} USING `), ` ON $1bare_${table} USING `)
          .replace(`'ACCOUNT_OWNER'::text`, `'Account Owner'::text`);
        if (!definition.includes(`bare_${table} USING`)) throw new Error(`cannot adapt index definition: ${index.indexdef}`);
        await c.query(definition);
        if (index.is_pkey) await c.query(`alter table bare_${table} add primary key using index bare_${index.indexname}`);
        created.push(definition + (index.is_pkey ? '  -- primary key' : ''));
      }
    }
    return created;
  });
}

async function runPass(mode: 'loader' | 'copy', url: string, dataset: Dataset): Promise<PassResult & { processMs: number }> {
  const args = [`--mode=${mode}`, `--url=${url}`, `--accounts=${dataset.files.accounts}`, `--contacts=${dataset.files.contacts}`, `--team=${dataset.files.teamMembers}`];
  const txSql = process.env.BENCH_LOADER_TX_SQL;
  if (mode === 'loader' && txSql) args.push(`--tx-sql=${txSql}`);
  const started = performance.now();
  const pass = await runChildPass<PassResult>(`${mode} pass`, loadOnce, args);
  return { ...pass, processMs: performance.now() - started };
}

async function main(): Promise<number> {
  const scale = benchScale();
  const vacuumBetween = process.env.BENCH_VACUUM !== '0';

  const generationStarted = performance.now();
  const dataset = await ensureDataset(scale, { log });
  if (dataset.generated) log(`generated in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s`);
  const totalRows = dataset.sizes.accounts + dataset.sizes.contacts + dataset.sizes.teamMembers;
  const totalBytes = dataset.bytes.accounts + dataset.bytes.contacts + dataset.bytes.teamMembers;

  const { adminUrl, label: serverLabel, stop: stopServer } = await openBenchServer();
  const stopOnSignal = () => void stopServer().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    const url = await freshDatabase(adminUrl, benchDatabase);
    await migrate(url);
    const bareIndexes = await createBareTables(url);
    const serverVersion = await withClient(url, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
    const settings = await withClient(url, async (c) =>
      (await c.query<{ name: string; setting: string; unit: string | null }>(
        `select name, setting, unit from pg_settings where name in ('shared_buffers', 'max_wal_size', 'work_mem', 'maintenance_work_mem', 'synchronous_commit', 'wal_level') order by name`,
      )).rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`).join(' '),
    );
    log(`database ${benchDatabase} on ${serverLabel}, PostgreSQL ${serverVersion}`);

    log(`bare COPY of ${totalRows.toLocaleString('en')} rows...`);
    await checkpoint(url, log);
    const copy = await runPass('copy', url, dataset);
    // Untimed between passes: vacuum what the pass wrote, so autovacuum does not compete with the next pass for the CPUs.
    await withClient(url, (c) => c.query('vacuum (analyze) bare_accounts, bare_contacts, bare_management_roles'));
    log(`first load...`);
    await checkpoint(url, log);
    const first = await runPass('loader', url, dataset);
    if (vacuumBetween) {
      // A reload comes hours later, when autovacuum has long processed the first load's inserts; here it
      // would otherwise start in the middle of the reload and take one of the two cores.
      await withClient(url, (c) => c.query('vacuum (analyze) accounts, contacts, management_roles, sync_runs, sync_run_counts'));
    }
    await checkpoint(url, log);
    log(`unchanged reload...`);
    const reload = await runPass('loader', url, dataset);

    const stored = await withClient(url, async (c) => (await c.query<Record<string, number>>(`select
      (select count(*)::int from accounts) as accounts, (select count(*)::int from accounts where not is_deleted) as hierarchy,
      (select count(*)::int from contacts) as contacts, (select count(*)::int from contacts where client_role is not null) as "clientRoles",
      (select count(*)::int from management_roles) as "managementRoles",
      (select count(*)::int from bare_accounts) as bare_accounts, (select count(*)::int from bare_contacts) as bare_contacts,
      (select count(*)::int from bare_management_roles) as bare_management_roles`)).rows[0]!);

    // The loads must have done what they claim: every row inserted, then every row unchanged.
    const expected: Record<(typeof objects)[number], number> = {
      accounts: dataset.sizes.accounts, hierarchy: dataset.sizes.accounts, contacts: dataset.sizes.contacts,
      clientRoles: dataset.sizes.contacts, managementRoles: dataset.sizes.teamMembers,
    };
    const problems: string[] = [];
    for (const [name, pass, field] of [['first load', first, 'inserted'], ['reload', reload, 'unchanged']] as const) {
      if (pass.state !== 'succeeded') problems.push(`${name} ${pass.state}: ${pass.error?.code} ${pass.error?.message}`);
      for (const object of objects) {
        const c = pass.counts?.[object];
        if (!c) problems.push(`${name}: no counts for ${object}`);
        else if (c[field] !== expected[object] || c.rejected !== 0) problems.push(`${name}: ${object} ${JSON.stringify(c)}, expected ${field} = ${expected[object]}`);
      }
    }
    for (const object of objects) if (stored[object] !== expected[object]) problems.push(`directory holds ${stored[object]} ${object}, expected ${expected[object]}`);

    const seconds = (p: PassResult) => p.ms / 1000;
    const mb = (p: PassResult) => p.maxRssKiB / 1024;
    const ratio = (p: PassResult) => p.ms / copy.ms;
    const phases = [
      { name: 'bare COPY (baseline)', pass: copy, target: 'reference', pass_: true },
      { name: 'first load', pass: first, target: `<= ${targets.firstLoadRatio}x, <= ${targets.rssMB} MB`, pass_: ratio(first) <= targets.firstLoadRatio && mb(first) <= targets.rssMB },
      { name: 'unchanged reload', pass: reload, target: `<= ${targets.reloadRatio}x, <= ${targets.rssMB} MB`, pass_: ratio(reload) <= targets.reloadRatio && mb(reload) <= targets.rssMB },
    ];

    const out: string[] = [];
    out.push('');
    out.push(`Load benchmark, scale ${scale}: ${dataset.sizes.accounts.toLocaleString('en')} accounts (3-level hierarchy), ` +
      `${dataset.sizes.contacts.toLocaleString('en')} contacts, ${dataset.sizes.teamMembers.toLocaleString('en')} team members ` +
      `= ${totalRows.toLocaleString('en')} rows, ${(totalBytes / 1e6).toFixed(0)} MB of CSV`);
    out.push(`PostgreSQL ${serverVersion} (${serverLabel}); ${settings}`);
    if (process.env.BENCH_LOADER_TX_SQL) out.push(`what-if: each load's transaction first ran: ${process.env.BENCH_LOADER_TX_SQL}`);
    out.push(`Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`);
    out.push('');
    out.push(table(
      ['phase', 'seconds', 'rows/s', 'vs COPY', 'peak RSS MB', 'target', 'result'],
      phases.map((p) => [
        p.name, seconds(p.pass).toFixed(1), Math.round(totalRows / seconds(p.pass)).toLocaleString('en'), `${ratio(p.pass).toFixed(2)}x`,
        mb(p.pass).toFixed(0), p.target, p.target === 'reference' ? '-' : p.pass_ ? 'PASS' : 'FAIL',
      ]),
      new Set([1, 2, 3, 4]),
    ));
    out.push('');
    out.push('Run counts (inserted / updated / unchanged / deleted / rejected), and rows stored afterwards:');
    out.push(table(
      ['object', 'first load', 'reload', 'stored'],
      objects.map((o) => {
        const f = (c: NonNullable<PassResult['counts']>[string] | undefined) => (c ? `${c.inserted} / ${c.updated} / ${c.unchanged} / ${c.deleted} / ${c.rejected}` : '-');
        return [o, f(first.counts?.[o]), f(reload.counts?.[o]), String(stored[o])];
      }),
      new Set([1, 2, 3]),
    ));
    out.push(`bare COPY tables: ${stored.bare_accounts} accounts, ${stored.bare_contacts} contacts, ${stored.bare_management_roles} team members`);
    out.push(problems.length === 0 ? 'counts check: OK (first load inserted every row, reload found every row unchanged)' : `counts check: FAILED\n  ${problems.join('\n  ')}`);
    out.push('');
    out.push('Where the time goes (seconds per step; the loader\'s statements timed in its transaction):');
    out.push(stepTable([['first load', first], ['reload', reload]], '(run bookkeeping, begin/commit)'));
    out.push(`bare COPY: ${copy.steps.map((s) => `${s.label} ${(s.ms / 1000).toFixed(2)}`).join(', ')}`);
    out.push('');
    process.stdout.write(out.join('\n') + '\n');

    const resultFile = path.join(dataRoot, `results-${dataset.sizes.contacts}.json`);
    await writeFile(resultFile, JSON.stringify({
      date: new Date().toISOString(), scale, sizes: dataset.sizes, bytes: dataset.bytes, serverVersion, serverLabel, settings,
      node: process.version, cpus: os.cpus().length, bareIndexes, vacuumBetween, copy, first, reload, stored, problems,
    }, null, 2) + '\n');
    log(`results written to ${path.relative(process.cwd(), resultFile)}`);

    if (problems.length > 0) return 1;
    if (process.env.BENCH_STRICT === '1' && phases.some((p) => !p.pass_)) return 1;
    return 0;
  } finally {
    await stopServer();
  }
}

process.exitCode = await main();
