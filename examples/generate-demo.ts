// Generates the bundled demo dataset for "Northwind Industrial Software" into examples/demo/.
// Everything derives from one seeded PRNG and fixed tables, so reruns are byte-identical.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'demo');

// mulberry32: tiny, well-known, and stable across Node versions (Math.random is not seedable).
let seed = 0x5eed2026;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const shuffle = <T,>(xs: T[]): T[] => xs.map((x) => [rand(), x] as const).sort((a, b) => a[0] - b[0]).map((p) => p[1]);

// Real 18-char Salesforce ids carry a case-encoding checksum; computing it keeps the ids
// indistinguishable from a genuine export for any loader that validates them.
function sfId(prefix: string, n: number): string {
  const id15 = prefix + 'Nw00' + (1679616 + n * 104729).toString(36).toUpperCase().padStart(8, '0');
  let suffix = '';
  for (let c = 0; c < 3; c++) {
    let bits = 0;
    for (let j = 0; j < 5; j++) if (/[A-Z]/.test(id15[c * 5 + j]!)) bits |= 1 << j;
    suffix += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'[bits];
  }
  return id15 + suffix;
}

// [name, industry, currency, subsidiaries: [name, currency, site names]]
type Sub = [string, string, string[]];
const FAMILIES: [string, string, string, Sub[]][] = [
  ['Helvetia Precision AG', 'Manufacturing', 'CHF', [
    ['Helvetia Precision GmbH', 'EUR', ['Helvetia Precision Stuttgart Plant', 'Helvetia Precision Dresden Tooling Division']],
    ['Helvetia Precision Inc.', 'USD', ['Helvetia Precision Ohio Machining Division']],
    ['Helvetia Precision UK Ltd', 'GBP', []]]],
  ['Great Lakes Freight Co.', 'Logistics', 'USD', [
    ['Great Lakes Freight Midwest LLC', 'USD', ['Great Lakes Freight Chicago Cross-Dock', 'Great Lakes Freight Detroit Terminal']],
    ['Great Lakes Freight Europe B.V.', 'EUR', ['Great Lakes Freight Rotterdam Hub']],
    ['Great Lakes Cold Chain LLC', 'USD', []]]],
  ['Nordic Grid Utilities Oyj', 'Utilities', 'EUR', [
    ['Nordic Grid Distribution Oy', 'EUR', ['Nordic Grid Tampere Service Center']],
    ['Nordic Grid Baltics UAB', 'EUR', ['Nordic Grid Vilnius Control Room', 'Nordic Grid Riga Field Operations']]]],
  ['Albion Medical Supplies plc', 'Healthcare', 'GBP', [
    ['Albion Medical Scotland Ltd', 'GBP', ['Albion Medical Glasgow Distribution Centre']],
    ['Albion Medical Ireland Ltd', 'EUR', []],
    ['Albion Medical Deutschland GmbH', 'EUR', ['Albion Medical Munich Diagnostics Division']]]],
  ['Harbor & Vine Retail Group', 'Retail', 'USD', [
    ['Harbor & Vine Stores LLC', 'USD', ['Harbor & Vine Northeast Region', 'Harbor & Vine Outlet Division']],
    ['Harbor & Vine E-Commerce Inc.', 'USD', ['Harbor & Vine Fulfillment Division']]]],
  ['Meridian Trust Bancorp, Inc.', 'Financial Services', 'USD', [
    ['Meridian Trust Bank N.A.', 'USD', ['Meridian Trust Commercial Lending Division']],
    ['Meridian Trust Europe S.A.', 'EUR', []]]],
];
const DELETED_ACCOUNT = 'Harbor & Vine Outlet Division';
const DUPLICATE_OWNER_ACCOUNT = 'Great Lakes Freight Europe B.V.';
// Named trajectories so the health widget has visible stories; everything else is steady.
const TREND: Record<string, 'up' | 'down' | 'few'> = {
  'Great Lakes Freight Co.': 'up', 'Nordic Grid Distribution Oy': 'up', 'Albion Medical Scotland Ltd': 'up',
  'Harbor & Vine E-Commerce Inc.': 'up', 'Helvetia Precision Inc.': 'down', 'Meridian Trust Bank N.A.': 'down',
  'Harbor & Vine Stores LLC': 'down', 'Great Lakes Freight Midwest LLC': 'down',
  'Helvetia Precision Dresden Tooling Division': 'few', 'Nordic Grid Riga Field Operations': 'few',
  'Albion Medical Munich Diagnostics Division': 'few',
};

