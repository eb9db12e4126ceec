-- The directory: accounts, contacts, hierarchy and roles, each kept with a deleted flag so a
-- later run can tell what changed. Natural keys are the source's external ids, per directory.
--
-- The directory tables, and mailing list members, declare no foreign keys. They are written
-- only by the loader, which checks every reference set-based inside its transaction (unknown
-- account, unknown parent, orphan contact) under a per-directory lock; per-row foreign-key
-- triggers would repeat those checks one row at a time and cost more than half of a
-- million-contact load (measured: see docs/benchmarks.md).

create table directories (
  id bigint generated always as identity primary key,
  name text not null unique check (name <> ''),
  created_at timestamptz not null default now()
);
insert into directories (name) values ('Default');

-- Definitions of custom account attributes. Name and type never change once created
-- (enforced here too, so no code path can break reports that rely on them).
create table account_attribute_definitions (
  directory_id bigint not null references directories on delete cascade,
  name text not null check (name ~ '^[A-Za-z][A-Za-z0-9_]{0,62}$'),
  data_type text not null check (data_type in ('Integer', 'Decimal', 'String', 'Enum', 'DateTime')),
  enum_values text[] check ((data_type = 'Enum') = (enum_values is not null)),
  created_at timestamptz not null default now(),
  primary key (directory_id, name)
);

create function refuse_attribute_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'account attribute "%" cannot be deleted', old.name using errcode = 'BW001';
  end if;
  if new.name <> old.name or new.data_type <> old.data_type then
    raise exception 'account attribute "%" (%) cannot change its name or type', old.name, old.data_type
      using errcode = 'BW001';
  end if;
  return new;
end $$;

create trigger account_attribute_definitions_immutable
  before update or delete on account_attribute_definitions
  for each row
  execute function refuse_attribute_change();

create table sync_runs (
  id bigint generated always as identity primary key,
  directory_id bigint not null references directories on delete cascade,
  source text not null,
  state text not null check (state in ('running', 'succeeded', 'failed')),
  error_code text,
  error_message text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  check ((state = 'failed') = (error_code is not null))
);
create index sync_runs_directory_started on sync_runs (directory_id, started_at desc);

create table sync_run_counts (
  run_id bigint not null references sync_runs on delete cascade,
  object text not null check (object in ('contacts', 'accounts', 'hierarchy', 'clientRoles', 'managementRoles')),
  inserted integer not null default 0,
  updated integer not null default 0,
  unchanged integer not null default 0,
  deleted integer not null default 0,
  rejected integer not null default 0,
  primary key (run_id, object)
);

create table sync_run_errors (
  id bigint generated always as identity primary key,
  run_id bigint not null references sync_runs on delete cascade,
  object text not null check (object in ('contacts', 'accounts', 'hierarchy', 'clientRoles', 'managementRoles')),
  source text not null,
  line integer,
  record_id text,
  field text,
  code text not null,
  message text not null
);
create index sync_run_errors_run on sync_run_errors (run_id, id);

-- `source_hash` is the hash of the mapped source record that last merged into the row whole; the
-- loader skips a record whose hash is unchanged, so a reload of unchanged data costs one read of
-- the keys. It is null when part of that record was rejected, so the record is checked again.

-- An account carries its place in the hierarchy: its parent (null at the top). Cycles are refused
-- by the loader.
create table accounts (
  directory_id bigint not null,
  external_id text not null check (external_id <> ''),
  display_name text not null,
  parent_external_id text check (parent_external_id is distinct from external_id),
  attributes jsonb not null default '{}',
  is_deleted boolean not null default false,
  source_hash bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_run_id bigint,
  primary key (directory_id, external_id)
);
create index accounts_display_name on accounts (directory_id, lower(display_name)) where not is_deleted;
create index accounts_parent on accounts (directory_id, parent_external_id) where not is_deleted;

-- A contact carries its client role: the role it holds on the account its record names
-- (Salesforce's Contact.AccountId), so one contact holds at most one client role.
create table contacts (
  directory_id bigint not null,
  external_id text not null check (external_id <> ''),
  first_name text,
  last_name text,
  email text,
  attributes jsonb not null default '{}',
  account_external_id text,
  client_role text check (client_role in ('DECISION_MAKER', 'INFLUENCER', 'PROCUREMENT_FINANCE_PERSON',
    'PROGRAM_MANAGER', 'EXECUTIVE_SPONSOR', 'END_USER', 'ACCOUNT_MEMBER')),
  is_deleted boolean not null default false,
  source_hash bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_run_id bigint,
  primary key (directory_id, external_id),
  check (client_role is null or account_external_id is not null)
);
create index contacts_email on contacts (directory_id, lower(email)) where not is_deleted;
create index contacts_account on contacts (directory_id, account_external_id) where not is_deleted;

create table management_roles (
  directory_id bigint not null,
  account_external_id text not null,
  user_email text not null,
  role_name text not null check (role_name in ('ACCOUNT_EXECUTIVE', 'ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER',
    'TECHNICAL_SALES_PROFESSIONAL', 'SALES_ENGINEER', 'CUSTOMER_SUPPORT_PROFESSIONAL', 'OTHER_ACCOUNT_TEAM_MEMBER')),
  is_deleted boolean not null default false,
  source_hash bigint,
  updated_at timestamptz not null default now(),
  last_run_id bigint,
  primary key (directory_id, account_external_id, user_email)
);
create unique index management_roles_one_owner on management_roles (directory_id, account_external_id)
  where role_name = 'ACCOUNT_OWNER' and not is_deleted;
create index management_roles_user on management_roles (directory_id, lower(user_email)) where not is_deleted;

create table mailing_lists (
  id bigint generated always as identity primary key,
  directory_id bigint not null references directories on delete cascade,
  name text not null,
  run_id bigint references sync_runs on delete set null,
  created_at timestamptz not null default now(),
  unique (directory_id, name)
);

create table mailing_list_members (
  mailing_list_id bigint not null references mailing_lists on delete cascade,
  directory_id bigint not null,
  contact_external_id text not null,
  primary key (mailing_list_id, contact_external_id)
);

-- Instance-wide secrets that must survive restarts, e.g. the hash of a generated admin key.
create table instance_settings (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
