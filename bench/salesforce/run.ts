// `npm run bench:salesforce`: a full sync of a large org from the Salesforce stand-in through Bulk API
// 2.0; the directory a full sync by REST loaded read again whole through Bulk (nothing may change, and
// the parented accounts and owners are staged again); then incremental re-syncs (1% changed, then nothing), against a full sync by plain REST query
// paging measured in the same run; then 0.1% of the contacts and team members are hard deleted, which
// a re-sync cannot see, and a reconcile (Ids-only Bulk jobs) removes them.
//   BENCH_SCALE=0.1   a tenth of the size (default 1: 100k accounts, 1M contacts, 300k team members)
//   DATABASE_URL      use that server (fresh databases bellwether_bench_sf_rest / _bulk are created on it);
//                     otherwise the embedded PostgreSQL under bench/.data/pg (shared with bench:load)
//   BENCH_STRICT=1    exit 1 when a target fails (a wrong count always exits 1)
// The stand-in org runs in its own process (org-server.ts); each sync runs in a child process
// (sync-once.ts) with the Procfile worker's Node flags and reports its own wall time and peak RSS.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHeadlessConnection } from '../../core/connections/salesforce.ts';
import { Db } from '../../core/db.ts';
import { migrate } from '../../core/migrate.ts';
import { secretBox } from '../../core/secret-box.ts';
import { dataRoot } from '../load/generate.ts';
import { benchScale, checkpoint, freshDatabase, openBenchServer, runChildPass, table, withClient, workerNodeFlags } from '../shared.ts';
import type { OrgMessage, OrgSizes } from './org-server.ts';
import type { SyncPass } from './sync-once.ts';

const targets = { fullCalls: 60, unchangedCallsPerObject: 4, rssMB: 300, reconcileCalls: 10, overlapCalls: 0 };
const log = (message: string) => process.stderr.write(`[bench:salesforce] ${message}\n`);

const syncOnce = path.join(import.meta.dirname, 'sync-once.ts');
const runPass = (label: string, args: string[]) => runChildPass<SyncPass>(label, syncOnce, args);

