-- Who a distribution invites, and how often one contact may be invited.

-- The run that put a contact in the directory: a distribution to "the contacts this run added"
-- reads it. Contacts loaded before it was kept have none, so no later run counts them as new.
alter table contacts add column created_run_id bigint;

-- Of a run's mailing list, a distribution invites the contacts the run added ('new'), those it
-- added or changed ('newOrChanged'), or every member ('all', what distributions did before).
alter table distributions add column audience text not null default 'all' check (audience in ('new', 'newOrChanged', 'all'));

-- A recipient left out is recorded with why: the audience left it out ('not_new', 'unchanged') or
-- a contact rule did ('contact_frequency': it had its invitations of the period; 'same_survey_12h':
-- the same survey went to the same address less than 12 hours before).
alter table distribution_recipients drop constraint distribution_recipients_skip_reason_check;
alter table distribution_recipients add constraint distribution_recipients_skip_reason_check
  check (skip_reason in ('deleted', 'no_email', 'opted_out', 'not_new', 'unchanged', 'contact_frequency', 'same_survey_12h'));

-- A directory's contact frequency rule: at most `max_invitations` invitations to one address per
-- rolling `period_days`, counting every survey or (`per_survey`) each survey apart. A directory
-- without a row has the default: one invitation per 30 days.
create table contact_rules (
  directory_id bigint primary key references directories on delete cascade,
  max_invitations integer not null default 1 check (max_invitations between 1 and 100),
  period_days integer not null default 30 check (period_days between 1 and 730),
  per_survey boolean not null default false,
  updated_at timestamptz not null default now()
);

-- An address's live recipient rows, which a sender locks and counts as it claims one of them
-- (worker/distribute/queries.ts); skipped and failed ones are no invitation.
create index distribution_recipients_address on distribution_recipients (lower(email)) where state in ('pending', 'sending', 'sent', 'in_doubt');
