import { copyLine, copyValue } from '../../core/db.ts';
import { storableText } from '../../core/errors.ts';
import type { AccountRow, ContactRow, ManagementRoleRow } from '../map/records.ts';
import type { RowError } from '../map/row-error.ts';
import { hash64, hashText, type Hash64 } from './source-hash.ts';

/*
 * Staging tables live for one load transaction. Each holds the mapped rows of one source and,
 * as rows of their own, the errors found while mapping it; SQL later marks the rows it rejects
 * in the same columns, so every row error of a run ends in one place.
 */

/**
 * Each staging table's data columns, in the order a staged row writes its values (see stageAccount
 * and the others below). Its CREATE, its COPY and the width of an error row all derive from this.
 */
const stagingTables = {
  accounts: {
    table: 'stg_accounts',
    data: ['external_id text', 'display_name text', 'attributes jsonb', 'is_deleted boolean', 'has_hierarchy boolean', 'parent_external_id text'],
  },
  contacts: {
    table: 'stg_contacts',
    data: ['external_id text', 'first_name text', 'last_name text', 'email text', 'attributes jsonb', 'is_deleted boolean', 'account_external_id text', 'role_name text'],
  },
  teamMembers: { table: 'stg_team', data: ['account_external_id text', 'user_email text', 'role_name text', 'is_deleted boolean'] },
} as const;
export type StagedKind = keyof typeof stagingTables;

/** Around the data: the line first, then the hash of the data, the source's name, and the row error columns. */
const errorColumns = ['err_object text', 'record_id text', 'err_field text', 'err_code text', 'err_message text'];
const columnsOf = (kind: StagedKind) => ['line integer not null', ...stagingTables[kind].data, 'source_hash bigint', 'source text not null', ...errorColumns];
const namesOf = (kind: StagedKind) => columnsOf(kind).map((column) => column.split(' ')[0]);

export const createStagingSql = (Object.keys(stagingTables) as StagedKind[])
  .map((kind) => `create temp table ${stagingTables[kind].table} (${columnsOf(kind).join(', ')}) on commit drop;`)
  .join('\n');

export function copySql(kind: StagedKind): string {
  return `copy ${stagingTables[kind].table} (${namesOf(kind).join(', ')}) from stdin`;
}

/** The columns an error row leaves null: the data and its hash. */
export function dataColumns(kind: StagedKind): number {
  return stagingTables[kind].data.length + 1;
}

const noError = '\t\\N\t\\N\t\\N\t\\N\t\\N\n';

/** An error row has the same width as its table's data rows: the data columns stay null. */
export function errorLine(error: RowError, dataColumns: number): string {
  const data = new Array<null>(dataColumns).fill(null);
  const texts = [error.origin.source, error.object, error.recordId, error.field, error.code, error.message].map((t) => (t === null ? null : storableText(t)));
  return copyLine([error.origin.line, ...data, ...texts]);
}

/**
 * A mapped record ready to stage: its key, its mapped values as COPY text (which the hash covers,
 * so the same record mapped the same way hashes the same), and the hash. A record that mapped
 * with a warning gets no hash, so it is checked again on the next run.
 */
export type StagedRow = { key: string; line: number; data: string; hash: Hash64 | null };

export function copyRow(row: StagedRow, source: string): string {
  return `${row.line}\t${row.data}\t${row.hash ? hashText(row.hash) : '\\N'}\t${copyValue(source)}${noError}`;
}

const values = (v: readonly (string | number | boolean | null)[]) => v.map(copyValue).join('\t');

function staged(key: string, line: number, data: string, complete: boolean): StagedRow {
  return { key, line, data, hash: complete ? hash64(data) : null };
}

export function stageAccount(row: AccountRow, complete: boolean): StagedRow {
  const data = values([row.externalId, row.displayName, JSON.stringify(row.attributes), row.isDeleted, row.parentExternalId !== undefined, row.parentExternalId ?? null]);
  return staged(row.externalId, row.line, data, complete);
}

export function stageContact(row: ContactRow, complete: boolean): StagedRow {
  const data = values([
    row.externalId, row.firstName, row.lastName, row.email, JSON.stringify(row.attributes), row.isDeleted,
    row.clientRole?.accountExternalId ?? null, row.clientRole?.roleName ?? null,
  ]);
  return staged(row.externalId, row.line, data, complete);
}

export function stageTeamMember(row: ManagementRoleRow, complete: boolean): StagedRow {
  const data = values([row.accountExternalId, row.userEmail, row.roleName, row.isDeleted]);
  return staged(`${row.accountExternalId}/${row.userEmail}`, row.line, data, complete);
}

/** The stored keys and hashes a source's records are compared with, per directory table. */
export function knownRecordsSql(kind: StagedKind, directoryId: number) {
  const [table, key] =
    kind === 'accounts' ? ['accounts', 'external_id'] : kind === 'contacts' ? ['contacts', 'external_id'] : ['management_roles', `account_external_id || '/' || user_email`];
  const where = `from ${table} where directory_id = ${Number(directoryId)} and source_hash is not null`;
  return {
    count: `select count(*)::int as n ${where}`,
    keys: `select ${key}, source_hash >> 32, source_hash & 4294967295 ${where}`,
  };
}
