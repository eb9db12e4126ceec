import type { Tx } from '../../core/db.ts';
import type { RowErrorCode } from '../map/row-error.ts';

/*
 * The set-based merge of staged rows into the directory, one named statement per step.
 * `$1` is always the directory id and `$2` the run id.
 *
 * stg_* tables hold a source's rows that may change something (the loader skips records stored
 * with the same hash); a row takes part while its err_code is null, and a step that rejects rows
 * sets err_* on them. Stored rows that a staged row changes are copied into a chg_* table with
 * the values they replace (accounts and team members: new ones too), so the merge and its counts
 * read only the changes.
 */

type ErrorTable = 'stg_accounts' | 'stg_contacts' | 'stg_team' | 'chg_accounts' | 'chg_team';

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

const errorColumns = `null::text as err_object, null::text as record_id, null::text as err_field, null::text as err_code, null::text as err_message`;

/**
 * Account rows that change the directory, with the stored values they replace: new accounts (kept
 * as deleted when they arrive deleted, so they are told apart from accounts never seen),
 * changed ones (a new parent included), deletions of live ones, and rows whose stored hash is
 * stale (these count as unchanged). Checks then reject parent links in place (err_*: hierarchy).
 */
export async function stageChangedAccounts(tx: Tx, directoryId: number): Promise<void> {
  await tx.query(
    `create temp table chg_accounts on commit drop as
     select s.line, s.external_id, s.display_name, s.attributes, s.is_deleted, s.has_hierarchy, s.parent_external_id, s.source_hash, s.source,
       (a.external_id is not null) as stored, coalesce(a.is_deleted, false) as was_deleted, a.parent_external_id as old_parent,
       (a.external_id is not null and not s.is_deleted
         and (a.is_deleted or a.display_name <> s.display_name or a.attributes || s.attributes <> a.attributes)) as account_changed,
       ${errorColumns}
     from stg_accounts s left join accounts a on a.directory_id = $1 and a.external_id = s.external_id
     where s.err_code is null and case
       when a.external_id is null then true
       when s.is_deleted then not a.is_deleted or a.source_hash is distinct from s.source_hash
       else a.is_deleted or a.display_name <> s.display_name or a.attributes || s.attributes <> a.attributes
         or (s.has_hierarchy and a.parent_external_id is distinct from s.parent_external_id)
         or a.source_hash is distinct from s.source_hash end`,
    [directoryId],
  );
}

/** Parent links to write: changed rows (alias `s`) that carry the hierarchy, of live accounts, not rejected. */
const newLink = (s: string) => `${s}.has_hierarchy and not ${s}.is_deleted and ${s}.err_code is null`;

export async function rejectUnknownParents(tx: Tx, directoryId: number, parentColumn: string): Promise<void> {
  await reject(
    tx,
    'chg_accounts',
    {
      object: 'hierarchy',
      recordId: 's.external_id',
      field: parentColumn,
      code: 'UNKNOWN_PARENT',
      message: `'parent account ' || s.parent_external_id || ' is not in the directory'`,
      // Live after this run: loaded live by it, or stored live and not deleted by it.
      where: `s.has_hierarchy and not s.is_deleted and s.parent_external_id is not null
        and not exists (select 1 from chg_accounts p where p.external_id = s.parent_external_id and not p.is_deleted)
        and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.parent_external_id and not a.is_deleted
          and not exists (select 1 from chg_accounts d where d.external_id = a.external_id and d.is_deleted))`,
    },
    [directoryId],
  );
}

/**
 * Links are accepted in file order until one would close a cycle: that one is rejected, naming
 * the cycle. Every link the file holds is staged with its line (see `ranked`), and links of
 * accounts the file does not name come first. An account has one parent, so cycles share no
 * link, and the stored links alone make none: each cycle holds a new link, and is walked from it.
 * Its latest link is rejected, whether new or stored; a row whose link is rejected has no parent
 * (as a first load of it would), so one pass is enough.
 */