type Account = { id: string; name: string; parent: string; level: number; industry: string; currency: string;
  domain: string; deleted: boolean; since: number };
const accounts: Account[] = [];
const domainOf = (name: string): string => name.toLowerCase().replace(/&/g, 'and')
  .replace(/\b(ag|co|oyj|plc|inc)\b\.?/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') + '.example';
const addAccount = (name: string, parent: Account | null, industry: string, currency: string): Account => {
  // Parents start early (2015-2018) so their subsidiaries have room to join later, up to 2024.
  const since = parent ? parent.since + int(0, Math.floor((Date.UTC(2024, 11, 31) - parent.since) / 864e5)) * 864e5
    : Date.UTC(2015 + int(0, 3), int(0, 11), int(1, 28));
  const a = { id: sfId('001', accounts.length), name, parent: parent?.id ?? '', level: parent ? parent.level + 1 : 1,
    industry, currency, domain: parent?.domain ?? domainOf(name), deleted: name === DELETED_ACCOUNT, since };
  accounts.push(a);
  return a;
};
for (const [name, industry, currency, subs] of FAMILIES) {
  const top = addAccount(name, null, industry, currency);
  for (const [subName, subCurrency, sites] of subs) {
    const sub = addAccount(subName, top, industry, subCurrency);
    for (const site of sites) addAccount(site, sub, industry, subCurrency);
  }
}

const csv = (header: string, rows: (string | number)[][]): string => header + '\n' + rows.map((r) => r.map((v) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}).join(',') + '\n').join('');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const TIERS = [['Strategic', 'Strategic', 'Enterprise'], ['Enterprise', 'Enterprise', 'Growth'], ['Growth', 'Growth', 'Enterprise']];
const accountRows = accounts.map((a) => {
  // The sparse-feedback accounts are kept small so "Not enough data" looks plausible there.
  const tier = TREND[a.name] === 'few' ? 'Growth' : pick(TIERS[a.level - 1]!);
  // Sites are often covered by the subsidiary's contract, so about half leave the amount empty.
  const noContract = a.level === 3 && rand() < 0.5;
  const scale = tier === 'Strategic' ? [1_500_000, 5_000_000] : tier === 'Enterprise' ? [400_000, 1_800_000] : [50_000, 450_000];
  const amount = (Math.round(int(scale[0]!, scale[1]!) / 2500) * 2500).toFixed(2);
  return [a.id, String(a.deleted), a.name, a.parent, a.industry, tier, a.currency,
    noContract ? '' : amount, noContract ? '' : pick([12, 24, 36, 36, 60]), iso(a.since)];
});
const live = accounts.filter((a) => !a.deleted);

// Contacts: "few" accounts get the minimum of 4; others at least 7 so the last quarter stays readable.
const counts = new Map(live.map((a) => [a.id, TREND[a.name] === 'few' ? 4 : 7]));
const weighted = live.filter((a) => TREND[a.name] !== 'few').flatMap((a) => Array<Account>(4 - a.level).fill(a));
for (let n = [...counts.values()].reduce((x, y) => x + y, 0); n < 320; n++) { const a = pick(weighted); counts.set(a.id, counts.get(a.id)! + 1); }

const FIRST = ['Zoë', 'Jürgen', 'Seán', 'Aoife', 'Liam', 'Emma', 'Noah', 'Olivia', 'Mateo', 'Sofía', 'Lucía', 'Hiroshi',
  'Yuki', 'Wei', 'Mei', 'Arjun', 'Priya', 'Ananya', 'Kwame', 'Amara', 'Chidi', 'Fatima', 'Omar', 'Layla', 'Lars', 'Ingrid',
  'Björn', 'Astrid', 'Aino', 'Elina', 'Pierre', 'Amélie', 'Chloé', 'Hélène', 'François', 'Giulia', 'Marco', 'Francesca',
  'Tomasz', 'Agnieszka', 'Ivan', 'Olga', 'João', 'Thiago', 'Camila', 'Diego', 'Grace', 'James', 'Sarah', 'David', 'Rachel'];
