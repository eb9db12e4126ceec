import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Queryable } from '../../core/db.ts';

/** A temporary folder for a test's files. */
export function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'bellwether-test-'));
}

/** Writes rows as RFC 4180 CSV and returns the path. */
export async function writeCsv(dir: string, name: string, rows: readonly (readonly string[])[]): Promise<string> {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const file = path.join(dir, name);
  await writeFile(file, rows.map((r) => r.map(quote).join(',')).join('\n') + '\n');
  return file;
}

export const accountHeader = ['Id', 'IsDeleted', 'Name', 'Parent.Id'];
export const contactHeader = ['Id', 'IsDeleted', 'Title', 'Account.Id', 'Email', 'FirstName', 'LastName'];
export const teamHeader = ['Account.Id', 'User.Email', 'TeamMemberRole', 'IsDeleted'];

/** Every directory table's rows, without timestamps and run ids, in key order: what a user can see. */
export async function directorySnapshot(db: Queryable) {
  return {
    accounts: await db.query('select directory_id, external_id, display_name, attributes, is_deleted from accounts order by 1, 2'),
    hierarchy: await db.query('select directory_id, external_id as account_external_id, parent_external_id, is_deleted from accounts order by 1, 2'),
    contacts: await db.query('select directory_id, external_id, first_name, last_name, email, attributes, is_deleted from contacts order by 1, 2'),
    clientRoles: await db.query(
      `select directory_id, external_id as contact_external_id, account_external_id, client_role as role_name, is_deleted
       from contacts where client_role is not null order by 1, 2, 3`,
    ),
    managementRoles: await db.query('select directory_id, account_external_id, user_email, role_name, is_deleted from management_roles order by 1, 2, 3'),
    attributeDefinitions: await db.query('select directory_id, name, data_type, enum_values from account_attribute_definitions order by 1, 2'),
    mailingLists: await db.query('select l.name, count(m.*)::int as members from mailing_lists l left join mailing_list_members m on m.mailing_list_id = l.id group by 1 order by 1'),
  };
}

export async function runErrors(db: Queryable, runId: number) {
  return db.query<{ object: string; source: string; line: number; record_id: string | null; field: string | null; code: string; message: string }>(
    'select object, source, line, record_id, field, code, message from sync_run_errors where run_id = $1 order by id',
    [runId],
  );
}
