-- Failed sign-ins counted in the database, not in one web process's memory: with several web
-- processes (or a restart) a guesser would otherwise get a fresh allowance from each.
create table rate_limit_hits (
  key text primary key,
  hits integer not null,
  reset_at timestamptz not null
);
create index rate_limit_hits_reset_at on rate_limit_hits (reset_at);
