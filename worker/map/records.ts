import type { RawRecord, RawRecordError, SourceKind } from '../../core/records/source.ts';
import { coerceAttribute, type AttributeValue } from '../../core/directory/attributes.ts';
import { mapValue, type Mapping } from './mapping.ts';
import { SKIP, type ClientRole, type ManagementRole } from '../../core/directory/roles.ts';
import { RowErrorCode, SKIPPED_VALUE, type DirectoryObject, type RowError } from './row-error.ts';

/*
 * Pure mapping of one raw source record to directory rows, or to the reason it cannot be loaded.
 * A record of a deleted object needs only its key: its other fields are not checked.
 */

export type AccountRow = {
  line: number;
  externalId: string;
  displayName: string;
  attributes: Record<string, AttributeValue>;
  isDeleted: boolean;
  /** Absent when the hierarchy is not mapped; null for a top-level account. */
  parentExternalId?: string | null;
};

export type ContactRow = {
  line: number;
  externalId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  attributes: Record<string, string | null>;
  isDeleted: boolean;
  /** Present when client roles are mapped: the contact's account (null when it names none), and its role there (null when the title did not map). */
  clientRole?: { accountExternalId: string | null; roleName: ClientRole | null };
};

export type ManagementRoleRow = {
  line: number;
  accountExternalId: string;
  userEmail: string;
  roleName: ManagementRole;
  isDeleted: boolean;
};

export type Mapped<R> = { ok: true; row: R; warnings: RowError[] } | { ok: false; error: RowError };

/** The directory object a source's unreadable or repeated records are reported under. */
export const primaryObject: Record<SourceKind, DirectoryObject> = {
  accounts: 'accounts',
  contacts: 'contacts',
  teamMembers: 'managementRoles',
};

/** A record the source could not parse is a row error of the first object its source feeds. */
export function unreadableRow(kind: SourceKind, item: RawRecordError): RowError {
  return {
    object: primaryObject[kind],
    origin: item.origin,
    recordId: null,
    field: null,
    code: RowErrorCode.UNREADABLE_ROW,
    message: `${item.code}: ${item.message}`,
  };
}

class RowRejected extends Error {
  readonly rowError: RowError;
  constructor(rowError: RowError) {
    super(rowError.message);
    this.rowError = rowError;
  }
}

/** Reads fields of one record; each failed check throws the row error it names. */
class RecordReader {
  readonly #record: RawRecord;
  readonly #object: DirectoryObject;
  readonly #recordId: () => string | null;

  constructor(record: RawRecord, object: DirectoryObject, recordId: () => string | null) {
    this.#record = record;
    this.#object = object;
    this.#recordId = recordId;
  }

  reject(field: string | null, code: RowErrorCode | typeof SKIPPED_VALUE, message: string): never {
    throw new RowRejected({ object: this.#object, origin: this.#record.origin, recordId: this.#recordId(), field, code, message });
  }

  text(column: string): string {
    return this.#record.values[column] ?? '';
  }

  optional(column: string): string | null {
    const value = this.text(column).trim();
    return value === '' ? null : value;
  }

  /** A value kept as the source has it, spaces included; null when it is blank. */
  kept(column: string): string | null {
    const value = this.text(column);
    return value.trim() === '' ? null : value;
  }

  /** A required value kept as the source has it, spaces included. */
  keptRequired(column: string): string {
    return this.kept(column) ?? this.reject(column, RowErrorCode.REQUIRED_VALUE, `${column} is empty`);
  }

  required(column: string): string {
    return this.text(column).trim() || this.reject(column, RowErrorCode.REQUIRED_VALUE, `${column} is empty`);
  }

  boolean(column: string): boolean {
    const value = this.text(column).trim().toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0' || value === '') return false;
    return this.reject(column, RowErrorCode.INVALID_BOOLEAN, `${column} "${this.text(column)}" is not true or false`);
  }
}

function attempt<R>(fn: () => Mapped<R>): Mapped<R> {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RowRejected) return { ok: false, error: error.rowError };
    throw error;
  }
}

/** Mostly-permissive on purpose: a directory must accept real-world addresses, but not obvious typos. */
const emailPattern = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]{2,}$/;

export function mapAccount(record: RawRecord, mapping: NonNullable<Mapping['accounts']>, hierarchy: Mapping['hierarchy']): Mapped<AccountRow> {
  const f = mapping.fields;
  const r = new RecordReader(record, 'accounts', () => record.values[f.accountExternalReferenceId]?.trim() || null);
  return attempt(() => {
    const externalId = r.required(f.accountExternalReferenceId);
    const isDeleted = r.boolean(f.isDeleted);
    const row: AccountRow = { line: record.origin.line, externalId, displayName: '', attributes: {}, isDeleted };
    // A deleted account's place in the hierarchy is deleted with it.
    if (hierarchy && isDeleted) row.parentExternalId = null;
    if (isDeleted) return { ok: true, row, warnings: [] };
    row.displayName = r.keptRequired(f.displayName);
    for (const definition of mapping.attributes) {
      const coerced = coerceAttribute(definition, r.text(definition.source));
      if (!coerced.ok) r.reject(definition.source, RowErrorCode.INVALID_ATTRIBUTE, `${definition.name}: ${coerced.message}`);
      else row.attributes[definition.name] = coerced.value;
    }
    if (hierarchy) row.parentExternalId = r.optional(hierarchy.fields.accountParentExternalReferenceId);
    return { ok: true, row, warnings: [] };
  });
}