export async function rejectCycles(tx: Tx, directoryId: number, parentColumn: string): Promise<void> {
  await tx.query(
    `create temp table cycle_breaks on commit drop as
    with recursive edges as (
      select a.external_id as child, a.parent_external_id as parent, null::integer as line from accounts a
      where a.directory_id = $1 and not a.is_deleted and a.parent_external_id is not null
        and not exists (select 1 from stg_accounts s where s.err_code is null and s.external_id = a.external_id)
      union all
      select external_id, parent_external_id, line from chg_accounts c where ${newLink('c')} and parent_external_id is not null
      union all
      select s.external_id, s.parent_external_id, s.line from stg_accounts s
      where s.err_code is null and s.has_hierarchy and not s.is_deleted and s.parent_external_id is not null
        and not exists (select 1 from chg_accounts c where c.external_id = s.external_id)
    ), walk (start, node, path, lines) as (
      select child, parent, array[child, parent], array[line] from edges e
      where exists (select 1 from chg_accounts c where c.external_id = e.child and c.line = e.line)
      union all
      select w.start, e.parent, w.path || e.parent, w.lines || e.line from walk w join edges e on e.child = w.node
      where w.node <> w.start and not e.parent = any(w.path[2:])
    ), closing as (
      select path, array_position(lines, (select max(l) from unnest(lines) l)) as k from walk where node = start
    )
    select distinct on (path[k]) path[k] as child, array_to_string(path[k:array_length(path, 1) - 1] || path[1:k], ' > ') as cycle from closing`,
    [directoryId],
  );
  const message = `'parent account ' || s.parent_external_id || ' would make a cycle: ' || b.cycle`;
  await tx.query(
    `update chg_accounts s set err_object = 'hierarchy', record_id = s.external_id, err_field = $1, err_code = 'HIERARCHY_CYCLE', err_message = ${message}
    from cycle_breaks b where s.external_id = b.child and s.err_code is null`,
    [parentColumn],
  );
  // A stored link that closes a cycle now (a link earlier in the file changed) is rejected as a change of its account.
  await tx.query(
    `insert into chg_accounts
    select s.line, s.external_id, s.display_name, s.attributes, false, true, s.parent_external_id, s.source_hash, s.source,
      true, false, a.parent_external_id, false, 'hierarchy', s.external_id, $2, 'HIERARCHY_CYCLE', ${message}
    from cycle_breaks b join stg_accounts s on s.external_id = b.child and s.err_code is null
      join accounts a on a.directory_id = $1 and a.external_id = s.external_id
    where not exists (select 1 from chg_accounts c where c.external_id = b.child)`,
    [directoryId, parentColumn],
  );
}

/** The parent an account keeps after a changed row (alias `s`) of it: a rejected link leaves none, a deleted account its last. */
const nextParent = `case when s.has_hierarchy and not s.is_deleted then (case when s.err_code is null then s.parent_external_id end) else a.parent_external_id end`;

/**
 * What a user sees of a row is stamped with this run only when it changes; a row whose stored
 * hash alone is refreshed keeps its update time and run, so a reload writes nothing a user sees.
 */
const stamp = (alias: string, visible: string) =>
  `updated_at = case when ${visible} then now() else ${alias}.updated_at end, last_run_id = case when ${visible} then $2 else ${alias}.last_run_id end`;

/** Writes the changed accounts; a rejected parent link leaves no parent and no hash. */
export async function mergeAccounts(tx: Tx, directoryId: number, runId: number): Promise<void> {
  const visible = `(a.is_deleted <> s.is_deleted or (not s.is_deleted and (s.account_changed or a.parent_external_id is distinct from ${nextParent})))`;
  const hash = `case when s.err_code is null then s.source_hash end`;
  await tx.query(
    `with updated as (
      update accounts a set
        display_name = case when s.is_deleted then a.display_name else s.display_name end,
        attributes = case when s.is_deleted then a.attributes else a.attributes || s.attributes end,
        parent_external_id = ${nextParent},
        is_deleted = s.is_deleted, source_hash = ${hash}, ${stamp('a', visible)}
      from chg_accounts s
      where s.stored and a.directory_id = $1 and a.external_id = s.external_id and (${visible} or a.source_hash is distinct from ${hash})
      returning 1
    )
    insert into accounts (directory_id, external_id, display_name, attributes, parent_external_id, is_deleted, source_hash, last_run_id)
    select $1, external_id, display_name, attributes, case when ${newLink('s')} then parent_external_id end, is_deleted,
      case when err_code is null then source_hash end, $2
    from chg_accounts s where not stored`,
    [directoryId, runId],
  );
}