const LAST = ['Müller', 'Ångström', "O'Brien", 'Schmidt', 'Fischer', 'Weber', 'Nakamura', 'Tanaka', 'Chen', 'Wang', 'Patel',
  'Sharma', 'Iyer', 'Mensah', 'Okafor', 'Adeyemi', 'Haddad', 'Khalil', 'Nilsson', 'Johansson', 'Virtanen', 'Korhonen',
  'Dubois', 'Lefèvre', 'Girard', 'Rossi', 'Bianchi', 'Kowalski', 'Nowak', 'Petrov', 'Silva', 'Santos', 'García',
  'Fernández', 'Martínez', 'Núñez', 'Smith', 'Taylor', 'Murphy', 'Walsh', 'Cohen', 'Novak', 'Horváth', 'Jensen',
  'van der Berg', 'Costa', 'Brown', 'Kim'];
// The first three contacts carry the accented and apostrophe names so they are guaranteed to appear.
const FORCED_NAMES: [string, string][] = [['Zoë', 'Müller'], ['Lars', 'Ångström'], ['Seán', "O'Brien"]];
const TITLES: [string, string, number][] = [ // title, department ('' = any), weight
  ['Chief Executive Officer', 'Executive', 1], ['Chief Financial Officer', 'Finance', 1], ['VP Operations', 'Operations', 2],
  ['VP Engineering', 'Engineering', 2], ['Head of Procurement', 'Procurement', 2], ['Procurement Manager', 'Procurement', 3],
  ['Program Manager', 'Operations', 4], ['IT Director', 'IT', 2], ['Operations Manager', 'Operations', 5],
  ['Engineer', 'Engineering', 8], ['Analyst', '', 5], ['', '', 3]];
const DEPARTMENTS = ['Executive', 'Finance', 'Operations', 'Engineering', 'Procurement', 'IT'];
const TITLE_BAG = TITLES.flatMap((t) => Array<[string, string, number]>(t[2]).fill(t));
const ONE_PER_ACCOUNT = new Set(TITLES.slice(0, 5).map((t) => t[0]).concat('IT Director'));
const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9-]/g, '');

type Contact = { id: string; account: Account; deleted: boolean; mood: number };
const contacts: Contact[] = [];
const contactRows: string[][] = [];
const emails = new Set<string>();
for (const a of live) {
  const used = new Set<string>();
  for (let i = 0; i < counts.get(a.id)!; i++) {
    let first = '', last = '', email = '';
    do {
      [first, last] = FORCED_NAMES[contacts.length] ?? [pick(FIRST), pick(LAST)];
      email = `${fold(first)}.${fold(last)}@${a.domain}`;
    } while (emails.has(email));
    emails.add(email);
    let t: [string, string, number];
    do t = pick(TITLE_BAG); while (ONE_PER_ACCOUNT.has(t[0]) && used.has(t[0]));
    used.add(t[0]);
    const dept = t[0] === 'Analyst' ? pick(['Finance', 'Operations', 'IT']) : t[1] || pick(DEPARTMENTS);
    const c: Contact = { id: sfId('003', contacts.length), account: a, deleted: false, mood: gauss() * 0.8 };
    contacts.push(c);
    // The German-speaking sites of the Swiss family answer the demo survey in German (no draw from the PRNG, so nothing else moves).
    const language = a.name.startsWith('Helvetia Precision') && (a.currency === 'CHF' || a.currency === 'EUR') ? 'de' : 'en';
    contactRows.push([c.id, 'false', t[0], a.id, email, first, last, dept, language]);
  }
}
// Deleted contacts: the last contact of the three largest accounts, so every account keeps plenty of live ones.
[...live].sort((x, y) => counts.get(y.id)! - counts.get(x.id)! || x.id.localeCompare(y.id)).slice(0, 3).forEach((a) => {
  const idx = contacts.findLastIndex((c) => c.account === a);
  contacts[idx]!.deleted = true;
  contactRows[idx]![1] = 'true';
});

