-- What write-back last wrote into each Salesforce record, field by field (values as sent), so a run
-- sends only the records whose figures changed since. A record Salesforce refused keeps the values
-- written before, so the next run sends it again.
create table salesforce_written_values (
  connection_id bigint not null references salesforce_connections on delete cascade,
  object text not null,
  record_id text not null,
  fields jsonb not null,
  written_at timestamptz not null,
  primary key (connection_id, object, record_id)
);

-- One write-back task's outcome in a run: how it sent (a Bulk API 2.0 ingest job, sObject
-- Collections, or nothing to send), what it sent and what Salesforce refused. Refused records are
-- the run's row errors; a write-back that failed whole keeps its error here.
create table write_back_reports (
  run_id bigint not null references sync_runs on delete cascade,
  task text not null,
  connection_id bigint references salesforce_connections on delete set null,
  method text not null check (method in ('bulk', 'collections', 'none')),
  accounts integer not null check (accounts >= 0),
  changed integer not null check (changed >= 0),
  succeeded integer not null check (succeeded >= 0),
  failed integer not null check (failed >= 0),
  api_calls integer not null check (api_calls >= 0),
  tasks_created integer not null default 0 check (tasks_created >= 0),
  tasks_failed integer not null default 0 check (tasks_failed >= 0),
  job_id text,
  error_code text,
  error_message text,
  finished_at timestamptz not null default now(),
  primary key (run_id, task)
);

-- The Salesforce Task opened for each detractor answer, so an answer gets one Task, whatever the
-- number of runs. An answer whose Task Salesforce refused has none here and is tried again.
create table salesforce_detractor_tasks (
  connection_id bigint not null references salesforce_connections on delete cascade,
  response_id bigint not null references nps_responses on delete cascade,
  task_id text not null,
  created_at timestamptz not null default now(),
  primary key (connection_id, response_id)
);
