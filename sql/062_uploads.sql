-- Files an admin uploads (in the console or with POST /api/uploads), stored in the database so a
-- platform whose disk does not last keeps them: the bytes in chunks, written in the transaction
-- that creates the upload, so a refused or broken upload leaves nothing behind.
create table uploads (
  id bigint generated always as identity primary key,
  name text not null check (name <> '' and length(name) <= 255),
  size bigint not null default 0,
  -- The signed-in user's email; null when the admin API key sent it.
  uploaded_by text,
  uploaded_at timestamptz not null default now()
);
-- A workflow reads the newest upload of a name.
create index uploads_name_newest on uploads (name, id desc);

create table upload_chunks (
  upload_id bigint not null references uploads on delete cascade,
  seq integer not null,
  data bytea not null,
  primary key (upload_id, seq)
);

-- Which upload a run read for each directory object: the name stays when the upload is deleted.
create table upload_reads (
  run_id bigint not null references sync_runs on delete cascade,
  object text not null,
  upload_id bigint references uploads on delete set null,
  name text not null,
  primary key (run_id, object)
);
create index upload_reads_upload on upload_reads (upload_id);