const USERS = ['Olivia Bennett', 'Marcus Lindqvist', 'Priya Raman', 'Daniel Okafor', 'Sofia Marchetti', 'Ethan Caldwell',
  'Hannah Vogel', 'Lucas Moreau', 'Aisha Rahman', 'Noah Fischer', 'Grace Whitfield', 'Mateo Alvarez']
  .map((n) => n.toLowerCase().replace(' ', '.') + '@northwind.example');
const OTHER_ROLES = ['Account Manager', 'Customer Success Manager', 'Sales Engineer', 'Technical Sales', 'Customer Support', 'Executive Sponsor'];
const teamRows: string[][] = [];
for (const a of live) {
  const users = shuffle([...USERS]);
  const roles = shuffle([...OTHER_ROLES]);
  // One account carries a second owner row on purpose: the loader keeps the first and reports the second.
  const owners = a.name === DUPLICATE_OWNER_ACCOUNT ? 2 : 1;
  const size = Math.max(int(2, 4), owners + 1);
  for (let i = 0; i < size; i++) teamRows.push([a.id, users[i]!, i < owners ? 'Account Owner' : roles[i - owners]!, 'false']);
}

// NPS runs in six quarterly waves over 18 months; a contact answers at most once per wave (0-6 answers).
const START = Date.UTC(2025, 4, 21), END = Date.UTC(2026, 10, 20, 23, 59, 59), WAVE = (END - START) / 6;
const COMMENTS = {
  low: ['Too many outages this quarter.', 'Support tickets sit for days; "urgent" means nothing to them.',
    'We are evaluating alternatives before renewal.', 'Invoices were wrong twice, still not fixed.',
    'Rollout at our second plant slipped, again.'],
  mid: ['Good overall, reporting could be faster.', 'Works well, but the UI feels dated.', 'Pricing is high for what we use.',
    'Fine. Onboarding for new sites took longer than promised.', 'Solid, though the mobile app needs work.'],
  high: ['Rollout went smoothly, the team was great.', 'Best vendor we work with.', 'The new scheduling module saves us hours every week.',
    'Our plant managers call support "the fixers".', 'Responsive team, reliable product, fair price.'],
};
const MULTILINE = 'Integration with our ERP keeps failing.\nPlease escalate before our renewal.';
const FORCED_TIMES: Record<number, string[]> = { // year boundary, non-leap February, final day
  2: ['2025-12-31T23:30:00Z', '2026-01-01T00:30:00Z'], 3: ['2026-02-28T16:45:12Z'], 5: ['2026-11-20T09:12:44Z'] };
const npsRows: string[][] = [];
let multilineUsed = false;
for (const a of live) {
  const trend = TREND[a.name];
  const base = 6.5 + rand() * 2.5;
  const [from, to] = trend === 'up' ? [4.5, 9.2] : trend === 'down' ? [8.8, 3.8] : [base, base];
  contacts.filter((c) => c.account === a && !c.deleted).forEach((c, i) => {
    for (let w = 0; w < 6; w++) {
      // The first five contacts of a normal account always answer the latest wave, so only the
      // deliberately sparse accounts fall under the widget's minimum.
      const p = trend === 'few' ? 0.15 : w === 5 && i < 5 ? 1 : 0.72;
      if (rand() >= p) continue;
      const score = Math.min(10, Math.max(0, Math.round(from + ((to - from) * w) / 5 + c.mood + gauss() * 1.3)));
      const at = FORCED_TIMES[w]?.shift() ?? iso(START + WAVE * w + Math.floor((rand() * WAVE) / 1000) * 1000);
      let comment = '';
      if (rand() < 0.25) {
        const pool = score <= 6 ? COMMENTS.low : score <= 8 ? COMMENTS.mid : COMMENTS.high;
        comment = score <= 6 && !multilineUsed ? MULTILINE : pick(pool);
        if (score <= 6) multilineUsed = true;
      }
      npsRows.push([c.id, a.id, String(score), comment, at]);
    }
  });
}
// Exports come out in time order; ties broken by contact id keep the sort total and stable.
npsRows.sort((x, y) => x[4]!.localeCompare(y[4]!) || x[0]!.localeCompare(y[0]!));

