import assert from 'node:assert/strict';
import type { Db } from '../../../core/db.ts';
import type { MappingInput } from '../../../core/directory/mapping-input.ts';
import { openLocalFiles, type LocalFiles } from '../../../worker/extract/local-files.ts';
import { loadDirectory } from '../../../worker/load/load-directory.ts';
import { accountHeader, contactHeader, mirrorSnapshot, teamHeader, tempDir, writeCsv } from '../../helpers/files.ts';
import { testDatabase } from '../../helpers/hooks.ts';

/*
 * The rule behind the loader: after any sequence of runs, the directory equals a fresh load of
 * the latest source (full exports here, so a row the files no longer hold is gone too). A seeded random sequence of source changes is loaded step by step into one
 * directory, and after each step the same files into a fresh directory; both must say the same.
 * MIRROR_SEED=<n> replays a sequence; MIRROR_STEPS sets its length.
 */

const seed = Number(process.env.MIRROR_SEED ?? Math.floor(Math.random() * 2 ** 31));
const steps = Number(process.env.MIRROR_STEPS ?? 40);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(state: number) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mapping: MappingInput = {
  clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR', Buyer: 'PROCUREMENT_FINANCE_PERSON', '': 'ACCOUNT_MEMBER', Intern: 'SKIP' } },
};
const titles = ['CEO', 'Buyer', '', 'Wizard', 'Intern'];
const teamRoles = ['Account Owner', 'Sales Rep', 'Customer Success Manager', 'Bogus'];

type Account = { id: string; deleted: boolean; name: string; parent: string };
type Contact = { id: string; deleted: boolean; title: string; account: string; email: string; first: string; last: string };
type Member = { account: string; email: string; role: string; deleted: boolean };

