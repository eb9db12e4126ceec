// `npm run bench:sftp`: a million contacts loaded over SFTP against the same file loaded from local disk.
//   BENCH_SCALE=0.1   a tenth of the size (default 1: 1M contacts, after 100k accounts; bench/load's dataset)
//   DATABASE_URL      use that server (fresh databases bellwether_bench_sftp_local / _remote are created on it);
//                     otherwise the embedded PostgreSQL under bench/.data/pg (shared with bench:load)
//   BENCH_DOWNLOAD=0  skip the download-only measurements that follow the two loads
//   BENCH_STRICT=1    exit 1 when a target fails (a wrong count always exits 1)
// Needs root: the SFTP server is a real OpenSSH sshd on loopback (test/helpers/sshd.ts).
// Each pass runs in a child process (load-once.ts) with the Procfile worker's Node flags and reports
// its own wall time and peak RSS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Db } from '../../core/db.ts';
import { migrate } from '../../core/migrate.ts';
import { secretBox } from '../../core/secret-box.ts';
import { startSshd, type Sshd } from '../../test/helpers/sshd.ts';
import { runSync } from '../../worker/jobs/run-sync.ts';
import { dataRoot, ensureDataset } from '../load/generate.ts';
import { benchMapping } from '../load/load-once.ts';
import { benchScale, checkpoint, freshDatabase, openBenchServer, runChildPass, stepTable, table, withClient, workerNodeFlags } from '../shared.ts';
import type { PassResult, Server } from './load-once.ts';

const databases = { local: 'bellwether_bench_sftp_local', sftp: 'bellwether_bench_sftp_remote' } as const;
const loadOnce = path.join(import.meta.dirname, 'load-once.ts');
const targets = { ratio: 0.8, rssMB: 300 };

const log = (message: string) => process.stderr.write(`[bench:sftp] ${message}\n`);

/**
 * A fresh, migrated database (whatever a previous run left is dropped) holding the directory's
 * accounts, loaded from local disk and not timed: the contacts that follow need their accounts.
 */
async function prepareDatabase(adminUrl: string, database: string, accountsFile: string, accounts: number): Promise<string> {
  const url = await freshDatabase(adminUrl, database);
  await migrate(url);
  const db = new Db(url, { max: 2, applicationName: 'bellwether-bench-sftp' });
  try {
    const box = secretBox(randomBytes(32).toString('base64url'));
    const result = await runSync({ db, secretBox: async () => box }, { directoryId: 1, files: { accounts: accountsFile }, mapping: benchMapping });
    const c = result.counts.accounts;
    if (result.state !== 'succeeded' || c?.inserted !== accounts || c.rejected !== 0) {
      throw new Error(`${database}: the accounts did not load: ${result.state} ${JSON.stringify(result.error)} ${JSON.stringify(result.counts)}`);
    }
  } finally {
    await db.close();
  }
  // So autovacuum does not start on the accounts in the middle of the timed pass.
  await withClient(url, (c) => c.query('vacuum (analyze) accounts, sync_runs, sync_run_counts'));
  return url;
}

const runPass = (label: string, args: string[]) => runChildPass<PassResult>(label, loadOnce, args);

