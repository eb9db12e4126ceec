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

/**
 * What one directory says, as a fresh load of its source would have it: every live row with its
 * values (client roles and team roles included), and the keys of the rows kept as deleted.
 */
export async function mirrorSnapshot(db: Queryable, directoryId: number) {
  const rows = (sql: string) => db.query(sql, [directoryId]);
  return {
    accounts: await rows('select external_id, display_name, parent_external_id, attributes from accounts where directory_id = $1 and not is_deleted order by 1'),
    contacts: await rows(
      `select external_id, first_name, last_name, email, attributes, account_external_id, client_role
       from contacts where directory_id = $1 and not is_deleted order by 1`,
    ),
    managementRoles: await rows('select account_external_id, user_email, role_name from management_roles where directory_id = $1 and not is_deleted order by 1, 2'),
    deleted: {
      accounts: (await rows('select external_id from accounts where directory_id = $1 and is_deleted order by 1')).map((r) => r.external_id as string),
      contacts: (await rows('select external_id from contacts where directory_id = $1 and is_deleted order by 1')).map((r) => r.external_id as string),
      managementRoles: (await rows(`select account_external_id || '/' || user_email as key from management_roles where directory_id = $1 and is_deleted order by 1`)).map(
        (r) => r.key as string,
      ),
    },
  };
}