export function mapContact(record: RawRecord, mapping: NonNullable<Mapping['contacts']>, roles: Mapping['clientRoles']): Mapped<ContactRow> {
  const f = mapping.fields;
  const r = new RecordReader(record, 'contacts', () => record.values[f.contactExternalReferenceId]?.trim() || null);
  return attempt(() => {
    const externalId = r.required(f.contactExternalReferenceId);
    const isDeleted = r.boolean(f.isDeleted);
    const row: ContactRow = { line: record.origin.line, externalId, firstName: null, lastName: null, email: null, attributes: {}, isDeleted };
    if (isDeleted) return { ok: true, row, warnings: [] };
    row.firstName = r.kept(f.firstName);
    row.lastName = r.kept(f.lastName);
    row.email = r.optional(f.email);
    if (row.email !== null && (row.email.length > 254 || !emailPattern.test(row.email))) {
      r.reject(f.email, RowErrorCode.INVALID_EMAIL, `${f.email} "${row.email}" is not a valid email address`);
    }
    for (const [name, column] of Object.entries(mapping.extra)) row.attributes[name] = r.kept(column);
    const warnings: RowError[] = [];
    if (roles) row.clientRole = clientRole(r, record, externalId, roles, warnings);
    return { ok: true, row, warnings };
  });
}

/** A contact without an account, or whose title maps to no role, is still a contact: only its client role is left out, with a warning. */
function clientRole(r: RecordReader, record: RawRecord, externalId: string, roles: NonNullable<Mapping['clientRoles']>, warnings: RowError[]): NonNullable<ContactRow['clientRole']> {
  const warn = (field: string, code: RowErrorCode | typeof SKIPPED_VALUE, message: string) => warnings.push({ object: 'clientRoles', origin: record.origin, recordId: externalId, field, code, message });
  const accountExternalId = r.optional(roles.fields.accountExternalReferenceId);
  if (accountExternalId === null) {
    warn(roles.fields.accountExternalReferenceId, RowErrorCode.NO_ACCOUNT, `${roles.fields.accountExternalReferenceId} is empty: the contact loads without a client role`);
    return { accountExternalId, roleName: null };
  }
  const title = r.text(roles.fields.roleName);
  const roleName = mapValue(roles, title);
  if (roleName === SKIP) {
    warn(roles.fields.roleName, SKIPPED_VALUE, `${roles.fields.roleName} "${title}" is mapped to SKIP`);
    return { accountExternalId, roleName: null };
  }
  if (roleName === null) warn(roles.fields.roleName, RowErrorCode.UNMAPPED_ROLE, `${roles.fields.roleName} "${title}" has no client role in the value mapping`);
  return { accountExternalId, roleName };
}

export function mapManagementRole(record: RawRecord, mapping: NonNullable<Mapping['managementRoles']>): Mapped<ManagementRoleRow> {
  const f = mapping.fields;
  const r = new RecordReader(record, 'managementRoles', () => {
    const account = record.values[f.accountExternalReferenceId]?.trim();
    const user = record.values[f.userEmail]?.trim().toLowerCase();
    return account && user ? `${account}/${user}` : null;
  });
  return attempt(() => {
    const accountExternalId = r.required(f.accountExternalReferenceId);
    const userEmail = r.required(f.userEmail).toLowerCase();
    const isDeleted = r.boolean(f.isDeleted);
    if (!emailPattern.test(userEmail)) r.reject(f.userEmail, RowErrorCode.INVALID_EMAIL, `${f.userEmail} "${userEmail}" is not a valid email address`);
    const roleText = r.text(f.roleName);
    const roleName = mapValue(mapping, roleText);
    if (!isDeleted && roleName === SKIP) r.reject(f.roleName, SKIPPED_VALUE, `${f.roleName} "${roleText}" is mapped to SKIP`);
    if (!isDeleted && roleName === null) {
      r.reject(f.roleName, RowErrorCode.UNMAPPED_ROLE, `${f.roleName} "${roleText}" has no account management role in the value mapping`);
    }
    // A deleted member needs no role of its own: the one stored stays beside its deletion.
    const kept = roleName === null || roleName === SKIP ? 'OTHER_ACCOUNT_TEAM_MEMBER' : roleName;
    return { ok: true, row: { line: record.origin.line, accountExternalId, userEmail, roleName: kept, isDeleted }, warnings: [] };
  });
}