const CLIENT_ROLES: Record<string, string> = {
  'Chief Executive Officer': 'EXECUTIVE_SPONSOR', 'Chief Financial Officer': 'DECISION_MAKER', 'VP Operations': 'DECISION_MAKER',
  'VP Engineering': 'INFLUENCER', 'Head of Procurement': 'PROCUREMENT_FINANCE_PERSON', 'Procurement Manager': 'PROCUREMENT_FINANCE_PERSON',
  'Program Manager': 'PROGRAM_MANAGER', 'IT Director': 'INFLUENCER', 'Operations Manager': 'END_USER', Engineer: 'END_USER',
  Analyst: 'END_USER', '': 'ACCOUNT_MEMBER',
};
const mapping = {
  accounts: { attributes: {
    industry: { source: 'Industry', type: 'Enum', values: ['Manufacturing', 'Logistics', 'Utilities', 'Healthcare', 'Retail', 'Financial Services'] },
    tier: { source: 'Tier__c', type: 'Enum', values: ['Strategic', 'Enterprise', 'Growth'] },
    currency: { source: 'CurrencyIsoCode', type: 'String' },
    contractAmount: { source: 'Contract_Amount__c', type: 'Decimal' },
    contractTermMonths: { source: 'Contract_Term_Months__c', type: 'Integer' },
    customerSince: { source: 'Customer_Since__c', type: 'DateTime' },
  } },
  contacts: { extra: { department: 'Department', language: 'Language__c' } },
  clientRoles: { values: CLIENT_ROLES },
  managementRoles: { values: {
    'Account Owner': 'ACCOUNT_OWNER', 'Account Manager': 'ACCOUNT_EXECUTIVE', 'Customer Success Manager': 'CUSTOMER_SUCCESS_MANAGER',
    'Sales Engineer': 'SALES_ENGINEER', 'Technical Sales': 'TECHNICAL_SALES_PROFESSIONAL',
    'Customer Support': 'CUSTOMER_SUPPORT_PROFESSIONAL', 'Executive Sponsor': 'OTHER_ACCOUNT_TEAM_MEMBER',
  } },
};

// Fail loudly rather than ship a dataset that silently lost one of its deliberate properties.
const check = (ok: boolean, what: string): void => { if (!ok) throw new Error(`demo invariant broken: ${what}`); };
check(accounts.length === 36 && contacts.length === 320, 'row counts');
check(new Set(contactRows.map((r) => r[2])).size === TITLES.length, 'every title used');
check([...emails].every((e) => /^[a-z0-9.-]+@[a-z0-9.-]+$/.test(e)), 'ASCII emails');
check(multilineUsed && Object.values(FORCED_TIMES).every((l) => l.length === 0), 'forced comment and timestamps placed');

const write = (file: string, text: string): void => { mkdirSync(OUT, { recursive: true }); writeFileSync(join(OUT, file), text, 'utf8'); };
write('accounts.csv', csv('Id,IsDeleted,Name,Parent.Id,Industry,Tier__c,CurrencyIsoCode,Contract_Amount__c,Contract_Term_Months__c,Customer_Since__c', accountRows));
write('contacts.csv', csv('Id,IsDeleted,Title,Account.Id,Email,FirstName,LastName,Department,Language__c', contactRows));
write('team_members.csv', csv('Account.Id,User.Email,TeamMemberRole,IsDeleted', teamRows));
write('nps_responses.csv', csv('Contact.Id,Account.Id,Score,Comment,Responded_At', npsRows));
write('mapping.json', JSON.stringify(mapping, null, 2) + '\n');
console.log(`accounts ${accountRows.length}, contacts ${contactRows.length}, team members ${teamRows.length}, NPS responses ${npsRows.length}`);