export type ObjectChanges = { inserted: number; updated: number; deleted: number; rejected: number };

/** What the changed accounts did to the accounts and to the hierarchy. */
export async function countAccountChanges(tx: Tx): Promise<{ accounts: ObjectChanges; hierarchy: ObjectChanges }> {
  const [c] = await tx.query<Record<string, number>>(
    `select
      count(*) filter (where not stored and not is_deleted)::int as a_inserted,
      count(*) filter (where account_changed)::int as a_updated,
      count(*) filter (where not was_deleted and is_deleted)::int as a_deleted,
      count(*) filter (where has_hierarchy and err_code is null and not stored and not is_deleted)::int as h_inserted,
      count(*) filter (where has_hierarchy and err_code is null and stored and not is_deleted
        and (was_deleted or old_parent is distinct from parent_external_id))::int as h_updated,
      count(*) filter (where has_hierarchy and not was_deleted and is_deleted)::int as h_deleted,
      count(*) filter (where err_code is not null)::int as h_rejected
    from chg_accounts`,
  );
  return {
    accounts: { inserted: c!.a_inserted!, updated: c!.a_updated!, deleted: c!.a_deleted!, rejected: 0 },
    hierarchy: { inserted: c!.h_inserted!, updated: c!.h_updated!, deleted: c!.h_deleted!, rejected: c!.h_rejected! },
  };
}

/** A live team member must belong to a live account: it has nothing to manage otherwise. */
export async function rejectUnknownTeamAccounts(tx: Tx, directoryId: number, accountColumn: string): Promise<void> {
  await reject(
    tx,
    'stg_team',
    {
      object: 'managementRoles',
      recordId: `s.account_external_id || '/' || s.user_email`,
      field: accountColumn,
      code: 'UNKNOWN_ACCOUNT',
      message: `'account ' || s.account_external_id || ' is not in the directory'`,
      where: `not s.is_deleted and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.account_external_id and not a.is_deleted)`,
    },
    [directoryId],
  );
}

/**
 * A contact whose account is not in the directory is still a contact: only its client role is
 * left out, reported as a row error of its own, and the contact is kept without an account. It
 * keeps no hash, so the next run looks again (the account may have arrived).
 */
export async function dropUnknownClientAccounts(tx: Tx, directoryId: number, accountColumn: string): Promise<void> {
  const unknown = `s.err_code is null and not s.is_deleted and s.account_external_id is not null
    and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.account_external_id and not a.is_deleted)`;
  // A title that mapped to no role is reported already; the unknown account is reported for a role it would have given.
  await tx.query(
    `insert into stg_contacts (line, source, err_object, record_id, err_field, err_code, err_message)
     select s.line, s.source, 'clientRoles', s.external_id, $2, 'UNKNOWN_ACCOUNT',
       'account ' || s.account_external_id || ' is not in the directory: the contact loads without a client role'
     from stg_contacts s where ${unknown} and s.role_name is not null`,
    [directoryId, accountColumn],
  );
  await tx.query(`update stg_contacts s set account_external_id = null, role_name = null, source_hash = null where ${unknown}`, [directoryId]);
}

/**
 * The account and client role a staged contact leaves stored: with client roles mapped, the ones
 * its row gives (no account when it names none the directory has, no role when its title maps to
 * none, whatever it held before); without, the stored ones stay.
 */
function newPlace(mapsRoles: boolean) {
  return mapsRoles
    ? { account: 's.account_external_id', role: 's.role_name' }
    : { account: 'c.account_external_id', role: 'c.client_role' };
}

/**
 * Stored contacts that a staged row changes, with the values it replaces. New contacts are not
 * copied here: they go straight from staging into the directory, which spares a first load of
 * a million contacts one more copy of them.
 */
