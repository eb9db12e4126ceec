-- Surveys in several languages, individual links that expire, reminders and a thank-you email.

-- A survey's own texts are in its default `language`; `translations` holds the same texts in other
-- languages, keyed by language code ({"de": {"title": ..., "question": ..., "emails": {...}}}), each
-- text left out falling back to the default language's. `language_attribute` names the contact
-- attribute that holds each contact's language (e.g. "language" from Salesforce).
alter table surveys
  add column language text not null default 'en' check (language ~ '^[a-z]{2,3}(-[a-z0-9]{2,8})?$'),
  add column language_attribute text,
  add column scale_labels jsonb not null default '{}' check (jsonb_typeof(scale_labels) = 'object'),
  add column emails jsonb not null default '{}' check (jsonb_typeof(emails) = 'object'),
  add column translations jsonb not null default '{}' check (jsonb_typeof(translations) = 'object'),
  add column link_expiry_days integer not null default 30 check (link_expiry_days between 1 and 365);

-- What a distribution sends after its invitation. `reminder_days`: up to two reminders, each the
-- given number of days after the recipient's invitation. `link_expiry_days` overrides the survey's.
-- `localized`: the invitation's texts follow each recipient's language (the distribution set none of its own).
alter table distributions
  add column reminder_days integer[] not null default '{}' check (cardinality(reminder_days) <= 2 and 1 <= all(reminder_days)),
  add column link_expiry_days integer check (link_expiry_days between 1 and 365),
  add column thank_you_email boolean not null default false,
  add column localized boolean not null default false;

-- One row per reminder or thank-you a recipient was sent, made when it is claimed (state 'sending',
-- before its SMTP transaction): the primary key makes each go out at most once, whatever retries
-- or crashes happen. A claim found still 'sending' by a later attempt is 'in_doubt', never re-sent.
create table recipient_follow_ups (
  recipient_id bigint not null references distribution_recipients on delete cascade,
  kind text not null check (kind in ('reminder_1', 'reminder_2', 'thank_you')),
  state text not null default 'sending' check (state in ('sending', 'sent', 'failed', 'in_doubt')),
  message_id text not null,
  error text,
  claimed_at timestamptz not null default now(),
  sent_at timestamptz,
  primary key (recipient_id, kind)
);
