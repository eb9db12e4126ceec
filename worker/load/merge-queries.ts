import type { Tx } from '../../core/db.ts';

/*
 * The set-based merge of staged rows into the directory, one named statement per step.
 * `$1` is always the directory id and `$2` the run id. A staged row takes part only while its
 * err_code is null; a step that rejects rows sets err_* on them, so later steps skip them.
 */

export type MergeCounts = { inserted: number; updated: number; deleted: number };

/** Later rows repeating an earlier row's key are rejected, naming the line that is kept. `key` is an expression over `s`. */
export async function rejectDuplicates(tx: Tx, table: 'stg_accounts' | 'stg_contacts' | 'stg_team', key: string, object: string, label: string) {
  await tx.query(
    `with firsts as (
      select ${key} as k, min(s.line) as first_line from ${table} s where s.err_code is null group by 1 having count(*) > 1
    )
    update ${table} s set err_object = $1, record_id = ${key}, err_code = 'DUPLICATE_RECORD',
      err_message = $2 || ' ' || firsts.k || ' already appears on line ' || firsts.first_line || '; this line is skipped'
    from firsts
    where s.err_code is null and ${key} = firsts.k and s.line > firsts.first_line`,
    [object, label],
  );
}

export async function mergeAccounts(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [changed] = await tx.query<{ updated: number; deleted: number }>(
    `with changed as (
      update accounts a set
        display_name = case when s.is_deleted then a.display_name else s.display_name end,
        attributes = case when s.is_deleted then a.attributes else a.attributes || s.attributes end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from stg_accounts s
      where s.err_code is null and a.directory_id = $1 and a.external_id = s.external_id
        and case when s.is_deleted then not a.is_deleted
            else (a.display_name, a.attributes || s.attributes, a.is_deleted) is distinct from (s.display_name, a.attributes, false) end
      returning a.is_deleted
    ) select count(*) filter (where not is_deleted)::int as updated, count(*) filter (where is_deleted)::int as deleted from changed`,
    [directoryId, runId],
  );
  const [inserted] = await tx.query<{ inserted: number }>(
    `with inserted as (
      insert into accounts (directory_id, external_id, display_name, attributes, last_run_id)
      select $1, s.external_id, s.display_name, s.attributes, $2 from stg_accounts s
      where s.err_code is null and not s.is_deleted
        and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.external_id)
      returning 1
    ) select count(*)::int as inserted from inserted`,
    [directoryId, runId],
  );
  return { inserted: inserted!.inserted, updated: changed!.updated, deleted: changed!.deleted };
}

/** The hierarchy rows of this run: every account row that carried a parent column and loaded. */
export async function stageHierarchy(tx: Tx): Promise<void> {
  await tx.query(`
    create temp table stg_hierarchy on commit drop as
    select line, external_id, parent_external_id, is_deleted, source,
      null::text as err_object, null::text as record_id, null::text as err_field, null::text as err_code, null::text as err_message
    from stg_accounts where err_code is null and has_hierarchy;
    analyze stg_hierarchy`);
}

export async function rejectUnknownParents(tx: Tx, directoryId: number, parentColumn: string): Promise<void> {
  await tx.query(
    `update stg_hierarchy s set err_object = 'hierarchy', record_id = s.external_id, err_field = $2, err_code = 'UNKNOWN_PARENT',
       err_message = 'parent account ' || s.parent_external_id || ' is not in the directory'
     where s.err_code is null and not s.is_deleted and s.parent_external_id is not null
       and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.parent_external_id and not a.is_deleted)`,
    [directoryId, parentColumn],
  );
}

/**
 * Rejects every staged parent link that would close a cycle, naming the cycle. A rejected row
 * keeps its stored parent, which may close another cycle, so this repeats until none is found.
 */
export async function rejectCycles(tx: Tx, directoryId: number, parentColumn: string): Promise<void> {
  for (;;) {
    const rejected = await tx.query(
      `with recursive edges as (
        select h.account_external_id as child, h.parent_external_id as parent from account_hierarchy h
        where h.directory_id = $1 and not h.is_deleted and h.parent_external_id is not null
          and not exists (select 1 from stg_hierarchy s where s.err_code is null and s.external_id = h.account_external_id)
        union all
        select external_id, parent_external_id from stg_hierarchy where err_code is null and not is_deleted and parent_external_id is not null
      ), walk (start, node, path) as (
        select external_id, parent_external_id, array[external_id, parent_external_id] from stg_hierarchy
        where err_code is null and not is_deleted and parent_external_id is not null
        union all
        select w.start, e.parent, w.path || e.parent from walk w join edges e on e.child = w.node
        where w.node <> w.start and not e.parent = any(w.path[2:])
      ), cycles as (
        select distinct on (start) start, array_to_string(path, ' > ') as path from walk where node = start order by start
      )
      update stg_hierarchy s set err_object = 'hierarchy', record_id = s.external_id, err_field = $2, err_code = 'HIERARCHY_CYCLE',
        err_message = 'parent account ' || s.parent_external_id || ' would make a cycle: ' || cycles.path
      from cycles where s.external_id = cycles.start and s.err_code is null
      returning 1`,
      [directoryId, parentColumn],
    );
    if (rejected.length === 0) return;
  }
}