export async function stageChangedContacts(tx: Tx, directoryId: number, mapsRoles: boolean): Promise<void> {
  const place = newPlace(mapsRoles);
  await tx.query(
    `create temp table chg_contacts on commit drop as
     select s.line, s.external_id, s.first_name, s.last_name, s.email, s.attributes, s.is_deleted, s.source_hash,
       ${place.account} as account_external_id, ${place.role} as client_role, s.role_name,
       c.is_deleted as was_deleted, c.account_external_id as old_account, c.client_role as old_role,
       (not s.is_deleted and (c.is_deleted or (c.first_name, c.last_name, c.email) is distinct from (s.first_name, s.last_name, s.email)
         or c.attributes || s.attributes <> c.attributes)) as contact_changed
     from stg_contacts s join contacts c on c.directory_id = $1 and c.external_id = s.external_id
     where s.err_code is null and case
       when s.is_deleted then not c.is_deleted or c.source_hash is distinct from s.source_hash
       else c.is_deleted or (c.first_name, c.last_name, c.email) is distinct from (s.first_name, s.last_name, s.email)
         or c.attributes || s.attributes <> c.attributes
         or (c.account_external_id, c.client_role) is distinct from (${place.account}, ${place.role})
         or c.source_hash is distinct from s.source_hash end`,
    [directoryId],
  );
}

/**
 * Writes the changed stored contacts and inserts the new ones, and says what that did to the
 * contacts and to their client roles. A role counts as written when the record maps one; it is
 * deleted with its contact, or when the contact moves to an account where its title maps to none.
 */
export async function mergeContacts(tx: Tx, directoryId: number, runId: number): Promise<{ contacts: ObjectChanges; clientRoles: ObjectChanges }> {
  const [c] = await tx.query<Record<string, number>>(
    `with updated as (
      update contacts c set
        first_name = case when s.is_deleted then c.first_name else s.first_name end,
        last_name = case when s.is_deleted then c.last_name else s.last_name end,
        email = case when s.is_deleted then c.email else s.email end,
        attributes = case when s.is_deleted then c.attributes else c.attributes || s.attributes end,
        account_external_id = case when s.is_deleted then c.account_external_id else s.account_external_id end,
        client_role = case when s.is_deleted then c.client_role else s.client_role end,
        is_deleted = s.is_deleted, source_hash = s.source_hash,
        ${stamp('c', `(c.is_deleted <> s.is_deleted or (not s.is_deleted and (s.contact_changed or (c.account_external_id, c.client_role) is distinct from (s.account_external_id, s.client_role))))`)}
      from chg_contacts s
      where c.directory_id = $1 and c.external_id = s.external_id
      returning 1
    ), inserted as (
      insert into contacts (directory_id, external_id, first_name, last_name, email, attributes, account_external_id, client_role, is_deleted, source_hash, last_run_id, created_run_id)
      select $1, s.external_id, s.first_name, s.last_name, s.email, s.attributes, s.account_external_id, s.role_name, s.is_deleted, s.source_hash, $2, $2
      from stg_contacts s
      where s.err_code is null
        and not exists (select 1 from contacts c where c.directory_id = $1 and c.external_id = s.external_id)
      returning client_role, is_deleted
    ), roles as (
      select *, (not was_deleted and old_role is not null) as had_role, (not is_deleted and client_role is not null) as has_role
      from chg_contacts
    ) select
      (select count(*)::int from inserted where not is_deleted) as c_inserted,
      (select count(*)::int from roles where contact_changed) as c_updated,
      (select count(*)::int from roles where not was_deleted and is_deleted) + (select count(*)::int from inserted where is_deleted) as c_deleted,
      (select count(*)::int from inserted where client_role is not null)
        + (select count(*)::int from roles where role_name is not null and has_role and not had_role) as r_inserted,
      (select count(*)::int from roles where role_name is not null and has_role and had_role
        and (old_account, old_role) is distinct from (account_external_id, client_role)) as r_updated,
      (select count(*)::int from roles where had_role and not has_role) as r_deleted`,
    [directoryId, runId],
  );
  return {
    contacts: { inserted: c!.c_inserted!, updated: c!.c_updated!, deleted: c!.c_deleted!, rejected: 0 },
    clientRoles: { inserted: c!.r_inserted!, updated: c!.r_updated!, deleted: c!.r_deleted!, rejected: 0 },
  };
}

