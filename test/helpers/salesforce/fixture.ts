import { createHeadlessConnection } from '../../../core/connections/salesforce.ts';
import type { Db } from '../../../core/db.ts';
import { secretBox } from '../../../core/secret-box.ts';
import type { SalesforceStandIn } from './stand-in.ts';

export const testBox = secretBox('a-test-secret-key-of-32-characters!');

/** Connects the stand-in's org headless (username-password through the Connected App); its connection id. */
export async function connectStandIn(db: Db, standIn: SalesforceStandIn, name = 'Production'): Promise<number> {
  const { username, password, securityToken } = standIn.user;
  const connection = await createHeadlessConnection(db, testBox, {
    flow: 'password',
    name,
    loginUrl: standIn.url,
    username,
    password,
    ...(securityToken ? { securityToken } : {}),
    clientId: standIn.app.clientId,
    clientSecret: standIn.app.clientSecret,
  });
  return connection.id;
}

/**
 * A small company in the stand-in's org: Acme with its subsidiary Beta, a contact at each, and
 * an account owner on Acme. Returns the record ids.
 */
export function seedCompany(standIn: SalesforceStandIn) {
  const org = standIn.org;
  const owner = org.insert('User', { Email: 'olive@us.example', Name: 'Olive Owner' });
  const seller = org.insert('User', { Email: 'sam@us.example', Name: 'Sam Seller' });
  const acme = org.insert('Account', { Name: 'Acme', ParentId: null, Industry: 'Banking' });
  const beta = org.insert('Account', { Name: 'Beta', ParentId: acme, Industry: 'Retail' });
  const ada = org.insert('Contact', { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@acme.example', Title: 'CEO', AccountId: acme });
  const bob = org.insert('Contact', { FirstName: 'Bob', LastName: 'Builder', Email: 'bob@beta.example', Title: '', AccountId: beta });
  const ownerRole = org.insert('AccountTeamMember', { AccountId: acme, UserId: owner, TeamMemberRole: 'Account Owner' });
  const sellerRole = org.insert('AccountTeamMember', { AccountId: beta, UserId: seller, TeamMemberRole: 'Sales Rep' });
  return { owner, seller, acme, beta, ada, bob, ownerRole, sellerRole };
}

/** Client role values for the seeded titles. */
export const companyMapping = { clientRoles: { values: { CEO: 'EXECUTIVE_SPONSOR' as const, '': 'ACCOUNT_MEMBER' as const } } };

export const allObjects = { accounts: {}, contacts: {}, teamMembers: {} };
