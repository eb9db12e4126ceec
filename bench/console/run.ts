// `npm run bench:console`: the console's directory browser at 100,000 accounts and 1,000,000 contacts.
//   BENCH_SCALE=0.1  a tenth of the data set (default 1)
//   BENCH_REQUESTS   timed requests per scenario (default 200)
//   DATABASE_URL     use that server (a fresh database bellwether_bench_console is made on it);
//                    otherwise the embedded PostgreSQL under bench/.data/pg
//   BENCH_STRICT=1   exit 1 when a target fails
// Every request goes through the real HTTP API (the app as `npm start` serves it, admin key). Each
// scenario's p95 is printed with its ratio to two baselines measured in the same run on the same
// server: GET /api/health (one `select 1`) and GET /api/accounts/:externalId (a primary-key read).
// Then the console bundle's gzipped size, the <strategic-accounts> chunk left out (My accounts loads
// it on demand), from the files the build writes.
import { readdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Db } from '../../core/db.ts';
import { migrate } from '../../core/migrate.ts';
import { buildWidget } from '../../test/helpers/browser.ts';
import { benchScale, freshDatabase, openBenchServer, serveBenchApp, table, timed, withClient } from '../shared.ts';

const log = (message: string) => process.stderr.write(`[bench:console] ${message}\n`);

const targets = { searchPageMs: 100, expandMs: 50, bundleKB: 80 };
const database = 'bellwether_bench_console';
const adminKey = 'bench-admin-key-0123456789';
const consoleDir = path.join(import.meta.dirname, '..', '..', 'widget', 'dist', 'console');

const firstNames = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal', 'Ida', 'Jon', 'Kim', 'Lou'];
const prefixes = ['Love', 'Build', 'Young', 'Adam', 'Smith', 'Jone', 'Brown', 'Garc', 'Mill', 'Dav', 'Wil', 'Moor', 'Tayl', 'Thom', 'Whit', 'Harr', 'Mart', 'Clar', 'Lew', 'Walk'];
const suffixes = ['lace', 'er', 'son', 'ton', 'ley', 'man', 'field', 'wood', 'ford', 'by'];

/**
 * The data set, set-based in SQL: accounts in a three-level hierarchy (1% at the top, each with
 * about nine children, each of those with about ten), named after one of five industries; contacts
 * with first names from a list of 12 and last names from 200 (so a surname matches 1 in 200, as
 * a common surname does), an email, and a client
 * role on one account.
 */
async function generate(url: string, accounts: number, contacts: number): Promise<void> {
  const top = Math.max(1, Math.floor(accounts / 100));
  const middle = Math.max(1, Math.floor(accounts / 10));
  await withClient(url, async (c) => {
    await c.query(
      `insert into accounts (directory_id, external_id, display_name, parent_external_id, attributes, updated_at)
       select 1, 'A' || lpad(i::text, 7, '0'),
         (array['Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware', 'Adatum', 'Proseware', 'Woodgrove'])[1 + i % 8] || ' '
           || (array['Manufacturing', 'Logistics', 'Utilities', 'Healthcare', 'Retail'])[1 + i % 5] || ' ' || i,
         case when i > $3 then 'A' || lpad((1 + $2 + i % ($3 - $2))::text, 7, '0')
              when i > $2 then 'A' || lpad((1 + i % $2)::text, 7, '0') end,
         jsonb_build_object('seats', i % 500),
         timestamptz '2026-01-01Z' + make_interval(secs => (i * 7919) % 30000000)
       from generate_series(1, $1) as i`,
      [accounts, top, middle],
    );
    await c.query(
      `insert into contacts (directory_id, external_id, first_name, last_name, email, account_external_id, client_role)
       select 1, 'C' || lpad(i::text, 8, '0'), f.name, l.name, lower(f.name || '.' || l.name || i || '@example.com'),
         'A' || lpad((1 + i % $2)::text, 7, '0'), (array['DECISION_MAKER', 'INFLUENCER', 'END_USER', 'ACCOUNT_MEMBER'])[1 + i % 4]
       from generate_series(1, $1) as i
       cross join lateral (select ($3::text[])[1 + i % 12] as name) f
       cross join lateral (select ($4::text[])[1 + (i / 12) % 20] || ($5::text[])[1 + (i / 240) % 10] as name) l`,
      [contacts, accounts, firstNames, prefixes, suffixes],
    );
    await c.query('vacuum (analyze) accounts, contacts');
  });
}

