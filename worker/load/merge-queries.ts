import type { Tx } from '../../core/db.ts';
import type { RowErrorCode } from '../map/row-error.ts';

/*
 * The set-based merge of staged rows into the directory, one named statement per step.
 * `$1` is always the directory id and `$2` the run id.
 *
 * stg_* tables hold every row of a source; a row takes part while its err_code is null, and a
 * step that rejects rows sets err_* on them. Once checked, each directory object's rows that
 * would change something are copied into a chg_* table: an unchanged reload then merges
 * nothing, and every later step reads only the changes.
 */

export type MergeCounts = { inserted: number; updated: number; deleted: number };

type ErrorTable = 'stg_accounts' | 'stg_contacts' | 'stg_team' | 'chg_hierarchy' | 'chg_team';

/** Marks matching rows of `table` as rejected: `where` and `message` are SQL over its alias `s`. */
async function reject(tx: Tx, table: ErrorTable, spec: { object: string; recordId: string; field: string | null; code: RowErrorCode; message: string; from?: string; where: string }, values: unknown[]) {
  const n = values.length;
  // The code is one of RowErrorCode's constants, written into the SQL so logs and plans name the check.
  await tx.query(
    `update ${table} s set err_object = $${n + 1}, record_id = ${spec.recordId}, err_field = $${n + 2}, err_code = '${spec.code}', err_message = ${spec.message}
     ${spec.from ? `from ${spec.from}` : ''}
     where s.err_code is null and ${spec.where}`,
    [...values, spec.object, spec.field],
  );
}

/** Later rows repeating an earlier row's key are rejected, naming the line that is kept. `key` is an expression over `s`. */
export async function rejectDuplicates(tx: Tx, table: 'stg_accounts' | 'stg_contacts' | 'stg_team', key: string, object: string, label: string) {
  await reject(
    tx,
    table,
    {
      object,
      recordId: key,
      field: null,
      code: 'DUPLICATE_RECORD',
      message: `$1 || ' ' || firsts.k || ' already appears on line ' || firsts.first_line || '; this line is skipped'`,
      from: `(select ${key} as k, min(s.line) as first_line from ${table} s where s.err_code is null group by 1 having count(*) > 1) firsts`,
      where: `${key} = firsts.k and s.line > firsts.first_line`,
    },
    [label],
  );
}

const errorColumns = `null::text as err_object, null::text as record_id, null::text as err_field, null::text as err_code, null::text as err_message`;

/** Account rows that change the directory: new live accounts, changed ones, and deletions of live ones. */
export async function stageChangedAccounts(tx: Tx, directoryId: number): Promise<void> {
  await tx.query(
    `create temp table chg_accounts on commit drop as
     select s.line, s.external_id, s.display_name, s.attributes, s.is_deleted, (a.external_id is not null) as stored
     from stg_accounts s left join accounts a on a.directory_id = $1 and a.external_id = s.external_id
     where s.err_code is null and case
       when a.external_id is null then not s.is_deleted
       when s.is_deleted then not a.is_deleted
       else a.is_deleted or a.display_name <> s.display_name or a.attributes || s.attributes <> a.attributes end`,
    [directoryId],
  );
}

export async function mergeAccounts(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [counts] = await tx.query<MergeCounts>(
    `with updated as (
      update accounts a set
        display_name = case when s.is_deleted then a.display_name else s.display_name end,
        attributes = case when s.is_deleted then a.attributes else a.attributes || s.attributes end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from chg_accounts s
      where s.stored and a.directory_id = $1 and a.external_id = s.external_id
      returning a.is_deleted
    ), inserted as (
      insert into accounts (directory_id, external_id, display_name, attributes, last_run_id)
      select $1, external_id, display_name, attributes, $2 from chg_accounts where not stored
      returning 1
    ) select (select count(*)::int from inserted) as inserted,
        (select count(*) filter (where not is_deleted)::int from updated) as updated,
        (select count(*) filter (where is_deleted)::int from updated) as deleted`,
    [directoryId, runId],
  );
  return counts!;
}