async function main(): Promise<number> {
  const scale = benchScale();
  if (process.getuid?.() !== 0) throw new Error('bench:sftp needs root: it runs a real OpenSSH sshd (test/helpers/sshd.ts)');

  const generationStarted = performance.now();
  const dataset = await ensureDataset(scale, { log });
  if (dataset.generated) log(`generated in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s`);
  const rows = dataset.sizes.contacts;
  const fileMB = dataset.bytes.contacts / 1e6;

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: Error) => log(`stop failed: ${error.message}`));
  };
  const stopOnSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    const { adminUrl, label: serverLabel, stop: stopServer } = await openBenchServer();
    stops.push(stopServer);

    const sshd: Sshd = await startSshd();
    stops.push(sshd.stop);
    const remotePath = path.join(sshd.root, 'contacts.csv');
    await copyFile(dataset.files.contacts, remotePath);
    await chmod(remotePath, 0o644);
    const sshVersion = await new Promise<string>((resolve) => {
      const child = spawn('ssh', ['-V'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk) => (text += chunk));
      child.on('error', () => resolve('OpenSSH (version unknown)'));
      child.on('close', () => resolve(text.trim().split(',')[0] ?? 'OpenSSH'));
    });
    const server: Server = { host: sshd.host, port: sshd.port, ...sshd.users.password, hostKeyFingerprint: sshd.hostKeyFingerprint };
    log(`sshd (${sshVersion}) on ${sshd.host}:${sshd.port}, serving ${remotePath}`);

    log(`loading ${dataset.sizes.accounts.toLocaleString('en')} accounts into ${databases.local} and ${databases.sftp} (not timed)...`);
    const urls = {
      local: await prepareDatabase(adminUrl, databases.local, dataset.files.accounts, dataset.sizes.accounts),
      sftp: await prepareDatabase(adminUrl, databases.sftp, dataset.files.accounts, dataset.sizes.accounts),
    };
    const serverVersion = await withClient(urls.local, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
    log(`PostgreSQL ${serverVersion} on ${serverLabel}`);

    log(`${rows.toLocaleString('en')} contacts from local disk...`);
    await checkpoint(urls.local, log);
    const local = await runPass('local pass', ['--mode=local', `--url=${urls.local}`, `--contacts=${dataset.files.contacts}`]);
    await checkpoint(urls.sftp, log);
    log(`${rows.toLocaleString('en')} contacts over SFTP...`);
    const sftp = await runPass('SFTP pass', ['--mode=sftp', `--url=${urls.sftp}`, `--contacts=${remotePath}`, `--server=${JSON.stringify(server)}`]);

    const downloads: { name: string; pass: PassResult }[] = [];
    if (process.env.BENCH_DOWNLOAD !== '0') {
      log('download only (no parsing, no database)...');
      const args = ['--mode=download', `--contacts=${remotePath}`, `--server=${JSON.stringify(server)}`];
      const variants = [
        ['createReadStream, 64 KiB (as the worker reads)', ['--hwm=65536']],
        ['fastGet (64 reads of 32 KiB in flight)', ['--fast']],
      ] as const;
      for (const [name, extra] of variants) downloads.push({ name, pass: await runPass(`download ${extra.join(' ')}`, [...args, ...extra]) });
    }

    // Both loads must have done what they claim: every contact (and its client role) inserted, none rejected.
    const problems: string[] = [];
    const stored: Record<string, number> = {};
    for (const [name, pass, url] of [['local disk', local, urls.local], ['SFTP', sftp, urls.sftp]] as const) {
      if (pass.state !== 'succeeded') problems.push(`${name}: ${pass.state}: ${pass.error?.code} ${pass.error?.message}`);
      for (const object of ['contacts', 'clientRoles'] as const) {
        const c = pass.counts?.[object];
        if (!c) problems.push(`${name}: no counts for ${object}`);
        else if (c.inserted !== rows || c.rejected !== 0) problems.push(`${name}: ${object} ${JSON.stringify(c)}, expected inserted = ${rows}, rejected = 0`);
      }
      stored[name] = await withClient(url, async (c) => (await c.query<{ n: number }>('select count(*)::int as n from contacts')).rows[0]!.n);
      if (stored[name] !== rows) problems.push(`${name}: the directory holds ${stored[name]} contacts, expected ${rows}`);
    }

    const seconds = (p: PassResult) => p.ms / 1000;
    const mb = (p: PassResult) => p.maxRssKiB / 1024;
    const ratio = local.ms / sftp.ms; // rows/s over SFTP against rows/s from local disk
    const sftpPasses = ratio >= targets.ratio && mb(sftp) <= targets.rssMB;

    const out: string[] = [];
    out.push('');
    out.push(`SFTP benchmark, scale ${scale}: ${rows.toLocaleString('en')} contacts (${fileMB.toFixed(0)} MB of CSV) into a directory ` +
      `holding ${dataset.sizes.accounts.toLocaleString('en')} accounts, each pass a first load into its own fresh database`);
    out.push(`PostgreSQL ${serverVersion} (${serverLabel}); ${sshVersion} sshd on loopback, internal-sftp, password login`);
    out.push(`Node ${process.version} (passes: ${workerNodeFlags().join(' ')}), ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`);
    out.push('');
    out.push(table(
      ['phase', 'seconds', 'rows/s', 'vs local disk', 'peak RSS MB', 'target', 'result'],
      [
        ['local disk (reference)', seconds(local).toFixed(1), Math.round(rows / seconds(local)).toLocaleString('en'), '1.00x', mb(local).toFixed(0), 'reference', '-'],
        ['SFTP', seconds(sftp).toFixed(1), Math.round(rows / seconds(sftp)).toLocaleString('en'), `${ratio.toFixed(2)}x`, mb(sftp).toFixed(0),
          `>= ${targets.ratio}x, <= ${targets.rssMB} MB`, sftpPasses ? 'PASS' : 'FAIL'],
      ],
      new Set([1, 2, 3, 4]),
    ));
    out.push('');
    out.push('Run counts (inserted / updated / unchanged / deleted / rejected), and contacts stored afterwards:');
    const f = (c: NonNullable<PassResult['counts']>[string] | undefined) => (c ? `${c.inserted} / ${c.updated} / ${c.unchanged} / ${c.deleted} / ${c.rejected}` : '-');
    out.push(table(
      ['pass', 'contacts', 'clientRoles', 'stored'],
      [
        ['local disk', f(local.counts?.contacts), f(local.counts?.clientRoles), String(stored['local disk'])],
        ['SFTP', f(sftp.counts?.contacts), f(sftp.counts?.clientRoles), String(stored.SFTP)],
      ],
      new Set([1, 2, 3]),
    ));
    out.push(problems.length === 0 ? 'counts check: OK (both passes inserted every contact and its client role)' : `counts check: FAILED\n  ${problems.join('\n  ')}`);
    out.push('');
    out.push('Where the time goes (seconds; the file is read while it stages):');
    out.push(stepTable([['local disk', local], ['SFTP', sftp]], '(outside the transaction: connect, stat, run bookkeeping)'));
    if (downloads.length > 0) {
      out.push('');
      out.push(`The transfer alone (${fileMB.toFixed(0)} MB into a sink that drops it, same server, nothing else running):`);
      out.push(table(
        ['download only', 'seconds', 'MB/s', 'peak RSS MB'],
        downloads.map((d) => [d.name, seconds(d.pass).toFixed(2), ((d.pass.bytes ?? 0) / 1e6 / seconds(d.pass)).toFixed(0), mb(d.pass).toFixed(0)]),
        new Set([1, 2, 3]),
      ));
      for (const d of downloads) if (d.pass.bytes !== dataset.bytes.contacts) problems.push(`${d.name}: ${d.pass.bytes} bytes, expected ${dataset.bytes.contacts}`);
    }
    out.push('');
    process.stdout.write(out.join('\n') + '\n');

    const resultFile = path.join(dataRoot, `results-sftp-${rows}.json`);
    await writeFile(resultFile, JSON.stringify({
      date: new Date().toISOString(), scale, sizes: dataset.sizes, bytes: dataset.bytes, serverVersion, serverLabel, sshVersion,
      node: process.version, cpus: os.cpus().length, local, sftp, ratio, downloads, stored, problems,
    }, null, 2) + '\n');
    log(`results written to ${path.relative(process.cwd(), resultFile)}`);

    if (problems.length > 0) return 1;
    if (process.env.BENCH_STRICT === '1' && !sftpPasses) return 1;
    return 0;
  } finally {
    await stopAll();
  }
}

process.exitCode = await main();
