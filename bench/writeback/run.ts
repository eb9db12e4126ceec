// `npm run bench:writeback`: 100,000 accounts' figures written back to the Salesforce stand-in
// (test/helpers/salesforce) through jsforce: the product's way (one Bulk API 2.0 ingest job above
// 200 records), then a plain sObject Collections loop (200 records a call) measured in the same run
// as the baseline, then the product again with nothing changed.
//   BENCH_SCALE=0.1   a tenth of the size (default 1: 100k accounts)
//   DATABASE_URL      use that server (fresh databases bellwether_bench_wb_bulk / _loop are created on it);
//                     otherwise the embedded PostgreSQL under bench/.data/pg (shared with bench:load)
//   BENCH_STRICT=1    exit 1 when a target fails
import os from 'node:os';
import { createHeadlessConnection } from '../../core/connections/salesforce.ts';
import { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { migrate } from '../../core/migrate.ts';
import { secretBox } from '../../core/secret-box.ts';
import { createWidgetConfig } from '../../core/widgets/config-queries.ts';
import type { WriteBackReport } from '../../worker/writeback/queries.ts';
import type { SendTuning } from '../../worker/writeback/send-updates.ts';
import { writeBack } from '../../worker/writeback/write-back.ts';
import { startStandIn } from '../../test/helpers/salesforce/stand-in.ts';
import { benchScale, freshDatabase, openBenchServer, table, withClient } from '../shared.ts';

const targets = { apiCalls: 10 };
const log = (message: string) => process.stderr.write(`[bench:writeback] ${message}\n`);
const box = secretBox('a-bench-secret-key-of-32-characters!');
const fields = { nps: 'NPS__c', change: 'NPS_Change__c', health: 'Health__c', responses: 'NPS_Answers__c', lastAnswerAt: 'Last_NPS_Answer__c' };

type Pass = { report: WriteBackReport; ms: number };

async function main(): Promise<number> {
  const scale = benchScale();
  const count = Math.round(100_000 * scale);
  const { adminUrl, label: serverLabel, stop: stopServer } = await openBenchServer();
  const standIn = await startStandIn();
  try {
    for (const [name, type] of [['NPS__c', 'double'], ['NPS_Change__c', 'double'], ['Health__c', 'picklist'], ['NPS_Answers__c', 'double'], ['Last_NPS_Answer__c', 'datetime']] as const) {
      standIn.org.addField('Account', name, type);
    }
    const ids = Array.from({ length: count }, (_, i) => standIn.org.insert('Account', { Name: `Account ${i}`, ParentId: null }));
    log(`stand-in org at ${standIn.url}: ${count.toLocaleString('en')} accounts`);

    const prepare = async (database: string) => {
      const url = await freshDatabase(adminUrl, database);
      await migrate(url);
      const db = new Db(url, { max: 2 });
      const { username, password, securityToken } = standIn.user;
      const connection = await createHeadlessConnection(db, box, { flow: 'password', name: 'Stand-in', loginUrl: standIn.url, username, password, ...(securityToken ? { securityToken } : {}) });
      // The directory as a Salesforce load leaves it; a third of the accounts answered three times this month.
      await db.query(`insert into accounts (directory_id, external_id, display_name) select 1, id, 'Account ' || n from unnest($1::text[]) with ordinality as a (id, n)`, [ids]);
      await db.query(
        `insert into nps_responses (directory_id, contact_external_id, account_external_id, responded_at, score)
         select 1, 'C' || n || '-' || k, id, now() - make_interval(mins => k), (n * 7 + k * 3) % 11
         from unnest($1::text[]) with ordinality as a (id, n), generate_series(1, 3) k where n % 3 = 0`,
        [ids],
      );
      const config = await createWidgetConfig(db, { name: 'Strategic accounts', directoryId: 1 });
      const [run] = await db.query<{ id: number }>(`insert into sync_runs (directory_id, source, state) values (1, 'bench', 'succeeded') returning id::int`);
      return { db, url, connectionId: connection.id, configId: config.id, runId: run!.id };
    };
    const pass = async (target: Awaited<ReturnType<typeof prepare>>, tuning: Partial<SendTuning>): Promise<Pass> => {
      const started = performance.now();
      const report = await writeBack({ db: target.db, secretBox: async () => box, logger: createLogger('silent', 'bench'), writeBack: tuning }, {
        type: 'writeBack', name: 'Health to Salesforce', load: 'Load', connectionId: target.connectionId, widgetConfigId: target.configId, fields,
      }, target.runId);
      if (report.error) throw new Error(`write-back failed: ${report.error.code}: ${report.error.message}`);
      return { report, ms: performance.now() - started };
    };

    const product = await prepare('bellwether_bench_wb_bulk');
    const loop = await prepare('bellwether_bench_wb_loop');
    const serverVersion = await withClient(product.url, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
    try {
      log('product: Bulk API 2.0 ingest job');
      const bulk = await pass(product, {});
      log('baseline: sObject Collections loop, 200 records a call');
      const baseline = await pass(loop, { bulkAbove: Number.POSITIVE_INFINITY });
      log('product again, nothing changed');
      const unchanged = await pass(product, {});

      const rate = (p: Pass) => p.report.succeeded / (p.ms / 1000);
      const problems = [
        ...[bulk, baseline].filter((p) => p.report.succeeded !== count || p.report.failed !== 0).map((p) => `${p.report.method}: ${p.report.succeeded} of ${count} written, ${p.report.failed} refused`),
        ...(unchanged.report.changed === 0 ? [] : [`the unchanged pass sent ${unchanged.report.changed} records`]),
      ];
      const callsOk = bulk.report.apiCalls <= targets.apiCalls;
      const row = (name: string, p: Pass, target: string, ok: boolean | null) => [
        name, p.report.method, String(p.report.apiCalls), `${(p.report.apiCalls / baseline.report.apiCalls).toFixed(3)}x`, p.report.changed.toLocaleString('en'),
        (p.ms / 1000).toFixed(1), p.report.succeeded === 0 ? '-' : Math.round(rate(p)).toLocaleString('en'), p.report.succeeded === 0 ? '-' : `${(rate(p) / rate(baseline)).toFixed(2)}x`, target, ok === null ? '-' : ok ? 'PASS' : 'FAIL',
      ];
      const out = [
        '',
        `Write-back benchmark, scale ${scale}: ${count.toLocaleString('en')} accounts' NPS, change, health, answers and last answer into the stand-in org (test/helpers/salesforce) on loopback, through jsforce`,
        `PostgreSQL ${serverVersion} (${serverLabel}); Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
        '',
        table(['pass', 'method', 'API calls', 'vs loop', 'records sent', 'seconds', 'records/s', 'vs loop', 'target', 'result'], [
          row('sObject Collections loop (baseline)', baseline, 'reference', null),
          row('write-back (product)', bulk, `<= ${targets.apiCalls} calls`, callsOk),
          row('write-back, nothing changed', unchanged, '0 sent', unchanged.report.changed === 0),
        ], new Set([2, 3, 4, 5, 6, 7])),
        '',
        problems.length === 0 ? `records check: OK (every account written by both; the unchanged pass sent nothing)` : `records check: FAILED\n  ${problems.join('\n  ')}`,
        '',
      ];
      process.stdout.write(out.join('\n') + '\n');
      if (problems.length > 0) return 1;
      if (process.env.BENCH_STRICT === '1' && !callsOk) return 1;
      return 0;
    } finally {
      await product.db.close();
      await loop.db.close();
    }
  } finally {
    await standIn.close();
    await stopServer();
  }
}

process.exitCode = await main();