export async function mergeHierarchy(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [changed] = await tx.query<{ updated: number; deleted: number }>(
    `with changed as (
      update account_hierarchy h set
        parent_external_id = case when s.is_deleted then h.parent_external_id else s.parent_external_id end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from stg_hierarchy s
      where s.err_code is null and h.directory_id = $1 and h.account_external_id = s.external_id
        and case when s.is_deleted then not h.is_deleted
            else (h.parent_external_id, h.is_deleted) is distinct from (s.parent_external_id, false) end
      returning h.is_deleted
    ) select count(*) filter (where not is_deleted)::int as updated, count(*) filter (where is_deleted)::int as deleted from changed`,
    [directoryId, runId],
  );
  const [inserted] = await tx.query<{ inserted: number }>(
    `with inserted as (
      insert into account_hierarchy (directory_id, account_external_id, parent_external_id, last_run_id)
      select $1, s.external_id, s.parent_external_id, $2 from stg_hierarchy s
      where s.err_code is null and not s.is_deleted
        and not exists (select 1 from account_hierarchy h where h.directory_id = $1 and h.account_external_id = s.external_id)
      returning 1
    ) select count(*)::int as inserted from inserted`,
    [directoryId, runId],
  );
  return { inserted: inserted!.inserted, updated: changed!.updated, deleted: changed!.deleted };
}

/** A live contact must belong to a live account: one that is not has nowhere to be surveyed from. */
export async function rejectOrphanContacts(tx: Tx, directoryId: number, accountColumn: string): Promise<void> {
  await tx.query(
    `update stg_contacts s set err_object = 'contacts', record_id = s.external_id, err_field = $2, err_code = 'UNKNOWN_ACCOUNT',
       err_message = 'account ' || s.account_external_id || ' is not in the directory'
     where s.err_code is null and not s.is_deleted and s.account_external_id is not null
       and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.account_external_id and not a.is_deleted)`,
    [directoryId, accountColumn],
  );
}

export async function mergeContacts(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [changed] = await tx.query<{ updated: number; deleted: number }>(
    `with changed as (
      update contacts c set
        first_name = case when s.is_deleted then c.first_name else s.first_name end,
        last_name = case when s.is_deleted then c.last_name else s.last_name end,
        email = case when s.is_deleted then c.email else s.email end,
        attributes = case when s.is_deleted then c.attributes else c.attributes || s.attributes end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from stg_contacts s
      where s.err_code is null and c.directory_id = $1 and c.external_id = s.external_id
        and case when s.is_deleted then not c.is_deleted
            else (c.first_name, c.last_name, c.email, c.attributes || s.attributes, c.is_deleted)
              is distinct from (s.first_name, s.last_name, s.email, c.attributes, false) end
      returning c.is_deleted
    ) select count(*) filter (where not is_deleted)::int as updated, count(*) filter (where is_deleted)::int as deleted from changed`,
    [directoryId, runId],
  );
  const [inserted] = await tx.query<{ inserted: number }>(
    `with inserted as (
      insert into contacts (directory_id, external_id, first_name, last_name, email, attributes, last_run_id)
      select $1, s.external_id, s.first_name, s.last_name, s.email, s.attributes, $2 from stg_contacts s
      where s.err_code is null and not s.is_deleted
        and not exists (select 1 from contacts c where c.directory_id = $1 and c.external_id = s.external_id)
      returning 1
    ) select count(*)::int as inserted from inserted`,
    [directoryId, runId],
  );
  return { inserted: inserted!.inserted, updated: changed!.updated, deleted: changed!.deleted };
}

/**
 * A contact holds one client role, on the account its record names: that role is inserted or
 * updated, and its roles on other accounts (it moved) or all of them (it was deleted) are deleted.
 */
