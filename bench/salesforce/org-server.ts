// The Salesforce stand-in of bench:salesforce, in a process of its own so its memory is not the
// extract's: `node bench/salesforce/org-server.ts --scale=1` (forked with IPC by run.ts).
// It generates the org from a seeded PRNG (the same records every run): at full size 100,000
// accounts in a 3-level hierarchy (with a currency and a number field), 1,000,000 contacts, 300,000 account team members (an owner and
// two more roles per account) of 2,000 users. It sends {url, sizes, user} when it listens; a message
// {change: share} changes that share of each object (a quarter of it deleted, the rest updated) and
// answers {changed}; {purge: share} hard deletes that share of the contacts and team members (gone
// even from queryAll, as after the recycle bin is emptied) and answers {purged}.
import { parseArgs } from 'node:util';
import { startStandIn, type SalesforceStandIn } from '../../test/helpers/salesforce/stand-in.ts';

export const titles = ['Chief Executive Officer', 'Procurement Manager', 'Program Manager', 'Engineer', 'Analyst', ''] as const;
const roles = ['Account Manager', 'Sales Rep', 'Technical Sales', 'Executive Sponsor', 'Pre-Sales Consultant'] as const;

export type OrgSizes = { accounts: number; contacts: number; teamMembers: number };
export type OrgMessage = { url: string; sizes: OrgSizes; user: { username: string; password: string; securityToken?: string } } | { changed: OrgSizes } | { purged: OrgSizes };

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(standIn: SalesforceStandIn, scale: number): { sizes: OrgSizes; ids: Record<keyof OrgSizes, string[]> } {
  const random = mulberry32(20261125);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const org = standIn.org;
  // Number fields, which REST and Bulk write differently (12500 and 12500.0): a resync through the other API must change nothing.
  org.addField('Account', 'AnnualContractValue__c', 'currency');
  org.addField('Account', 'Seats__c', 'double');
  const sizes = { accounts: Math.round(100_000 * scale), contacts: Math.round(1_000_000 * scale), teamMembers: 0 };
  const users = Array.from({ length: Math.max(10, Math.round(2000 * scale)) }, (_, i) => org.insert('User', { Email: `user${i}@seller.example`, Name: `User ${i}` }));
  const accounts: string[] = [];
  const top = Math.max(1, Math.round(sizes.accounts * 0.01));
  const subsidiaries = Math.round(sizes.accounts * 0.1);
  for (let i = 0; i < sizes.accounts; i++) {
    const parent = i < top ? null : i < top + subsidiaries ? accounts[Math.floor(random() * top)]! : accounts[top + Math.floor(random() * subsidiaries)]!;
    const numbers = { AnnualContractValue__c: random() < 0.05 ? null : Math.round(random() * 100_000_000) / 100, Seats__c: random() < 0.05 ? null : Math.floor(random() * 5000) };
    accounts.push(org.insert('Account', { Name: `Account ${i}`, ParentId: parent, Industry: pick(['Banking', 'Retail', 'Energy']), ...numbers }));
  }
  const contacts: string[] = [];
  for (let i = 0; i < sizes.contacts; i++) {
    contacts.push(org.insert('Contact', { FirstName: `First${i}`, LastName: `Last${i}`, Email: `contact${i}@client.example`, Title: pick(titles), AccountId: accounts[Math.floor(random() * accounts.length)]! }));
  }
  const teamMembers: string[] = [];
  for (let a = 0; a < accounts.length; a++) {
    const first = Math.floor(random() * users.length);
    for (let k = 0; k < 3; k++) {
      const role = k === 0 ? 'Account Owner' : pick(roles);
      teamMembers.push(org.insert('AccountTeamMember', { AccountId: accounts[a]!, UserId: users[(first + k) % users.length]!, TeamMemberRole: role }));
    }
  }
  sizes.teamMembers = teamMembers.length;
  return { sizes, ids: { accounts, contacts, teamMembers } };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } });
  const standIn = await startStandIn();
  const { sizes, ids } = generate(standIn, Number(values.scale));
  const random = mulberry32(7);
  process.on('message', (message: { change: number } | { purge: number }) => {
    if ('purge' in message) {
      const purged = { accounts: 0, contacts: 0, teamMembers: 0 };
      const objects = { contacts: 'Contact', teamMembers: 'AccountTeamMember' } as const;
      for (const kind of ['contacts', 'teamMembers'] as const) {
        const live = ids[kind].filter((id) => standIn.org.records.get(objects[kind])!.get(id)?.IsDeleted === false);
        for (let n = 0; n < Math.round(live.length * message.purge); n++) {
          standIn.org.purge(objects[kind], live.splice(Math.floor(random() * live.length), 1)[0]!);
          purged[kind]++;
        }
      }
      return void process.send!({ purged });
    }
    const changed = { accounts: 0, contacts: 0, teamMembers: 0 };
    const objects = { accounts: 'Account', contacts: 'Contact', teamMembers: 'AccountTeamMember' } as const;
    for (const kind of ['accounts', 'contacts', 'teamMembers'] as const) {
      const list = ids[kind];
      const count = Math.round(list.length * message.change);
      for (let n = 0; n < count; n++) {
        const id = list[Math.floor(random() * list.length)]!;
        // Accounts are renamed, never deleted: a deleted account would take its contacts' roles along.
        if (kind !== 'accounts' && n % 4 === 0) standIn.org.delete(objects[kind], id);
        else if (kind === 'accounts') standIn.org.update('Account', id, { Name: `Account ${id} renamed` });
        else if (kind === 'contacts') standIn.org.update('Contact', id, { LastName: `Changed${n}` });
        else standIn.org.update('AccountTeamMember', id, { TeamMemberRole: 'Executive Sponsor' });
        changed[kind]++;
      }
    }
    process.send!({ changed });
  });
  process.send!({ url: standIn.url, sizes, user: standIn.user });
}
