-- Surveys, their distribution by email, and the answers they collect.

-- An NPS survey: the 0-10 "How likely are you to recommend ...?" question, an optional comment,
-- and optional extra questions on a small scale (e.g. a 1-5 CSAT), each
-- {"key", "text", "min", "max", "minLabel", "maxLabel"}.
create table surveys (
  id bigint generated always as identity primary key,
  name text not null unique check (name <> ''),
  title text not null check (title <> ''),
  question text not null check (question <> ''),
  comment_question text,
  extra_questions jsonb not null default '[]' check (jsonb_typeof(extra_questions) = 'array'),
  thank_you text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One sending of a survey to a mailing list. The subject and bodies are templates, rendered per
-- recipient when it is sent. With anonymous links every recipient gets the distribution's one
-- survey token; with individual links each gets its own.
create table distributions (
  id bigint generated always as identity primary key,
  survey_id bigint not null references surveys on delete cascade,
  directory_id bigint not null references directories on delete cascade,
  mailing_list_id bigint not null references mailing_lists on delete cascade,
  workflow_id bigint references workflows on delete set null,
  link_type text not null check (link_type in ('individual', 'anonymous')),
  anonymous_token text unique,
  mail_from text not null,
  subject text not null,
  html text not null,
  text text not null,
  send_at timestamptz not null,
  state text not null default 'scheduled' check (state in ('scheduled', 'sending', 'finished')),
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  check ((link_type = 'anonymous') = (anonymous_token is not null))
);

-- Each recipient's state is the record that makes sending exactly-once:
--   pending  -> sending (claimed, its Message-ID recorded, just before the SMTP transaction)
--   sending  -> sent | failed (a permanent rejection) | pending again (a temporary one, after `retry_at`)
--   sending, found by a later attempt after a crash -> in_doubt: the server may have accepted
--            the message, so it is not sent again but reported.
--   skipped: deleted from the directory, no valid email, or opted out (`skip_reason`), never sent.
-- `token` opens the survey (individual links) and always the opt-out page; it is unguessable.
create table distribution_recipients (
  id bigint generated always as identity primary key,
  distribution_id bigint not null references distributions on delete cascade,
  contact_external_id text not null,
  account_external_id text,
  email text,
  token text not null unique,
  state text not null default 'pending' check (state in ('pending', 'sending', 'sent', 'failed', 'skipped', 'in_doubt')),
  skip_reason text check (skip_reason in ('deleted', 'no_email', 'opted_out')),
  message_id text,
  attempts integer not null default 0,
  retry_at timestamptz,
  error text,
  claimed_at timestamptz,
  sent_at timestamptz,
  unique (distribution_id, contact_external_id),
  check ((state = 'skipped') = (skip_reason is not null))
);
create index distribution_recipients_pending on distribution_recipients (distribution_id, id) where state in ('pending', 'sending');

-- A contact who asked for no more surveys, by contact and by address: a later list that holds the
-- same address under another contact id skips it too.
create table opt_outs (
  directory_id bigint not null references directories on delete cascade,
  contact_external_id text not null,
  email text,
  created_at timestamptz not null default now(),
  primary key (directory_id, contact_external_id)
);
create index opt_outs_email on opt_outs (directory_id, lower(email));

-- Where mail goes when no SMTP server is configured: readable on /outbox and /api/outbox, so the
-- whole loop can be tried on a fresh machine.
create table outbox_messages (
  id bigint generated always as identity primary key,
  message_id text not null unique,
  mail_from text not null,
  mail_to text not null,
  subject text not null,
  html text,
  text text,
  created_at timestamptz not null default now()
);

-- Answers to distributed surveys land beside the imported history. An anonymous answer names no
-- contact or account; an individual one names its recipient, so it has one answer, updated by a
-- resubmission within the resubmit window.
alter table nps_responses
  alter column contact_external_id drop not null,
  alter column account_external_id drop not null,
  add column survey_id bigint references surveys on delete set null,
  add column distribution_id bigint references distributions on delete set null,
  add column recipient_id bigint unique references distribution_recipients on delete set null,
  add column answers jsonb not null default '{}',
  add column updated_at timestamptz,
  add constraint nps_responses_contact_or_survey check (contact_external_id is not null or survey_id is not null),
  add constraint nps_responses_contact_with_account check ((contact_external_id is null) = (account_external_id is null));
create index nps_responses_survey on nps_responses (survey_id, responded_at);