export async function stageChangedTeam(tx: Tx, directoryId: number): Promise<void> {
  await tx.query(
    `create temp table chg_team on commit drop as
     select s.line, s.account_external_id, s.user_email, s.role_name, s.is_deleted, s.source_hash, s.source,
       (r.user_email is not null) as stored, coalesce(r.is_deleted, false) as was_deleted,
       (r.user_email is not null and not s.is_deleted and (r.is_deleted or r.role_name <> s.role_name)) as role_changed, ${errorColumns}
     from stg_team s left join management_roles r
       on r.directory_id = $1 and r.account_external_id = s.account_external_id and r.user_email = s.user_email
     where s.err_code is null and case
       when r.user_email is null then true
       when s.is_deleted then not r.is_deleted or r.source_hash is distinct from s.source_hash
       else r.is_deleted or r.role_name <> s.role_name or r.source_hash is distinct from s.source_hash end`,
    [directoryId],
  );
}

/**
 * At most one ACCOUNT_OWNER per account, and the first in file order wins: every owner row the
 * file holds is staged with its line (see `ranked`), and an owner in the directory that the file
 * does not name comes first (a full export has removed those already). A losing owner row that
 * did not change is rejected as a change of its key, so the role it gave is removed as a fresh
 * load would never have given it.
 */
export async function rejectExtraOwners(tx: Tx, directoryId: number, roleColumn: string): Promise<void> {
  await tx.query(
    `create temp table owner_breaks on commit drop as
    with ranked as (
      select s.line, s.account_external_id, s.user_email,
        first_value(s.user_email) over w as first_email, first_value(s.line) over w as first_line
      from stg_team s where s.err_code is null and not s.is_deleted and s.role_name = 'ACCOUNT_OWNER'
      window w as (partition by s.account_external_id order by s.line)
    ), kept as (
      select r.account_external_id, r.user_email from management_roles r
      where r.directory_id = $1 and r.role_name = 'ACCOUNT_OWNER' and not r.is_deleted
        and not exists (select 1 from stg_team s where s.err_code is null and s.account_external_id = r.account_external_id and s.user_email = r.user_email)
    )
    select o.line, coalesce(k.user_email, o.first_email) as owner,
      case when k.user_email is not null then 'is already in the directory' else 'comes first, on line ' || o.first_line end as why
    from ranked o left join kept k on k.account_external_id = o.account_external_id
    where k.user_email is not null or o.line <> o.first_line`,
    [directoryId],
  );
  const message = `'account ' || s.account_external_id || ' already has an ACCOUNT_OWNER: ' || b.owner || ' ' || b.why || '; skipped'`;
  await tx.query(
    `update chg_team s set err_object = 'managementRoles', record_id = s.account_external_id || '/' || s.user_email, err_field = $1,
      err_code = 'DUPLICATE_ACCOUNT_OWNER', err_message = ${message}
    from owner_breaks b where s.line = b.line and s.err_code is null`,
    [roleColumn],
  );
  await tx.query(
    `insert into chg_team
    select s.line, s.account_external_id, s.user_email, s.role_name, false, s.source_hash, s.source, true, false, false,
      'managementRoles', s.account_external_id || '/' || s.user_email, $1, 'DUPLICATE_ACCOUNT_OWNER', ${message}
    from owner_breaks b join stg_team s on s.line = b.line and s.err_code is null
    where not exists (select 1 from chg_team c where c.line = b.line)`,
    [roleColumn],
  );
}

/**
 * Unique indexes are checked row by row, so the rows that stop being an account's owner are
 * written before those that become one, and new rows last: an owner handing over to another in
 * one run never meets the old owner still live.
 */
export async function mergeManagementRoles(tx: Tx, directoryId: number, runId: number): Promise<void> {
  for (const becomesOwner of [false, true]) {
    await tx.query(
      `update management_roles r set
        role_name = case when s.is_deleted then r.role_name else s.role_name end,
        is_deleted = s.is_deleted, source_hash = s.source_hash,
        ${stamp('r', `(r.is_deleted <> s.is_deleted or (not s.is_deleted and r.role_name <> s.role_name))`)}
      from chg_team s
      where s.err_code is null and s.stored and r.directory_id = $1 and r.account_external_id = s.account_external_id and r.user_email = s.user_email
        and (not s.is_deleted and s.role_name = 'ACCOUNT_OWNER') = $3`,
      [directoryId, runId, becomesOwner],
    );
  }
  await tx.query(
    `insert into management_roles (directory_id, account_external_id, user_email, role_name, is_deleted, source_hash, last_run_id)
    select $1, account_external_id, user_email, role_name, is_deleted, source_hash, $2 from chg_team where err_code is null and not stored`,
    [directoryId, runId],
  );
}

