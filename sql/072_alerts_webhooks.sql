-- Acting on answers: alert rules per directory, the alerts they raised (at most once per answer and
-- rule, or per account, rule and day), the mail that told people, and webhooks with their delivery log.

create table alert_rules (
  id bigint generated always as identity primary key,
  directory_id bigint not null references directories (id) on delete cascade,
  name text not null check (name <> ''),
  enabled boolean not null default true,
  kind text not null check (kind in ('answer', 'health')),
  -- An answer rule: a score at or below max_score, from a contact holding one of client_roles (none: any contact).
  max_score smallint check (max_score between 0 and 10),
  client_roles text[] not null default '{}',
  -- A health rule: Health changed to one of health_values, or NPS down by nps_drop points period over period.
  health_values text[] not null default '{}' check (health_values <@ array['Opportunity', 'Neutral', 'At Risk', 'Not enough data']),
  nps_drop smallint check (nps_drop between 1 and 200),
  recipient_roles text[] not null default '{}',
  recipient_emails text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (directory_id, name),
  check ((kind = 'answer') = (max_score is not null)),
  check (kind = 'answer' or cardinality(health_values) > 0 or nps_drop is not null),
  check (cardinality(recipient_roles) + cardinality(recipient_emails) > 0)
);

-- Every directory starts with one rule an admin can edit or switch off.
create function add_default_alert_rule() returns trigger language plpgsql as $$
begin
  insert into alert_rules (directory_id, name, kind, max_score, recipient_roles)
  values (new.id, 'Detractor answers', 'answer', 6, array['ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER']);
  return new;
end $$;

create trigger directories_default_alert_rule after insert on directories for each row execute function add_default_alert_rule();

insert into alert_rules (directory_id, name, kind, max_score, recipient_roles)
select id, 'Detractor answers', 'answer', 6, array['ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER'] from directories;

create table alerts (
  id bigint generated always as identity primary key,
  directory_id bigint not null references directories (id) on delete cascade,
  rule_id bigint not null references alert_rules (id) on delete cascade,
  kind text not null check (kind in ('detractor', 'health')),
  -- No foreign key: an alert records what was sent and outlives the answer (answers may be truncated and imported again).
  response_id bigint,
  account_external_id text not null,
  day date,
  -- What the alert names (account, contact, role, score, comment, NPS, Health), as it was when raised.
  details jsonb not null,
  created_at timestamptz not null default now(),
  check ((kind = 'detractor') = (response_id is not null)),
  check ((kind = 'health') = (day is not null)),
  unique (rule_id, response_id),
  unique (rule_id, account_external_id, day)
);

create index alerts_response on alerts (response_id) where response_id is not null;
create index alerts_health_day on alerts (directory_id, day) where kind = 'health';

-- One message per detractor alert and recipient, one health digest per directory, recipient and day.
create table alert_messages (
  id bigint generated always as identity primary key,
  directory_id bigint not null references directories (id) on delete cascade,
  key text not null unique,
  recipient text not null,
  subject text not null,
  text text not null,
  html text not null,
  alert_ids bigint[] not null,
  sent_at timestamptz,
  -- The mail server's permanent refusal (a 5xx to this address): not tried again.
  refused text,
  created_at timestamptz not null default now()
);

create index alert_messages_unsent on alert_messages (id) where sent_at is null and refused is null;

-- Where each account stood for a health rule at its last evaluation: an alert names a change from it.
create table alert_account_states (
  rule_id bigint not null references alert_rules (id) on delete cascade,
  account_external_id text not null,
  health text not null,
  change integer,
  day date not null,
  primary key (rule_id, account_external_id)
);

-- A directory's health rules are evaluated once per day.
create table health_evaluations (
  directory_id bigint not null references directories (id) on delete cascade,
  day date not null,
  alerts integer not null,
  evaluated_at timestamptz not null default now(),
  primary key (directory_id, day)
);

create table webhooks (
  id bigint generated always as identity primary key,
  directory_id bigint not null references directories (id) on delete cascade,
  url text not null check (url ~ '^https?://'),
  events text[] not null check (cardinality(events) > 0 and events <@ array['answer', 'alert']),
  -- The signing secret, sealed with SECRET_KEY.
  secret text not null,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table webhook_deliveries (
  id bigint generated always as identity primary key,
  webhook_id bigint not null references webhooks (id) on delete cascade,
  -- The event once per webhook: an answer's version or an alert.
  event_key text not null,
  event text not null,
  payload jsonb not null,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  last_status integer,
  last_error text,
  last_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  unique (webhook_id, event_key)
);

create index webhook_deliveries_log on webhook_deliveries (webhook_id, id desc);