/** Parent links that change the hierarchy; a deleted account's link is deleted with it. */
export async function stageChangedHierarchy(tx: Tx, directoryId: number): Promise<void> {
  await tx.query(
    `create temp table chg_hierarchy on commit drop as
     select s.line, s.external_id, s.parent_external_id, s.is_deleted, s.source, (h.account_external_id is not null) as stored, ${errorColumns}
     from stg_accounts s left join account_hierarchy h on h.directory_id = $1 and h.account_external_id = s.external_id
     where s.err_code is null and s.has_hierarchy and case
       when h.account_external_id is null then not s.is_deleted
       when s.is_deleted then not h.is_deleted
       else h.is_deleted or h.parent_external_id is distinct from s.parent_external_id end`,
    [directoryId],
  );
}

export async function rejectUnknownParents(tx: Tx, directoryId: number, parentColumn: string): Promise<void> {
  await reject(
    tx,
    'chg_hierarchy',
    {
      object: 'hierarchy',
      recordId: 's.external_id',
      field: parentColumn,
      code: 'UNKNOWN_PARENT',
      message: `'parent account ' || s.parent_external_id || ' is not in the directory'`,
      where: `not s.is_deleted and s.parent_external_id is not null
        and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.parent_external_id and not a.is_deleted)`,
    },
    [directoryId],
  );
}

/**
 * Rejects every changed parent link that would close a cycle, naming the cycle. A rejected row
 * keeps its stored parent, which may close another cycle, so this repeats until none is found.
 */
export async function rejectCycles(tx: Tx, directoryId: number, parentColumn: string): Promise<void> {
  for (;;) {
    const rejected = await tx.query(
      `with recursive edges as (
        select h.account_external_id as child, h.parent_external_id as parent from account_hierarchy h
        where h.directory_id = $1 and not h.is_deleted and h.parent_external_id is not null
          and not exists (select 1 from chg_hierarchy s where s.err_code is null and s.external_id = h.account_external_id)
        union all
        select external_id, parent_external_id from chg_hierarchy where err_code is null and not is_deleted and parent_external_id is not null
      ), walk (start, node, path) as (
        select external_id, parent_external_id, array[external_id, parent_external_id] from chg_hierarchy
        where err_code is null and not is_deleted and parent_external_id is not null
        union all
        select w.start, e.parent, w.path || e.parent from walk w join edges e on e.child = w.node
        where w.node <> w.start and not e.parent = any(w.path[2:])
      ), cycles as (
        select distinct on (start) start, array_to_string(path, ' > ') as path from walk where node = start order by start
      )
      update chg_hierarchy s set err_object = 'hierarchy', record_id = s.external_id, err_field = $2, err_code = 'HIERARCHY_CYCLE',
        err_message = 'parent account ' || s.parent_external_id || ' would make a cycle: ' || cycles.path
      from cycles where s.external_id = cycles.start and s.err_code is null
      returning 1`,
      [directoryId, parentColumn],
    );
    if (rejected.length === 0) return;
  }
}

export async function mergeHierarchy(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [counts] = await tx.query<MergeCounts>(
    `with updated as (
      update account_hierarchy h set
        parent_external_id = case when s.is_deleted then h.parent_external_id else s.parent_external_id end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from chg_hierarchy s
      where s.err_code is null and s.stored and h.directory_id = $1 and h.account_external_id = s.external_id
      returning h.is_deleted
    ), inserted as (
      insert into account_hierarchy (directory_id, account_external_id, parent_external_id, last_run_id)
      select $1, external_id, parent_external_id, $2 from chg_hierarchy where err_code is null and not stored
      returning 1
    ) select (select count(*)::int from inserted) as inserted,
        (select count(*) filter (where not is_deleted)::int from updated) as updated,
        (select count(*) filter (where is_deleted)::int from updated) as deleted`,
    [directoryId, runId],
  );
  return counts!;
}

/** A live contact must belong to a live account: one that does not has nowhere to be surveyed from. */
export async function rejectOrphanContacts(tx: Tx, directoryId: number, accountColumn: string): Promise<void> {
  await reject(
    tx,
    'stg_contacts',
    {
      object: 'contacts',
      recordId: 's.external_id',
      field: accountColumn,
      code: 'UNKNOWN_ACCOUNT',
      message: `'account ' || s.account_external_id || ' is not in the directory'`,
      where: `not s.is_deleted and s.account_external_id is not null
        and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.account_external_id and not a.is_deleted)`,
    },
    [directoryId],
  );
}

