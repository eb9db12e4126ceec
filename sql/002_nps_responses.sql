-- Answers to the 0-10 "How likely are you to recommend ...?" question: the NPS source of the
-- Strategic Accounts widget. Imported history today; answers to distributed surveys later.
-- A response names the contact and the account it speaks for, by external id, as the directory does.
create table nps_responses (
  id bigint generated always as identity primary key,
  directory_id bigint not null references directories on delete cascade,
  contact_external_id text not null,
  account_external_id text not null,
  score smallint not null check (score between 0 and 10),
  comment text,
  responded_at timestamptz not null,
  created_at timestamptz not null default now(),
  -- Importing the same history twice adds nothing.
  unique (directory_id, contact_external_id, responded_at)
);
create index nps_responses_account on nps_responses (directory_id, account_external_id, responded_at);
