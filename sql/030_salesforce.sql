-- Connected Salesforce orgs. An org is connected by the OAuth 2.0 web-server flow (a refresh token),
-- or headless by the JWT bearer flow (a private key) or username-password; every secret is stored
-- sealed with the instance's SECRET_KEY (AES-256-GCM).
create table salesforce_connections (
  id bigint generated always as identity primary key,
  name text not null unique check (name <> ''),
  flow text not null check (flow in ('web', 'jwt', 'password')),
  login_url text not null check (login_url ~ '^https?://'),
  instance_url text not null check (instance_url ~ '^https?://'),
  org_id text,
  client_id text,
  client_secret_sealed text,
  refresh_token_sealed text,
  username text,
  password_sealed text,
  private_key_sealed text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (flow <> 'web' or (client_id is not null and refresh_token_sealed is not null)),
  check (flow <> 'jwt' or (client_id is not null and username is not null and private_key_sealed is not null)),
  check (flow <> 'password' or (username is not null and password_sealed is not null))
);

-- Authorizations under way in the web-server flow: the state sent to Salesforce, and the name the
-- admin chose, until the callback comes back with a code (or the state expires).
create table salesforce_oauth_states (
  state text primary key,
  name text not null check (name <> ''),
  login_url text not null,
  created_at timestamptz not null default now()
);

-- How far each object of a connection was extracted into a directory: the SystemModstamp of the
-- newest record a committed run loaded. Written in the load's transaction, so a failed run never
-- moves it. A change of fields or list view starts the object over with a full extract.
create table salesforce_watermarks (
  connection_id bigint not null references salesforce_connections on delete cascade,
  directory_id bigint not null references directories on delete cascade,
  object text not null check (object in ('Account', 'Contact', 'AccountTeamMember')),
  fields text[] not null,
  list_view text,
  system_modstamp timestamptz not null,
  run_id bigint references sync_runs on delete set null,
  updated_at timestamptz not null default now(),
  primary key (connection_id, directory_id, object)
);

-- Salesforce API calls a run made (orgs have a daily API budget); null for runs that read files.
alter table sync_runs add column api_calls integer check (api_calls >= 0);
