import { copyLine } from '../../core/db.ts';
import type { AccountRow, ContactRow, ManagementRoleRow } from '../map/records.ts';
import type { RowError } from '../map/row-error.ts';

/*
 * Staging tables live for one load transaction. Each holds the mapped rows of one source
 * and, as rows of their own, the errors found while mapping it; SQL later marks the rows it
 * rejects in the same columns, so every row error of a run ends in one place.
 */

const errorColumns = 'err_object text, record_id text, err_field text, err_code text, err_message text';

export const createStagingSql = `
create temp table stg_accounts (
  line integer not null, external_id text, display_name text, attributes jsonb, is_deleted boolean,
  has_hierarchy boolean, parent_external_id text, source text not null, ${errorColumns}
) on commit drop;
create temp table stg_contacts (
  line integer not null, external_id text, first_name text, last_name text, email text, attributes jsonb,
  is_deleted boolean, account_external_id text, role_name text, source text not null, ${errorColumns}
) on commit drop;
create temp table stg_team (
  line integer not null, account_external_id text, user_email text, role_name text, is_deleted boolean,
  source text not null, ${errorColumns}
) on commit drop;
`;

export const copyAccountsSql = `copy stg_accounts (line, external_id, display_name, attributes, is_deleted, has_hierarchy,
  parent_external_id, source, err_object, record_id, err_field, err_code, err_message) from stdin`;
export const copyContactsSql = `copy stg_contacts (line, external_id, first_name, last_name, email, attributes, is_deleted,
  account_external_id, role_name, source, err_object, record_id, err_field, err_code, err_message) from stdin`;
export const copyTeamSql = `copy stg_team (line, account_external_id, user_email, role_name, is_deleted, source,
  err_object, record_id, err_field, err_code, err_message) from stdin`;

const noError = [null, null, null, null, null] as const;

/** An error row has the same width as its table's data rows: the data columns stay null. */
export function errorLine(error: RowError, dataColumns: number): string {
  const data = new Array<null>(dataColumns).fill(null);
  return copyLine([error.origin.line, ...data, error.origin.source, error.object, error.recordId, error.field, error.code, error.message]);
}

export const accountDataColumns = 6;
export function accountLine(row: AccountRow, source: string): string {
  const hasHierarchy = row.parentExternalId !== undefined;
  return copyLine([
    row.line, row.externalId, row.displayName, JSON.stringify(row.attributes), row.isDeleted,
    hasHierarchy, row.parentExternalId ?? null, source, ...noError,
  ]);
}

export const contactDataColumns = 8;
export function contactLine(row: ContactRow, source: string): string {
  return copyLine([
    row.line, row.externalId, row.firstName, row.lastName, row.email, JSON.stringify(row.attributes), row.isDeleted,
    row.clientRole?.accountExternalId ?? null, row.clientRole?.roleName ?? null, source, ...noError,
  ]);
}

export const teamDataColumns = 4;
export function teamLine(row: ManagementRoleRow, source: string): string {
  return copyLine([row.line, row.accountExternalId, row.userEmail, row.roleName, row.isDeleted, source, ...noError]);
}
