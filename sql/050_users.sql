-- People who sign in to the console. A user invited but not yet signed up has no password; a
-- deactivated one keeps its row (who did what stays readable) but cannot sign in.
create table users (
  id bigint generated always as identity primary key,
  email text not null unique check (email = lower(email) and email like '%@%'),
  name text not null default '',
  role text not null check (role in ('admin', 'editor', 'viewer')),
  -- scrypt, with its parameters and salt (core/passwords.ts); null until the invitation is accepted.
  password_hash text,
  active boolean not null default true,
  invited_at timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz not null default now()
);

-- Signed-in browsers. Only the SHA-256 of the cookie's token is kept, so a copy of this table
-- signs no one in. Expiry (idle and absolute) is judged by the server's clock against these times.
create table sessions (
  token_sha256 bytea primary key,
  user_id bigint not null references users on delete cascade,
  created_at timestamptz not null,
  last_seen_at timestamptz not null
);
create index sessions_user on sessions (user_id);

-- One-time links: the first start's setup link and invitations, kept hashed like sessions.
create table sign_up_tokens (
  token_sha256 bytea primary key,
  purpose text not null check (purpose in ('setup', 'invitation')),
  user_id bigint references users on delete cascade,
  expires_at timestamptz not null,
  check ((purpose = 'invitation') = (user_id is not null))
);
