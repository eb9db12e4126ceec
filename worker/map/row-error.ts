import type { Origin } from '../../core/records/source.ts';

export const DirectoryObject = {
  contacts: 'contacts',
  accounts: 'accounts',
  hierarchy: 'hierarchy',
  clientRoles: 'clientRoles',
  managementRoles: 'managementRoles',
} as const;
export type DirectoryObject = (typeof DirectoryObject)[keyof typeof DirectoryObject];

export const RowErrorCode = {
  UNREADABLE_ROW: 'UNREADABLE_ROW',
  REQUIRED_VALUE: 'REQUIRED_VALUE',
  INVALID_BOOLEAN: 'INVALID_BOOLEAN',
  INVALID_EMAIL: 'INVALID_EMAIL',
  INVALID_ATTRIBUTE: 'INVALID_ATTRIBUTE',
  UNMAPPED_ROLE: 'UNMAPPED_ROLE',
  DUPLICATE_RECORD: 'DUPLICATE_RECORD',
  UNKNOWN_ACCOUNT: 'UNKNOWN_ACCOUNT',
  NO_ACCOUNT: 'NO_ACCOUNT',
  UNKNOWN_PARENT: 'UNKNOWN_PARENT',
  HIERARCHY_CYCLE: 'HIERARCHY_CYCLE',
  DUPLICATE_ACCOUNT_OWNER: 'DUPLICATE_ACCOUNT_OWNER',
} as const;
export type RowErrorCode = (typeof RowErrorCode)[keyof typeof RowErrorCode];

/**
 * Not an error: a row whose value maps to SKIP is staged beside the row errors with this code, so
 * the run counts it as skipped (and what its record said before is removed), but never saves it
 * among the run's errors.
 */
export const SKIPPED_VALUE = 'SKIPPED_VALUE';

/** Why one source row (or one object of it) was not loaded. */
export type RowError = {
  object: DirectoryObject;
  origin: Origin;
  recordId: string | null;
  field: string | null;
  code: string;
  message: string;
};
