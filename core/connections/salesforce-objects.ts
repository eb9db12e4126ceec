import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';
import type { SourceKind } from '../records/source.ts';

/**
 * The Salesforce object behind each directory source, and the fields SPEC.md requires of it.
 * Relationship fields are selected by path (`Parent.Id`), which is also the column name both
 * Bulk API 2.0 and the CSV exports use, so a Salesforce extract and an export file look alike.
 */
export const salesforceObjects = {
  accounts: { object: 'Account', required: ['Id', 'IsDeleted', 'Name', 'Parent.Id'] },
  contacts: { object: 'Contact', required: ['Id', 'IsDeleted', 'Title', 'Account.Id', 'Email', 'FirstName', 'LastName'] },
  teamMembers: { object: 'AccountTeamMember', required: ['Account.Id', 'User.Email', 'TeamMemberRole', 'IsDeleted'] },
} as const satisfies Record<SourceKind, { object: string; required: readonly string[] }>;

export type SalesforceObjectName = (typeof salesforceObjects)[SourceKind]['object'];

/** Selected on every object besides the admin's fields: the record's Id, and the stamp incremental extracts follow. */
const alwaysSelected = ['Id', 'SystemModstamp'];

/** One object's extract options: the fields (required ones included), a list view, a full resync. */
export const salesforceObjectOptions = z.strictObject({
  /** Unset: the required fields. Set: every field to select, the required ones among them. */
  fields: z.array(z.string().regex(/^[A-Za-z]\w*(\.[A-Za-z]\w*)?$/, 'a field name or a relationship path such as Parent.Id')).min(1).optional(),
  /** A list view's id or API name (developer name): only its records are extracted. */
  listView: z.string().min(1).optional(),
  /** Extract every record again instead of what changed since the last run. */
  fullResync: z.boolean().optional(),
});
export type SalesforceObjectOptions = z.infer<typeof salesforceObjectOptions>;

/** The required fields a field list leaves out; empty when it keeps them all. */
export function missingRequiredFields(kind: SourceKind, fields: readonly string[] | undefined): string[] {
  if (fields === undefined) return [];
  const chosen = new Set(fields.map((f) => f.toLowerCase()));
  return salesforceObjects[kind].required.filter((f) => !chosen.has(f.toLowerCase()));
}

/** The select list of an object: its required fields, the admin's extra ones, Id and SystemModstamp, each once. */
export function selectList(kind: SourceKind, fields: readonly string[] | undefined): string[] {
  const missing = missingRequiredFields(kind, fields);
  if (missing.length > 0) {
    throw new AppError(ErrorCode.SALESFORCE_CONFIG_INVALID, `${salesforceObjects[kind].object}: the required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} cannot be left out`);
  }
  const list: string[] = [];
  for (const field of [...salesforceObjects[kind].required, ...(fields ?? []), ...alwaysSelected]) {
    if (!list.some((f) => f.toLowerCase() === field.toLowerCase())) list.push(field);
  }
  return list;
}

export type DescribedField = { name: string; type: string; compoundFieldName: string | null; relationshipName: string | null; referenceTo: string[] };

/**
 * Checks a select list against the object's describe: every field exists (a relationship path
 * starts at a lookup's relationship name), and none is compound (BillingAddress, Name of a
 * Contact), which neither Bulk API 2.0 nor the directory can take; the refusal names its parts.
 */
export function checkFields(object: string, fields: readonly string[], described: readonly DescribedField[]): void {
  const byName = new Map(described.map((f) => [f.name.toLowerCase(), f]));
  const problems: string[] = [];
  for (const field of fields) {
    const [head, rest] = field.split('.');
    if (rest !== undefined) {
      if (!described.some((f) => f.relationshipName?.toLowerCase() === head!.toLowerCase())) {
        problems.push(`${field}: ${object} has no relationship named ${head}`);
      }
      continue;
    }
    const found = byName.get(field.toLowerCase());
    if (!found) {
      problems.push(`${field}: ${object} has no such field${field.endsWith('__c') ? '' : ' (custom fields end in __c)'}`);
      continue;
    }
    const components = described.filter((f) => f.compoundFieldName === found.name).map((f) => f.name);
    if (components.length > 0 || found.type === 'address' || found.type === 'location') {
      problems.push(`${found.name} is a compound field and cannot be extracted; select its components instead: ${components.join(', ')}`);
    }
  }
  if (problems.length > 0) throw new AppError(ErrorCode.SALESFORCE_CONFIG_INVALID, `${object}: ${problems.join('; ')}`);
}