export async function stageChangedContacts(tx: Tx, directoryId: number): Promise<void> {
  await tx.query(
    `create temp table chg_contacts on commit drop as
     select s.line, s.external_id, s.first_name, s.last_name, s.email, s.attributes, s.is_deleted, (c.external_id is not null) as stored
     from stg_contacts s left join contacts c on c.directory_id = $1 and c.external_id = s.external_id
     where s.err_code is null and case
       when c.external_id is null then not s.is_deleted
       when s.is_deleted then not c.is_deleted
       else c.is_deleted or (c.first_name, c.last_name, c.email) is distinct from (s.first_name, s.last_name, s.email)
         or c.attributes || s.attributes <> c.attributes end`,
    [directoryId],
  );
}

export async function mergeContacts(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [counts] = await tx.query<MergeCounts>(
    `with updated as (
      update contacts c set
        first_name = case when s.is_deleted then c.first_name else s.first_name end,
        last_name = case when s.is_deleted then c.last_name else s.last_name end,
        email = case when s.is_deleted then c.email else s.email end,
        attributes = case when s.is_deleted then c.attributes else c.attributes || s.attributes end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from chg_contacts s
      where s.stored and c.directory_id = $1 and c.external_id = s.external_id
      returning c.is_deleted
    ), inserted as (
      insert into contacts (directory_id, external_id, first_name, last_name, email, attributes, last_run_id)
      select $1, external_id, first_name, last_name, email, attributes, $2 from chg_contacts where not stored
      returning 1
    ) select (select count(*)::int from inserted) as inserted,
        (select count(*) filter (where not is_deleted)::int from updated) as updated,
        (select count(*) filter (where is_deleted)::int from updated) as deleted`,
    [directoryId, runId],
  );
  return counts!;
}

/**
 * A contact holds one client role, on the account its record names. The contacts whose role
 * state would change: a deleted contact with a live role, a contact with a live role on another
 * account (it moved), or a mapped role that is not stored live as it is.
 */
export async function stageChangedClientRoles(tx: Tx, directoryId: number): Promise<void> {
  await tx.query(
    `create temp table chg_roles on commit drop as
     select s.line, s.external_id, s.account_external_id, s.role_name, s.is_deleted from stg_contacts s
     where s.err_code is null and (s.is_deleted or s.account_external_id is not null) and (
       exists (select 1 from client_roles r where r.directory_id = $1 and r.contact_external_id = s.external_id and not r.is_deleted
         and (s.is_deleted or r.account_external_id <> s.account_external_id))
       or (not s.is_deleted and s.role_name is not null and not exists (select 1 from client_roles r
         where r.directory_id = $1 and r.contact_external_id = s.external_id and r.account_external_id = s.account_external_id
           and r.role_name = s.role_name and not r.is_deleted)))`,
    [directoryId],
  );
}

export async function mergeClientRoles(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [counts] = await tx.query<MergeCounts>(
    `with removed as (
      update client_roles r set is_deleted = true, updated_at = now(), last_run_id = $2
      from chg_roles s
      where r.directory_id = $1 and r.contact_external_id = s.external_id and not r.is_deleted
        and (s.is_deleted or r.account_external_id <> s.account_external_id)
      returning 1
    ), updated as (
      update client_roles r set role_name = s.role_name, is_deleted = false, updated_at = now(), last_run_id = $2
      from chg_roles s
      where not s.is_deleted and s.role_name is not null
        and r.directory_id = $1 and r.contact_external_id = s.external_id and r.account_external_id = s.account_external_id
      returning 1
    ), inserted as (
      insert into client_roles (directory_id, contact_external_id, account_external_id, role_name, last_run_id)
      select $1, s.external_id, s.account_external_id, s.role_name, $2 from chg_roles s
      where not s.is_deleted and s.role_name is not null
        and not exists (select 1 from client_roles r
          where r.directory_id = $1 and r.contact_external_id = s.external_id and r.account_external_id = s.account_external_id)
      returning 1
    ) select (select count(*)::int from inserted) as inserted, (select count(*)::int from updated) as updated,
        (select count(*)::int from removed) as deleted`,
    [directoryId, runId],
  );
  return counts!;
}