/** The source: three files' rows in file order, changed one step at a time. */
class Source {
  readonly accounts: Account[] = [];
  readonly contacts: Contact[] = [];
  readonly team: Member[] = [];
  #next = 0;
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  #pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.#random() * items.length)];
  }

  #id(prefix: string): string {
    return `${prefix}${String(++this.#next).padStart(3, '0')}`;
  }

  #anyAccount(): string {
    return this.#pick(this.accounts)?.id ?? '';
  }

  #drop<T>(rows: T[], name: (row: T) => string): string | undefined {
    const row = this.#pick(rows);
    if (!row) return undefined;
    rows.splice(rows.indexOf(row), 1);
    return `drop ${name(row)} from the export`;
  }

  /** One change, named for the test's message. */
  change(): string {
    const liveAccounts = this.accounts.filter((a) => !a.deleted);
    const liveContacts = this.contacts.filter((c) => !c.deleted);
    const liveMembers = this.team.filter((m) => !m.deleted);
    const moves: [number, () => string | undefined][] = [
      [3, () => {
        const a = { id: this.#id('001'), deleted: false, name: `Account ${this.#next}`, parent: this.#random() < 0.5 ? this.#anyAccount() : '' };
        this.accounts.push(a);
        return `insert account ${a.id} under ${a.parent || 'none'}`;
      }],
      [1, () => {
        const a = this.#pick(liveAccounts);
        if (!a) return undefined;
        a.name = `${a.name}'`;
        return `rename account ${a.id}`;
      }],
      [1, () => {
        const a = this.#pick(liveAccounts);
        if (!a) return undefined;
        a.deleted = true;
        return `delete account ${a.id}`;
      }],
      [2, () => {
        const a = this.#pick(liveAccounts);
        if (!a) return undefined;
        a.parent = this.#random() < 0.2 ? '' : this.#anyAccount();
        if (a.parent === a.id) a.parent = '';
        return `reparent account ${a.id} under ${a.parent || 'none'}`;
      }],
      [3, () => {
        const n = ++this.#next;
        const c = { id: `003${String(n).padStart(3, '0')}`, deleted: false, title: this.#pick(titles)!, account: this.#random() < 0.1 ? '' : this.#anyAccount(), email: `p${n}@client.example`, first: 'P', last: `${n}` };
        this.contacts.push(c);
        return `insert contact ${c.id} at ${c.account || 'none'} as "${c.title}"`;
      }],
      [1, () => {
        const c = this.#pick(liveContacts);
        if (!c) return undefined;
        c.last = `${c.last}'`;
        return `rename contact ${c.id}`;
      }],
      [1, () => {
        const c = this.#pick(liveContacts);
        if (!c) return undefined;
        c.deleted = true;
        return `delete contact ${c.id}`;
      }],
      [2, () => {
        const c = this.#pick(liveContacts);
        if (!c) return undefined;
        c.title = this.#pick(titles)!;
        return `retitle contact ${c.id} "${c.title}"`;
      }],
      [1, () => {
        const c = this.#pick(liveContacts);
        if (!c) return undefined;
        c.account = this.#anyAccount();
        return `move contact ${c.id} to ${c.account || 'none'}`;
      }],
      [2, () => {
        const account = this.#anyAccount();
        if (!account) return undefined;
        const email = `s${Math.floor(this.#random() * 4)}@seller.example`;
        if (this.team.some((m) => m.account === account && m.email === email)) return undefined;
        const m = { account, email, role: this.#pick(teamRoles)!, deleted: false };
        this.team.push(m);
        return `add ${email} to ${account} as ${m.role}`;
      }],
      [2, () => {
        const m = this.#pick(liveMembers);
        if (!m) return undefined;
        m.role = this.#pick(teamRoles)!;
        return `make ${m.email} ${m.role} of ${m.account}`;
      }],
      [1, () => {
        const m = this.#pick(liveMembers);
        if (!m) return undefined;
        m.deleted = true;
        return `remove ${m.email} from ${m.account}`;
      }],
      // Hard deletes: the export no longer holds the row at all.
      [1, () => this.#drop(this.accounts, (a) => `account ${a.id}`)],
      [1, () => this.#drop(this.contacts, (c) => `contact ${c.id}`)],
      [1, () => this.#drop(this.team, (m) => `${m.email} at ${m.account}`)],
    ];
    const total = moves.reduce((sum, [weight]) => sum + weight, 0);
    for (;;) {
      let roll = this.#random() * total;
      const move = moves.find(([weight]) => (roll -= weight) < 0)![1];
      const done = move();
      if (done) return done;
    }
  }

  async write(dir: string): Promise<LocalFiles> {
    const flag = (deleted: boolean) => String(deleted);
    return {
      accounts: await writeCsv(dir, 'accounts.csv', [accountHeader, ...this.accounts.map((a) => [a.id, flag(a.deleted), a.name, a.parent])]),
      contacts: await writeCsv(dir, 'contacts.csv', [contactHeader, ...this.contacts.map((c) => [c.id, flag(c.deleted), c.title, c.account, c.email, c.first, c.last])]),
      teamMembers: await writeCsv(dir, 'team.csv', [teamHeader, ...this.team.map((m) => [m.account, m.email, m.role, flag(m.deleted)])]),
    };
  }
}

describe(`the directory after any sequence of runs (MIRROR_SEED=${seed})`, function () {
  this.timeout(600_000);
  let db: Db;

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
  });

  it(`equals a fresh load of the latest source, after each of ${steps} random changes`, async () => {
    console.log(`    MIRROR_SEED=${seed}`);
    const source = new Source(prng(seed));
    const dir = await tempDir();
    const history: string[] = [];
    const load = async (directoryId: number, files: LocalFiles) => {
      const result = await loadDirectory(db, {
        directoryId, sourceLabel: 'files', openSources: () => openLocalFiles(files), mapping, fullExport: ['accounts', 'contacts', 'teamMembers'],
      });
      assert.equal(result.state, 'succeeded', `${result.error?.message}; MIRROR_SEED=${seed}, after:\n${history.join('\n')}`);
    };
    for (let step = 1; step <= steps; step++) {
      history.push(`${step}. ${source.change()}`);
      const files = await source.write(dir);
      await load(1, files);
      const [fresh] = await db.query<{ id: number }>(`insert into directories (name) values ($1) returning id::int`, [`fresh ${step}`]);
      await load(fresh!.id, files);
      const [incremental, full] = [await mirrorSnapshot(db, 1), await mirrorSnapshot(db, fresh!.id)];
      const why = `MIRROR_SEED=${seed}, after:\n${history.join('\n')}`;
      assert.deepEqual({ ...incremental, deleted: undefined }, { ...full, deleted: undefined }, why);
      // A row the source rejects now is removed and kept as deleted, where a fresh load never had it.
      for (const object of ['accounts', 'contacts', 'managementRoles'] as const) {
        const missing = full.deleted[object].filter((key) => !incremental.deleted[object].includes(key));
        assert.deepEqual(missing, [], `${object} deleted in a fresh load but not after the runs; ${why}`);
      }
    }
  });
});
