// Generates the load benchmark's Salesforce-shaped CSV exports under bench/.data/, streamed to
// disk (never all rows in memory) from one seeded PRNG, so every run of one scale loads the same bytes.
// Run alone: `node bench/load/generate.ts` (BENCH_SCALE=0.1 for a tenth).
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';

export const dataRoot = path.join(import.meta.dirname, '..', '.data');

/** Bump when the generated content changes, so stale files are regenerated rather than reused. */
const generatorVersion = 1;

export type Sizes = { accounts: number; contacts: number; teamMembers: number };
export type Dataset = { dir: string; files: { accounts: string; contacts: string; teamMembers: string }; sizes: Sizes; bytes: Sizes };

/** Full size: 100,000 accounts, 1,000,000 contacts, 300,000 team members (three per account). */
export function sizesFor(scale: number): Sizes {
  const accounts = Math.max(100, Math.round(100_000 * scale));
  return { accounts, contacts: Math.max(1000, Math.round(1_000_000 * scale)), teamMembers: accounts * 3 };
}

// The header rows, as a Salesforce export (Bulk API / Data Loader) writes them.
export const accountColumns = ['Id', 'IsDeleted', 'Name', 'Parent.Id', 'AnnualContractValue__c', 'Seats__c'] as const;
export const contactColumns = ['Id', 'IsDeleted', 'Title', 'Account.Id', 'Email', 'FirstName', 'LastName'] as const;
export const teamColumns = ['Account.Id', 'User.Email', 'TeamMemberRole', 'IsDeleted'] as const;

/** Every Title in the contacts file, each mapped to a client role by the benchmark's mapping. */
export const titleRoles = {
  CEO: 'EXECUTIVE_SPONSOR',
  CFO: 'DECISION_MAKER',
  'VP Operations': 'DECISION_MAKER',
  'IT Director': 'INFLUENCER',
  'Procurement Manager': 'PROCUREMENT_FINANCE_PERSON',
  Buyer: 'PROCUREMENT_FINANCE_PERSON',
  'Program Manager': 'PROGRAM_MANAGER',
  Engineer: 'END_USER',
  Analyst: 'END_USER',
  '': 'ACCOUNT_MEMBER',
} as const;
const titles = Object.keys(titleRoles);
// Salesforce's standard TeamMemberRole picklist values (the loader's default value mapping knows them).
const otherTeamRoles = ['Account Manager', 'Customer Success Manager', 'Sales Engineer', 'Technical Sales', 'Pre-Sales Consultant', 'Executive Sponsor'];