export async function countTeamChanges(tx: Tx): Promise<ObjectChanges> {
  const [c] = await tx.query<ObjectChanges>(
    `select count(*) filter (where err_code is null and not stored and not is_deleted)::int as inserted,
      count(*) filter (where err_code is null and role_changed)::int as updated,
      count(*) filter (where err_code is null and not was_deleted and is_deleted)::int as deleted,
      count(*) filter (where err_code is not null)::int as rejected
    from chg_team`,
  );
  return c!;
}

/**
 * A record whose row is now rejected does not leave what it said before live: the stored row of
 * its key is marked deleted, and the row error says so. A repeated line is not the record's row
 * (its first line is), so it removes nothing. `key` matches the stored row (alias `d`) to `s.record_id`.
 */
async function removeRejected(tx: Tx, directoryId: number, runId: number, spec: { target: string; errors: string[]; object: string; key: string; what: string }) {
  for (const errors of spec.errors) {
    await tx.query(
      `with removed as (
        update ${spec.target} d set is_deleted = true, source_hash = null, updated_at = now(), last_run_id = $2
        from ${errors} s where s.err_object = '${spec.object}' and s.err_code <> 'DUPLICATE_RECORD'
          and d.directory_id = $1 and ${spec.key} and not d.is_deleted
        returning s.line
      )
      update ${errors} s set err_message = s.err_message || '; ${spec.what} stored before is removed'
      from removed where s.err_object = '${spec.object}' and s.err_code <> 'DUPLICATE_RECORD' and s.line = removed.line`,
      [directoryId, runId],
    );
  }
}

export async function removeRejectedAccounts(tx: Tx, directoryId: number, runId: number): Promise<void> {
  await removeRejected(tx, directoryId, runId, { target: 'accounts', errors: ['stg_accounts'], object: 'accounts', key: 'd.external_id = s.record_id', what: 'the account' });
}

export async function removeRejectedContacts(tx: Tx, directoryId: number, runId: number): Promise<void> {
  await removeRejected(tx, directoryId, runId, { target: 'contacts', errors: ['stg_contacts'], object: 'contacts', key: 'd.external_id = s.record_id', what: 'the contact' });
}

export async function removeRejectedTeam(tx: Tx, directoryId: number, runId: number, errors: 'stg_team' | 'chg_team'): Promise<void> {
  // A team member's record id is "<account>/<email>"; an account id holds no "/".
  const key = `d.account_external_id = split_part(s.record_id, '/', 1) and d.user_email = substr(s.record_id, length(split_part(s.record_id, '/', 1)) + 2)`;
  await removeRejected(tx, directoryId, runId, { target: 'management_roles', errors: [errors], object: 'managementRoles', key, what: 'the role' });
}

/**
 * What pointed at an account this run deleted or removed goes as a fresh load would leave it:
 * child accounts lose their parent, contacts their account and client role, and the account's
 * team its roles. They keep no hash, so the next run checks their rows again and reports them.
 */
export async function detachFromGoneAccounts(tx: Tx, directoryId: number, runId: number): Promise<void> {
  const gone = `select external_id from chg_accounts where is_deleted and not was_deleted
    union all select record_id from stg_accounts where err_object = 'accounts' and err_code <> 'DUPLICATE_RECORD'`;
  await tx.query(
    `with children as (
      update accounts set parent_external_id = null, source_hash = null, updated_at = now(), last_run_id = $2
      where directory_id = $1 and not is_deleted and parent_external_id in (${gone})
    ), contacts as (
      update contacts set account_external_id = null, client_role = null, source_hash = null, updated_at = now(), last_run_id = $2
      where directory_id = $1 and not is_deleted and account_external_id in (${gone})
    )
    update management_roles set is_deleted = true, source_hash = null, updated_at = now(), last_run_id = $2
    where directory_id = $1 and not is_deleted and account_external_id in (${gone})`,
    [directoryId, runId],
  );
}
