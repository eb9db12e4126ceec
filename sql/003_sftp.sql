-- SFTP servers that export files for the extract tasks. Credentials are stored sealed with the
-- instance's SECRET_KEY (AES-256-GCM); the host key fingerprint is checked on every connect.
create table sftp_connections (
  id bigint generated always as identity primary key,
  name text not null unique check (name <> ''),
  host text not null check (host <> ''),
  port integer not null default 22 check (port between 1 and 65535),
  username text not null check (username <> ''),
  password_sealed text,
  private_key_sealed text,
  passphrase_sealed text,
  host_key_fingerprint text not null check (host_key_fingerprint ~ '^SHA256:[A-Za-z0-9+/]{43}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (password_sealed is not null or private_key_sealed is not null),
  check (passphrase_sealed is null or private_key_sealed is not null)
);

-- Files an extract loaded, so the same file (name, size, modification time) is not loaded twice.
create table sftp_loaded_files (
  connection_id bigint not null references sftp_connections on delete cascade,
  path text not null,
  size bigint not null,
  modified_at timestamptz not null,
  run_id bigint references sync_runs on delete set null,
  loaded_at timestamptz not null default now(),
  primary key (connection_id, path, size, modified_at)
);