export async function rejectTeamOnUnknownAccounts(tx: Tx, directoryId: number, accountColumn: string): Promise<void> {
  await reject(
    tx,
    'stg_team',
    {
      object: 'managementRoles',
      recordId: `s.account_external_id || '/' || s.user_email`,
      field: accountColumn,
      code: 'UNKNOWN_ACCOUNT',
      message: `'account ' || s.account_external_id || ' is not in the directory'`,
      where: `not s.is_deleted
        and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.account_external_id and not a.is_deleted)`,
    },
    [directoryId],
  );
}

export async function stageChangedTeam(tx: Tx, directoryId: number): Promise<void> {
  await tx.query(
    `create temp table chg_team on commit drop as
     select s.line, s.account_external_id, s.user_email, s.role_name, s.is_deleted, s.source, (r.user_email is not null) as stored, ${errorColumns}
     from stg_team s left join management_roles r
       on r.directory_id = $1 and r.account_external_id = s.account_external_id and r.user_email = s.user_email
     where s.err_code is null and case
       when r.user_email is null then not s.is_deleted
       when s.is_deleted then not r.is_deleted
       else r.is_deleted or r.role_name <> s.role_name end`,
    [directoryId],
  );
}

/**
 * At most one ACCOUNT_OWNER per account, and the first imported wins: an owner already in the
 * directory (and not changed by this run) beats the file, and within the file the earliest line wins.
 */
export async function rejectExtraOwners(tx: Tx, directoryId: number, roleColumn: string): Promise<void> {
  await reject(
    tx,
    'chg_team',
    {
      object: 'managementRoles',
      recordId: `s.account_external_id || '/' || s.user_email`,
      field: roleColumn,
      code: 'DUPLICATE_ACCOUNT_OWNER',
      message: `'account ' || s.account_external_id || ' already has an ACCOUNT_OWNER: ' || extra.owner || ' ' || extra.why || '; skipped'`,
      from: `(
        with owners as (
          select o.line, o.account_external_id, o.user_email,
            first_value(o.user_email) over w as first_email, first_value(o.line) over w as first_line
          from chg_team o where o.err_code is null and not o.is_deleted and o.role_name = 'ACCOUNT_OWNER'
          window w as (partition by o.account_external_id order by o.line)
        ), stored as (
          select r.account_external_id, r.user_email from management_roles r
          where r.directory_id = $1 and r.role_name = 'ACCOUNT_OWNER' and not r.is_deleted
            and not exists (select 1 from chg_team c where c.err_code is null and c.account_external_id = r.account_external_id
              and c.user_email = r.user_email)
        )
        select o.line, coalesce(st.user_email, o.first_email) as owner,
          case when st.user_email is not null then 'is already in the directory' else 'comes first, on line ' || o.first_line end as why
        from owners o left join stored st on st.account_external_id = o.account_external_id
        where (st.user_email is not null and st.user_email <> o.user_email) or (st.user_email is null and o.line <> o.first_line)
      ) extra`,
      where: 's.line = extra.line',
    },
    [directoryId],
  );
}

export async function mergeManagementRoles(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [counts] = await tx.query<MergeCounts>(
    `with updated as (
      update management_roles r set
        role_name = case when s.is_deleted then r.role_name else s.role_name end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from chg_team s
      where s.err_code is null and s.stored and r.directory_id = $1 and r.account_external_id = s.account_external_id and r.user_email = s.user_email
      returning r.is_deleted
    ), inserted as (
      insert into management_roles (directory_id, account_external_id, user_email, role_name, last_run_id)
      select $1, account_external_id, user_email, role_name, $2 from chg_team where err_code is null and not stored
      returning 1
    ) select (select count(*)::int from inserted) as inserted,
        (select count(*) filter (where not is_deleted)::int from updated) as updated,
        (select count(*) filter (where is_deleted)::int from updated) as deleted`,
    [directoryId, runId],
  );
  return counts!;
}
