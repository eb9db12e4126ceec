// `npm run bench:csv-field`: the loader's peak RSS on an accounts file whose one field is 30 MB,
// against a file of the same size made of ordinary rows.
//   BENCH_FIELD_MB=30  the size of the long field (and of the baseline file)
//   DATABASE_URL       use that server (a fresh database `bellwether_bench_csv_field` per pass);
//                      otherwise an embedded PostgreSQL under bench/.data/pg
//   BENCH_STRICT=1     exit 1 when a target fails
// Each pass runs `runSync` in a child process with the worker's Node flags (load-once.ts).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { migrate } from '../../core/migrate.ts';
import { freshDatabase, openBenchServer, runChildPass, table } from '../shared.ts';
import { dataRoot } from '../load/generate.ts';
import type { PassResult } from './load-once.ts';

const targets = { rssMB: 300, ratio: 1.5 };
const fieldMB = Number(process.env.BENCH_FIELD_MB ?? '30');
const header = 'Id,IsDeleted,Name,Parent.Id\n';
const log = (message: string) => process.stderr.write(`[bench:csv-field] ${message}\n`);

/** Writes `parts` (strings, or [piece, times] repeated) to `file` without holding the whole file. */
async function write(file: string, parts: (string | [string, number])[]): Promise<string> {
  const out = createWriteStream(file);
  for (const part of parts) {
    const [piece, times] = typeof part === 'string' ? [part, 1] : part;
    for (let i = 0; i < times; i++) if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

const dir = path.join(dataRoot, 'csv-field');
await mkdir(dir, { recursive: true });
const size = fieldMB * 1024 * 1024;
const row = (i: number) => `001${String(i).padStart(12, '0')},false,Account ${i} with a name of ordinary length,\n`;
const rowBytes = row(0).length;
const rows = Math.floor(size / rowBytes);
const after = '001B,false,Beta,\n001C,false,Gamma,\n';
const kib = 'x'.repeat(1024);
const quotedKib = `${'y'.repeat(99)}\n`.repeat(10) + 'y'.repeat(24);
log(`writing the files (${fieldMB} MB each) into ${dir}...`);
const files = {
  [`baseline: ${rows.toLocaleString('en')} ordinary rows`]: await write(path.join(dir, 'baseline.csv'), [header, ...Array.from({ length: rows }, (_, i) => row(i))]),
  'one unquoted field': await write(path.join(dir, 'unquoted.csv'), [header, '001A,false,', [kib, size / 1024], ',\n', after]),
  'one quoted field over many lines': await write(path.join(dir, 'quoted.csv'), [header, '001A,false,"', [quotedKib, size / 1024], '",\n', after]),
};

const { adminUrl, label, stop } = await openBenchServer();
const results: [string, PassResult][] = [];
try {
  log(`PostgreSQL on ${label}`);
  for (const [name, file] of Object.entries(files)) {
    const url = await freshDatabase(adminUrl, 'bellwether_bench_csv_field');
    await migrate(url);
    log(`${name}...`);
    results.push([name, await runChildPass<PassResult>(name, path.join(import.meta.dirname, 'load-once.ts'), [`--url=${url}`, `--accounts=${file}`])]);
  }
} finally {
  await stop();
}

const baseline = results[0]![1];
const mb = (p: PassResult) => p.maxRssKiB / 1024;
const problems = results.flatMap(([name, p]) => [
  ...(p.state !== 'succeeded' ? [`${name}: the run ${p.state}: ${p.error?.code} ${p.error?.message}`] : []),
  ...(mb(p) > targets.rssMB ? [`${name}: peak RSS ${mb(p).toFixed(0)} MB > ${targets.rssMB} MB`] : []),
  ...(p !== baseline && mb(p) > targets.ratio * mb(baseline) ? [`${name}: peak RSS ${(mb(p) / mb(baseline)).toFixed(2)}x the baseline > ${targets.ratio}x`] : []),
]);
console.log(`\nCSV field benchmark: a ${fieldMB} MB field in an accounts file, loaded with the default field limit (64 KiB)\n`);
console.log(
  table(
    ['file', 'seconds', 'peak RSS MB', 'x baseline', 'inserted', 'row errors'],
    results.map(([name, p]) => [name, (p.ms / 1000).toFixed(2), mb(p).toFixed(0), (mb(p) / mb(baseline)).toFixed(2), String(p.inserted), p.errors.join(', ') || '-']),
    new Set([1, 2, 3, 4]),
  ),
);
console.log(`\ntargets: peak RSS <= ${targets.rssMB} MB and <= ${targets.ratio}x the baseline: ${problems.length === 0 ? 'met' : `MISSED\n  ${problems.join('\n  ')}`}`);
if (problems.length > 0 && process.env.BENCH_STRICT === '1') process.exit(1);
