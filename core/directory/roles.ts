/** Client role names a contact can hold on an account (mapped from the contact's Title). */
export const ClientRole = {
  DECISION_MAKER: 'DECISION_MAKER',
  INFLUENCER: 'INFLUENCER',
  PROCUREMENT_FINANCE_PERSON: 'PROCUREMENT_FINANCE_PERSON',
  PROGRAM_MANAGER: 'PROGRAM_MANAGER',
  EXECUTIVE_SPONSOR: 'EXECUTIVE_SPONSOR',
  END_USER: 'END_USER',
  ACCOUNT_MEMBER: 'ACCOUNT_MEMBER',
} as const;
export type ClientRole = (typeof ClientRole)[keyof typeof ClientRole];

/** Account management role names a seller's user can hold (mapped from TeamMemberRole). */
export const ManagementRole = {
  ACCOUNT_EXECUTIVE: 'ACCOUNT_EXECUTIVE',
  ACCOUNT_OWNER: 'ACCOUNT_OWNER',
  CUSTOMER_SUCCESS_MANAGER: 'CUSTOMER_SUCCESS_MANAGER',
  TECHNICAL_SALES_PROFESSIONAL: 'TECHNICAL_SALES_PROFESSIONAL',
  SALES_ENGINEER: 'SALES_ENGINEER',
  CUSTOMER_SUPPORT_PROFESSIONAL: 'CUSTOMER_SUPPORT_PROFESSIONAL',
  OTHER_ACCOUNT_TEAM_MEMBER: 'OTHER_ACCOUNT_TEAM_MEMBER',
} as const;
export type ManagementRole = (typeof ManagementRole)[keyof typeof ManagementRole];

/** A role name in words: DECISION_MAKER is "Decision Maker". */
export function roleLabel(role: string): string {
  return role
    .toLowerCase()
    .split('_')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** A value mapped to SKIP leaves its row out: counted as skipped, not an error. */
export const SKIP = 'SKIP';
export type Skip = typeof SKIP;

/** Value mappings are matched on trimmed, case-insensitive text, so "Account Owner" and "account owner" are one value. */
export function roleKey(value: string): string {
  return value.trim().toLowerCase();
}

/** Every role name maps to itself, written either as the constant or as words ("Account Owner"). */
function identityValues<R extends string>(roles: Record<string, R>): Record<string, R> {
  const values: Record<string, R> = {};
  for (const role of Object.values(roles)) {
    values[roleKey(role)] = role;
    values[roleKey(role.replaceAll('_', ' '))] = role;
  }
  return values;
}

export const defaultClientRoleValues: Readonly<Record<string, ClientRole>> = identityValues(ClientRole);

/** Salesforce's standard TeamMemberRole picklist values, plus the role names themselves. */
export const defaultManagementRoleValues: Readonly<Record<string, ManagementRole>> = {
  ...identityValues(ManagementRole),
  'account manager': 'ACCOUNT_EXECUTIVE',
  'sales rep': 'ACCOUNT_EXECUTIVE',
  'sales manager': 'ACCOUNT_EXECUTIVE',
  'technical sales': 'TECHNICAL_SALES_PROFESSIONAL',
  'pre-sales consultant': 'SALES_ENGINEER',
  'executive sponsor': 'OTHER_ACCOUNT_TEAM_MEMBER',
  'channel manager': 'OTHER_ACCOUNT_TEAM_MEMBER',
  'lead qualifier': 'OTHER_ACCOUNT_TEAM_MEMBER',
};