type Scenario = { name: string; kind: 'search' | 'page' | 'sort' | 'expand' | 'baseline'; path: (call: number) => string };

export async function main(): Promise<number> {
  const scale = benchScale();
  const accounts = Math.round(100_000 * scale);
  const contacts = Math.round(1_000_000 * scale);
  const requests = Number(process.env.BENCH_REQUESTS ?? '200');
  const server = await openBenchServer();
  let http: Server | undefined;
  let db: Db | undefined;
  try {
    const started = performance.now();
    const url = await freshDatabase(server.adminUrl, database);
    await migrate(url);
    log(`generating ${accounts} accounts and ${contacts} contacts in ${database} on ${server.label}`);
    await generate(url, accounts, contacts);
    log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    db = new Db(url, { max: 4, applicationName: 'bellwether-bench-console' });
    const served = await serveBenchApp(db, url, adminKey, new TextEncoder().encode('bench-embed-token-key-of-32-characters'));
    http = served.server;
    const base = served.base;
    const call = async (path: string) => {
      const response = await fetch(base + path, { headers: { authorization: `Bearer ${adminKey}` } });
      const body = await response.text();
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${body}`);
      return body;
    };

    // Deterministic variety: call n reads its own page, term or node, so no answer is a cached repeat.
    const account = (n: number) => `A${String(1 + ((n * 7919) % accounts)).padStart(7, '0')}`;
    const top = Math.max(1, Math.floor(accounts / 100));
    const middle = Math.max(1, Math.floor(accounts / 10));
    const parent = (n: number) => `A${String(1 + ((n * 7919) % middle)).padStart(7, '0')}`;
    const offset = (n: number) => (n * 997) % 9_950;
    /** What contact `i`'s email starts with, as generate() writes it. */
    const emailName = (i: number) => `${firstNames[i % 12]}.${prefixes[Math.floor(i / 12) % 20]}${suffixes[Math.floor(i / 240) % 10]}${i}`.toLowerCase();
    const surnames = ['Lovelace', 'Builder', 'Youngson', 'Smithton', 'Joneley', 'Brownman', 'Garcfield', 'Millwood'];
    const scenarios: Scenario[] = [
      { name: 'GET /api/health', kind: 'baseline', path: () => '/api/health' },
      { name: 'one account by id', kind: 'baseline', path: (n) => `/api/accounts/${account(n)}` },
      { name: 'accounts, a page by name (offset < 10,000)', kind: 'page', path: (n) => `/api/accounts?offset=${offset(n)}` },
      { name: 'contacts, a page by name (offset < 10,000)', kind: 'page', path: (n) => `/api/contacts?offset=${offset(n)}` },
      { name: 'accounts, the top of the hierarchy', kind: 'page', path: (n) => `/api/accounts?top=true&offset=${offset(n) % Math.max(1, top)}` },
      { name: 'accounts by last change, newest first', kind: 'sort', path: (n) => `/api/accounts?sort=-updated&offset=${offset(n)}` },
      { name: 'accounts by name, Z to A', kind: 'sort', path: (n) => `/api/accounts?sort=-name&offset=${offset(n)}` },
      { name: 'accounts by external id, descending', kind: 'sort', path: (n) => `/api/accounts?sort=-externalId&offset=${offset(n)}` },
      { name: 'accounts, search a rare name part', kind: 'search', path: (n) => `/api/accounts?q=${1 + ((n * 7919) % accounts)}5` },
      { name: 'accounts, search a common word', kind: 'search', path: (n) => `/api/accounts?q=${['retail', 'Contoso', 'health'][n % 3]}` },
      { name: 'contacts, search a surname (1 in 200)', kind: 'search', path: (n) => `/api/contacts?q=${surnames[n % surnames.length]}` },
      { name: "contacts, search an email's name part", kind: 'search', path: (n) => `/api/contacts?q=${encodeURIComponent(emailName(1 + ((n * 7919) % contacts)))}` },
      { name: 'contacts, search an email with the domain all share', kind: 'search', path: (n) => `/api/contacts?q=${encodeURIComponent(`${1 + ((n * 7919) % contacts)}@example`)}` },
      { name: 'contacts, search a full name', kind: 'search', path: (n) => `/api/contacts?q=${encodeURIComponent(`ida ${surnames[n % surnames.length]!.toLowerCase()}`)}` },
      { name: 'expand a node (its children)', kind: 'expand', path: (n) => `/api/accounts/${parent(n)}/children` },
    ];
    const figures: { scenario: Scenario; p50: number; p95: number }[] = [];
    for (const scenario of scenarios) {
      log(scenario.name);
      figures.push({ scenario, ...(await timed(requests, 10, (n) => call(scenario.path(n)))) });
    }
    const bundle = await bundleSize();

    const health = figures[0]!.p95;
    const byId = figures[1]!.p95;
    const target = (s: Scenario) => (s.kind === 'baseline' ? null : s.kind === 'expand' ? targets.expandMs : targets.searchPageMs);
    const ms = (n: number) => n.toFixed(1);
    const rows = figures.map(({ scenario, p50, p95 }) => {
      const limit = target(scenario);
      return [scenario.name, ms(p50), ms(p95), (p95 / health).toFixed(1), (p95 / byId).toFixed(2), limit === null ? '-' : `${p95 <= limit ? 'yes' : 'NO'} (${limit})`];
    });
    console.log(`\nDirectory browser API, ${accounts} accounts, ${contacts} contacts, ${requests} requests each (${server.label})\n` +
      table(['request', 'p50 ms', 'p95 ms', 'p95 / health', 'p95 / by id', 'p95 <= target ms'], rows, new Set([1, 2, 3, 4])));
    console.log(`\nConsole bundle, gzipped, without the <strategic-accounts> chunk\n` +
      table(['file', 'bytes', 'gzipped'], [...bundle.files.map((f) => [f.name, String(f.bytes), String(f.gzipped)]),
        ['total', String(bundle.files.reduce((s, f) => s + f.bytes, 0)), `${bundle.gzipped} (${(bundle.gzipped / 1024).toFixed(1)} KB; target <= ${targets.bundleKB} KB: ${bundle.gzipped / 1024 <= targets.bundleKB ? 'met' : 'MISSED'})`]],
      new Set([1, 2])));
    const met = figures.every(({ scenario, p95 }) => (target(scenario) ?? Infinity) >= p95) && bundle.gzipped / 1024 <= targets.bundleKB;
    return !met && process.env.BENCH_STRICT === '1' ? 1 : 0;
  } finally {
    if (http) {
      http.closeAllConnections();
      http.close();
    }
    await db?.close();
    await server.stop();
  }
}

/** The console's built files as the browser fetches them, each gzipped on its own; the widget's chunk is My accounts' alone. */
async function bundleSize(): Promise<{ files: { name: string; bytes: number; gzipped: number }[]; gzipped: number }> {
  await buildWidget();
  const names = (await readdir(consoleDir)).filter((name) => /\.(js|css)$/.test(name) && !name.startsWith('strategic-accounts')).sort();
  const files = await Promise.all(names.map(async (name) => {
    const content = await readFile(path.join(consoleDir, name));
    return { name, bytes: content.length, gzipped: gzipSync(content, { level: 9 }).length };
  }));
  return { files, gzipped: files.reduce((sum, f) => sum + f.gzipped, 0) };
}

process.exitCode = await main();