const firstNames = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Dennis', 'Sophie', 'Tim', 'Hedy', 'John', 'Katherine', 'Niklaus', 'Shafi', 'Leslie'];
const lastNames = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Ritchie', 'Wilson', "O'Reilly", 'Lamarr', 'McCarthy', 'Johnson', 'Wirth', 'Goldwasser', 'Lamport', 'van der Berg', 'Nguyen', 'García', 'Müller'];
const nameWords = ['Northwind', 'Contoso', 'Fabrikam', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Hooli', 'Vandelay', 'Wonka', 'Acme', 'Gringotts'];
const nameKinds = ['Logistics', 'Industries', 'Health', 'Bank', 'Retail', 'Energy', 'Software', 'Foods', 'Holding', 'Services'];
const nameSuffixes = ['', '', ' GmbH', ' Inc.', ', Inc.', ' Ltd', ' S.A.', ', LLC', ' "Group"', ' AG'];

// mulberry32: tiny, well-known and stable across Node versions (Math.random cannot be seeded).
function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An 18-character Salesforce-style id: key prefix, a fixed pod part and the number in base 36. */
export function sfId(prefix: string, n: number): string {
  return prefix + 'Bw0' + n.toString(36).toUpperCase().padStart(12, '0');
}

/** RFC 4180: quoted only when the value needs it. */
function csv(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes lines through a file stream in ~256 KB chunks, waiting for the disk when the stream is full. */
async function writeLines(file: string, header: readonly string[], rows: Iterable<string>): Promise<number> {
  const tmp = `${file}.partial`;
  const out = createWriteStream(tmp);
  let chunk = header.join(',') + '\n';
  let bytes = 0;
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  for (const row of rows) {
    chunk += row + '\n';
    if (chunk.length > 1 << 18) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  await rename(tmp, file);
  return bytes;
}

/** The three levels: 1% top-level accounts, 10% their subsidiaries, the rest sites under a subsidiary. */
function levelBounds(n: number) {
  const top = Math.max(1, Math.round(n * 0.01));
  const middle = Math.max(top + 1, Math.round(n * 0.11));
  return { top, middle };
}

function* accountRows(sizes: Sizes, seed: number): Generator<string> {
  const rand = prng(seed ^ 0xacc0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const { top, middle } = levelBounds(sizes.accounts);
  for (let i = 0; i < sizes.accounts; i++) {
    const parent = i < top ? '' : i < middle ? sfId('001', Math.floor(rand() * top)) : sfId('001', top + Math.floor(rand() * (middle - top)));
    const name = `${pick(nameWords)} ${pick(nameKinds)} ${i + 1}${pick(nameSuffixes)}`;
    // A Decimal with cents (sometimes empty) and an Integer (sometimes empty), as custom fields are.
    const amount = rand() < 0.05 ? '' : (Math.floor(rand() * 5_000_000_00) / 100).toFixed(2);
    const seats = rand() < 0.05 ? '' : String(1 + Math.floor(rand() * 20_000));
    yield [sfId('001', i), 'false', csv(name), parent, amount, seats].join(',');
  }
}

function* contactRows(sizes: Sizes, seed: number): Generator<string> {
  const rand = prng(seed ^ 0xc0de);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  for (let i = 0; i < sizes.contacts; i++) {
    const account = Math.floor(rand() * sizes.accounts);
    const first = pick(firstNames);
    const last = pick(lastNames);
    const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    const email = `${local}.${i}@a${account}.example.com`;
    yield [sfId('003', i), 'false', csv(pick(titles)), sfId('001', account), email, csv(first), csv(last)].join(',');
  }
}

function* teamRows(sizes: Sizes, seed: number): Generator<string> {
  const rand = prng(seed ^ 0x7ea3);
  const users = Math.max(10, Math.round(sizes.accounts / 50));
  const user = (k: number) => `${firstNames[k % firstNames.length]}.seller${k}@seller.example.com`.toLowerCase();
  for (let i = 0; i < sizes.accounts; i++) {
    // Three distinct users per account: the owner first, then two other roles.
    const owner = Math.floor(rand() * users);
    const second = (owner + 1 + Math.floor(rand() * (users - 1))) % users;
    let third = (owner + 1 + Math.floor(rand() * (users - 1))) % users;
    if (third === second) third = (second + 1) % users === owner ? (second + 2) % users : (second + 1) % users;
    const account = sfId('001', i);
    const r1 = otherTeamRoles[Math.floor(rand() * otherTeamRoles.length)]!;
    const r2 = otherTeamRoles[Math.floor(rand() * otherTeamRoles.length)]!;
    yield `${account},${user(owner)},Account Owner,false`;
    yield `${account},${user(second)},${r1},false`;
    yield `${account},${user(third)},${r2},false`;
  }
}

/** The dataset of this scale: generated when missing (or from an older generator), reused otherwise. */
export async function ensureDataset(scale: number, options: { seed?: number; log?: (message: string) => void } = {}): Promise<Dataset & { generated: boolean }> {
  const seed = options.seed ?? 20261125;
  const sizes = sizesFor(scale);
  const dir = path.join(dataRoot, `csv-${sizes.contacts}`);
  const files = { accounts: path.join(dir, 'accounts.csv'), contacts: path.join(dir, 'contacts.csv'), teamMembers: path.join(dir, 'team_members.csv') };
  const manifestFile = path.join(dir, 'manifest.json');
  const wanted = { generatorVersion, seed, sizes };
  if (existsSync(manifestFile) && Object.values(files).every((f) => existsSync(f))) {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as typeof wanted & { bytes: Sizes };
    if (JSON.stringify({ generatorVersion: manifest.generatorVersion, seed: manifest.seed, sizes: manifest.sizes }) === JSON.stringify(wanted)) {
      return { dir, files, sizes, bytes: manifest.bytes, generated: false };
    }
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  options.log?.(`generating ${sizes.accounts} accounts, ${sizes.contacts} contacts, ${sizes.teamMembers} team members into ${path.relative(process.cwd(), dir)}`);
  const bytes: Sizes = {
    accounts: await writeLines(files.accounts, accountColumns, accountRows(sizes, seed)),
    contacts: await writeLines(files.contacts, contactColumns, contactRows(sizes, seed)),
    teamMembers: await writeLines(files.teamMembers, teamColumns, teamRows(sizes, seed)),
  };
  // Written last: a run interrupted mid-generation leaves no manifest, so the next one starts over.
  await writeFile(manifestFile, JSON.stringify({ ...wanted, bytes }, null, 2) + '\n');
  return { dir, files, sizes, bytes, generated: true };
}

if (import.meta.main) {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  const started = performance.now();
  const dataset = await ensureDataset(scale, { log: console.log });
  console.log(`${dataset.generated ? 'generated' : 'already present'}: ${dataset.dir} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