export async function mergeClientRoles(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [removed] = await tx.query<{ deleted: number }>(
    `with removed as (
      update client_roles r set is_deleted = true, updated_at = now(), last_run_id = $2
      from stg_contacts s
      where s.err_code is null and r.directory_id = $1 and r.contact_external_id = s.external_id and not r.is_deleted
        and (s.is_deleted or s.account_external_id is distinct from r.account_external_id)
      returning 1
    ) select count(*)::int as deleted from removed`,
    [directoryId, runId],
  );
  const [changed] = await tx.query<{ updated: number }>(
    `with changed as (
      update client_roles r set role_name = s.role_name, is_deleted = false, updated_at = now(), last_run_id = $2
      from stg_contacts s
      where s.err_code is null and not s.is_deleted and s.role_name is not null
        and r.directory_id = $1 and r.contact_external_id = s.external_id and r.account_external_id = s.account_external_id
        and (r.role_name, r.is_deleted) is distinct from (s.role_name, false)
      returning 1
    ) select count(*)::int as updated from changed`,
    [directoryId, runId],
  );
  const [inserted] = await tx.query<{ inserted: number }>(
    `with inserted as (
      insert into client_roles (directory_id, contact_external_id, account_external_id, role_name, last_run_id)
      select $1, s.external_id, s.account_external_id, s.role_name, $2 from stg_contacts s
      where s.err_code is null and not s.is_deleted and s.role_name is not null
        and not exists (select 1 from client_roles r
          where r.directory_id = $1 and r.contact_external_id = s.external_id and r.account_external_id = s.account_external_id)
      returning 1
    ) select count(*)::int as inserted from inserted`,
    [directoryId, runId],
  );
  return { inserted: inserted!.inserted, updated: changed!.updated, deleted: removed!.deleted };
}

export async function rejectTeamOnUnknownAccounts(tx: Tx, directoryId: number, accountColumn: string): Promise<void> {
  await tx.query(
    `update stg_team s set err_object = 'managementRoles', record_id = s.account_external_id || '/' || s.user_email, err_field = $2,
       err_code = 'UNKNOWN_ACCOUNT', err_message = 'account ' || s.account_external_id || ' is not in the directory'
     where s.err_code is null and not s.is_deleted
       and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.account_external_id and not a.is_deleted)`,
    [directoryId, accountColumn],
  );
}

/**
 * At most one ACCOUNT_OWNER per account, and the first imported wins: an owner already in the
 * directory (and not changed by this run) beats the file, and within the file the earliest line wins.
 */
export async function rejectExtraOwners(tx: Tx, directoryId: number, roleColumn: string): Promise<void> {
  await tx.query(
    `with owners as (
      select s.line, s.account_external_id, s.user_email,
        first_value(s.user_email) over w as first_email, first_value(s.line) over w as first_line
      from stg_team s where s.err_code is null and not s.is_deleted and s.role_name = 'ACCOUNT_OWNER'
      window w as (partition by s.account_external_id order by s.line)
    ), stored as (
      select r.account_external_id, r.user_email from management_roles r
      where r.directory_id = $1 and r.role_name = 'ACCOUNT_OWNER' and not r.is_deleted
        and not exists (select 1 from stg_team s where s.err_code is null and s.account_external_id = r.account_external_id
          and s.user_email = r.user_email and (s.is_deleted or s.role_name <> 'ACCOUNT_OWNER'))
    ), extra as (
      select o.line, coalesce(st.user_email, o.first_email) as owner,
        case when st.user_email is not null then 'is already in the directory' else 'comes first, on line ' || o.first_line end as why
      from owners o left join stored st on st.account_external_id = o.account_external_id
      where (st.user_email is not null and st.user_email <> o.user_email) or (st.user_email is null and o.line <> o.first_line)
    )
    update stg_team s set err_object = 'managementRoles', record_id = s.account_external_id || '/' || s.user_email, err_field = $2,
      err_code = 'DUPLICATE_ACCOUNT_OWNER',
      err_message = 'account ' || s.account_external_id || ' already has an ACCOUNT_OWNER: ' || extra.owner || ' ' || extra.why || '; skipped'
    from extra where s.line = extra.line and s.err_code is null`,
    [directoryId, roleColumn],
  );
}

export async function mergeManagementRoles(tx: Tx, directoryId: number, runId: number): Promise<MergeCounts> {
  const [changed] = await tx.query<{ updated: number; deleted: number }>(
    `with changed as (
      update management_roles r set
        role_name = case when s.is_deleted then r.role_name else s.role_name end,
        is_deleted = s.is_deleted, updated_at = now(), last_run_id = $2
      from stg_team s
      where s.err_code is null and r.directory_id = $1 and r.account_external_id = s.account_external_id and r.user_email = s.user_email
        and case when s.is_deleted then not r.is_deleted else (r.role_name, r.is_deleted) is distinct from (s.role_name, false) end
      returning r.is_deleted
    ) select count(*) filter (where not is_deleted)::int as updated, count(*) filter (where is_deleted)::int as deleted from changed`,
    [directoryId, runId],
  );
  const [inserted] = await tx.query<{ inserted: number }>(
    `with inserted as (
      insert into management_roles (directory_id, account_external_id, user_email, role_name, last_run_id)
      select $1, s.account_external_id, s.user_email, s.role_name, $2 from stg_team s
      where s.err_code is null and not s.is_deleted
        and not exists (select 1 from management_roles r
          where r.directory_id = $1 and r.account_external_id = s.account_external_id and r.user_email = s.user_email)
      returning 1
    ) select count(*)::int as inserted from inserted`,
    [directoryId, runId],
  );
  return { inserted: inserted!.inserted, updated: changed!.updated, deleted: changed!.deleted };
}
