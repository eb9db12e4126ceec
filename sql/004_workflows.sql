-- Workflows: a named, versioned list of tasks (extract, then load into a directory) that runs on
-- demand or on a schedule. Each saved change is a new version; a run records the version it used.
create table workflows (
  id bigint generated always as identity primary key,
  name text not null unique check (name <> ''),
  enabled boolean not null default true,
  version integer not null default 1 check (version > 0),
  definition jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table workflow_versions (
  workflow_id bigint not null references workflows on delete cascade,
  version integer not null,
  definition jsonb not null,
  created_at timestamptz not null default now(),
  primary key (workflow_id, version)
);

alter table sync_runs
  add column workflow_id bigint references workflows on delete set null,
  add column workflow_version integer;