async function main(): Promise<number> {
  const scale = benchScale();
  const { adminUrl, label: serverLabel, stop: stopServer } = await openBenchServer();
  const generated = performance.now();
  // The org holds 1.4 million records in memory: its process gets the heap it needs, apart from the extract's.
  const org = fork(path.join(import.meta.dirname, 'org-server.ts'), [`--scale=${scale}`], { execArgv: ['--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const [ready] = (await once(org, 'message')) as [Extract<OrgMessage, { url: string }>];
    const { sizes } = ready;
    log(`stand-in org at ${ready.url}: ${sizes.accounts.toLocaleString('en')} accounts, ${sizes.contacts.toLocaleString('en')} contacts, ` +
      `${sizes.teamMembers.toLocaleString('en')} team members (generated in ${((performance.now() - generated) / 1000).toFixed(1)} s)`);

    const secret = randomBytes(32).toString('base64url');
    const prepare = async (database: string) => {
      const url = await freshDatabase(adminUrl, database);
      await migrate(url);
      const db = new Db(url, { max: 2 });
      try {
        const { username, password, securityToken } = ready.user;
        const connection = await createHeadlessConnection(db, secretBox(secret), { flow: 'password', name: 'Stand-in', loginUrl: ready.url, username, password, ...(securityToken ? { securityToken } : {}) });
        return { url, connection: String(connection.id) };
      } finally {
        await db.close();
      }
    };
    const rest = await prepare('bellwether_bench_sf_rest');
    const bulk = await prepare('bellwether_bench_sf_bulk');
    const serverVersion = await withClient(rest.url, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
    const pass = (label: string, target: { url: string; connection: string }, fullExtract: 'bulk' | 'rest', extra: string[] = []) => {
      log(`${label}...`);
      return runPass(label, [`--url=${target.url}`, `--secret=${secret}`, `--connection=${target.connection}`, `--full-extract=${fullExtract}`, ...extra]);
    };

    const baseline = await pass('full sync by REST query paging (baseline)', rest, 'rest');
    await checkpoint(bulk.url, log);
    const full = await pass('full sync (Bulk API 2.0)', bulk, 'bulk');
    // The directory REST loaded, read again whole through Bulk: every value spelled the Bulk way, none changed.
    await withClient(rest.url, (c) => c.query('vacuum (analyze) accounts, contacts, management_roles'));
    await checkpoint(rest.url, log);
    const crossStart = await withClient(rest.url, async (c) => (await c.query<{ now: Date }>('select now()')).rows[0]!.now);
    const cross = await pass('full resync through Bulk of the directory REST loaded, nothing changed', rest, 'bulk', ['--full-resync']);
    const { rewritten, ranked } = await withClient(rest.url, async (c) => {
      const one = async (sql: string, params: unknown[] = []) => (await c.query<{ n: number }>(sql, params)).rows[0]!.n;
      return {
        rewritten: await one(`select ((select count(*) from accounts where updated_at >= $1) + (select count(*) from contacts where updated_at >= $1) + (select count(*) from management_roles where updated_at >= $1))::int as n`, [crossStart]),
        // Staged on every read although unchanged: a check ranks them by line against the rows that changed.
        ranked: {
          accounts: await one(`select count(*)::int as n from accounts where not is_deleted and parent_external_id is not null`),
          owners: await one(`select count(*)::int as n from management_roles where not is_deleted and role_name = 'ACCOUNT_OWNER'`),
        },
      };
    });
    await withClient(bulk.url, (c) => c.query('vacuum (analyze) accounts, contacts, management_roles'));
    await checkpoint(bulk.url, log);
    org.send({ change: 0.01 });
    const [{ changed }] = (await once(org, 'message')) as [{ changed: OrgSizes }];
    log(`changed in the org: ${changed.accounts} accounts, ${changed.contacts} contacts, ${changed.teamMembers} team members (a quarter of the contacts and team members deleted)`);
    const incremental = await pass('incremental re-sync, 1% changed', bulk, 'bulk');
    const unchanged = await pass('incremental re-sync, nothing changed', bulk, 'bulk');
    org.send({ purge: 0.001 });
    const [{ purged }] = (await once(org, 'message')) as [{ purged: OrgSizes }];
    log(`hard deleted in the org: ${purged.contacts} contacts, ${purged.teamMembers} team members`);
    const blind = await pass('incremental re-sync after hard deletes', bulk, 'bulk');
    const reconcile = await pass('reconcile (Ids-only Bulk jobs)', bulk, 'bulk', ['--reconcile']);

    const problems: string[] = [];
    for (const [name, p] of [['REST baseline', baseline], ['full', full], ['resync through Bulk', cross], ['1% changed', incremental], ['unchanged', unchanged], ['after hard deletes', blind], ['reconcile', reconcile]] as const) {
      if (p.state !== 'succeeded') problems.push(`${name}: ${p.state}: ${p.error?.code} ${p.error?.message}`);
    }
    for (const [name, p] of [['REST baseline', baseline], ['full', full]] as const) {
      const expect = { accounts: sizes.accounts, contacts: sizes.contacts, managementRoles: sizes.teamMembers };
      for (const [object, n] of Object.entries(expect)) {
        const c = p.counts[object];
        if (c?.inserted !== n || c.rejected !== 0) problems.push(`${name}: ${object} ${JSON.stringify(c)}, expected ${n} inserted, none rejected`);
      }
    }
    const crossChanged = Object.values(cross.counts).reduce((sum, c) => sum + c.inserted + c.updated + c.deleted + c.rejected, 0);
    if (crossChanged !== 0 || cross.counts.accounts?.unchanged !== sizes.accounts || rewritten !== 0) {
      problems.push(`resync through Bulk: ${crossChanged} rows counted changed or rejected, ${rewritten} rewritten, accounts ${JSON.stringify(cross.counts.accounts)}; expected none, every account unchanged`);
    }
    const unchangedRows = Object.values(unchanged.counts).reduce((sum, c) => sum + c.inserted + c.updated + c.deleted, 0);
    if (unchangedRows !== 0) problems.push(`unchanged: ${unchangedRows} rows changed, expected none`);
    const removed = { contacts: reconcile.removedAbsent.contacts ?? 0, managementRoles: reconcile.removedAbsent.managementRoles ?? 0 };
    if (removed.contacts !== purged.contacts || removed.managementRoles !== purged.teamMembers) {
      problems.push(`reconcile: removed ${JSON.stringify(removed)}, expected ${purged.contacts} contacts and ${purged.teamMembers} team members`);
    }

    const records = (p: SyncPass) => p.plans.reduce((sum, plan) => sum + plan.records, 0);
    const seconds = (p: SyncPass) => p.ms / 1000;
    const rate = (p: SyncPass) => records(p) / seconds(p);
    const mb = (p: SyncPass) => p.maxRssKiB / 1024;
    const methods = (p: SyncPass) => p.plans.map((plan) => `${plan.method}${plan.estimate === null ? '' : ` ${plan.estimate}`}`).join(' / ');
    const fullOk = full.apiCalls <= targets.fullCalls && mb(full) <= targets.rssMB;
    const unchangedOk = unchanged.apiCalls <= targets.unchangedCallsPerObject * 3 && mb(unchanged) <= targets.rssMB;
    const incrementalOk = mb(incremental) <= targets.rssMB;
    const crossOk = crossChanged === 0 && rewritten === 0 && mb(cross) <= targets.rssMB;
    // Beyond a re-sync's describe and count per object (the reconcile's re-sync reads nothing: the blind pass read what changed).
    const reconcileCalls = reconcile.apiCalls - 2 * 3;
    const reconcileOk = reconcileCalls <= targets.reconcileCalls && reconcile.plans.every((p) => p.method === 'none') && mb(reconcile) <= targets.rssMB;
    // Describe and count per object is what an unchanged re-sync cost before the overlap window.
    const overlapCalls = unchanged.apiCalls - 2 * 3;
    const overlapOk = overlapCalls <= targets.overlapCalls;
    const row = (name: string, p: SyncPass, target: string, ok: boolean | null) => [
      name, methods(p), String(p.apiCalls), `${(p.apiCalls / baseline.apiCalls).toFixed(3)}x`, records(p).toLocaleString('en'), seconds(p).toFixed(1),
      Math.round(rate(p)).toLocaleString('en'), `${(rate(p) / rate(baseline)).toFixed(2)}x`, mb(p).toFixed(0), target, ok === null ? '-' : ok ? 'PASS' : 'FAIL',
    ];

    const out: string[] = [''];
    out.push(`Salesforce benchmark, scale ${scale}: ${sizes.accounts.toLocaleString('en')} accounts, ${sizes.contacts.toLocaleString('en')} contacts, ` +
      `${sizes.teamMembers.toLocaleString('en')} account team members from the stand-in org (test/helpers/salesforce) on loopback`);
    out.push(`PostgreSQL ${serverVersion} (${serverLabel}); Node ${process.version} (syncs: ${workerNodeFlags().join(' ')}), ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`);
    out.push('');
    out.push(table(
      ['sync', 'Account / Contact / AccountTeamMember', 'API calls', 'vs REST', 'records', 'seconds', 'records/s', 'vs REST', 'peak RSS MB', 'target', 'result'],
      [
        row('full, REST paging (baseline)', baseline, 'reference', null),
        row('full, Bulk API 2.0', full, `<= ${targets.fullCalls} calls, <= ${targets.rssMB} MB`, fullOk),
        row('full resync via Bulk of REST-loaded', cross, `0 changed, <= ${targets.rssMB} MB`, crossOk),
        row('1% changed', incremental, `<= ${targets.rssMB} MB`, incrementalOk),
        row('nothing changed', unchanged, `<= ${targets.unchangedCallsPerObject} calls/object; window adds ${targets.overlapCalls}`, unchangedOk && overlapOk),
        row('after 0.1% hard deleted', blind, 'reference', null),
        row('reconcile', reconcile, `<= ${targets.reconcileCalls} calls beyond the re-sync`, reconcileOk),
      ],
      new Set([2, 3, 4, 5, 6, 7, 8]),
    ));
    out.push('');
    out.push('Counts of the 1% re-sync (inserted / updated / unchanged / deleted / rejected):');
    out.push(table(['object', 'counts'], Object.entries(incremental.counts).map(([o, c]) => [o, `${c.inserted} / ${c.updated} / ${c.unchanged} / ${c.deleted} / ${c.rejected}`]), new Set()));
    out.push(`Full resync through Bulk of the directory REST loaded: ${crossChanged} rows counted changed, ${rewritten} rewritten; ` +
      `${ranked.accounts.toLocaleString('en')} parented accounts and ${ranked.owners.toLocaleString('en')} account owners re-staged although unchanged ` +
      `(${(((ranked.accounts + ranked.owners) / records(cross)) * 100).toFixed(1)}% of the records read); ${seconds(cross).toFixed(1)} s, ` +
      `${(cross.ms / baseline.ms).toFixed(2)}x the REST baseline's time, ${(cross.ms / full.ms).toFixed(2)}x the full Bulk sync's.`);
    out.push(`Overlap window (10 minutes): the unchanged re-sync took ${overlapCalls} calls beyond describe and count per object.`);
    out.push(`Reconcile: ${reconcileCalls} calls beyond the re-sync's describe and count per object; removed ${removed.contacts} contacts and ${removed.managementRoles} team members ` +
      `the re-sync after the hard deletes left (it removed ${Object.values(blind.counts).reduce((sum, c) => sum + c.deleted, 0)}).`);
    out.push(problems.length === 0 ? 'counts check: OK (full syncs inserted every record; the unchanged re-sync changed nothing; the reconcile removed every hard-deleted record)' : `counts check: FAILED\n  ${problems.join('\n  ')}`);
    out.push('');
    process.stdout.write(out.join('\n') + '\n');

    const resultFile = path.join(dataRoot, `results-salesforce-${sizes.contacts}.json`);
    await mkdir(dataRoot, { recursive: true });
    await writeFile(resultFile, JSON.stringify({ date: new Date().toISOString(), scale, sizes, changed, serverVersion, node: process.version, baseline, full, cross, rewritten, ranked, incremental, unchanged, purged, blind, reconcile, problems }, null, 2) + '\n');
    log(`results written to ${path.relative(process.cwd(), resultFile)}`);
    if (problems.length > 0) return 1;
    if (process.env.BENCH_STRICT === '1' && !(fullOk && crossOk && unchangedOk && overlapOk && incrementalOk && reconcileOk)) return 1;
    return 0;
  } finally {
    org.kill();
    await stopServer();
  }
}

process.exitCode = await main();
