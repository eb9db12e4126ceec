-- Saved configurations of the Strategic Accounts widget: an embed names one by id, so a tag carries
-- a few attributes and the columns, metrics and health rules stay on the server. `settings` holds
-- the checked configuration (server/widgets/config.ts); it names one directory.
create table widget_configs (
  id bigint generated always as identity primary key,
  name text not null unique check (name <> ''),
  directory_id bigint not null references directories on delete cascade,
  settings jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The widget counts each account's answers per period: with the score in the index, those counts
-- are index-only scans of one account's range, whoever wrote the rows (import or survey capture).
drop index nps_responses_account;
create index nps_responses_account on nps_responses (directory_id, account_external_id, responded_at) include (score);

-- NPS of a period's counts: 100 * (promoters - detractors) / responses rounded half away from zero,
-- in integers so no float ever decides a rounding (1 promoter, 1 detractor, 1 passive of 8: 0;
-- 1 promoter of 8: 13 (12.5); 1 detractor of 8: -13). Null without responses.
create function nps_score(promoters integer, detractors integer, responses integer) returns integer
  language sql immutable parallel safe
  return case when responses > 0
    then sign(promoters - detractors)::integer * ((200 * abs(promoters - detractors) + responses) / (2 * responses)) end;

-- The widget's health rules (README, "Health rules"); the thresholds come from the widget
-- configuration. The previous period's NPS is null when it had no responses.
create function nps_health(responses integer, nps integer, previous_nps integer, min_responses integer,
    at_risk_below integer, at_risk_drop integer, opportunity_from integer) returns text
  language sql immutable parallel safe
  return case
    when responses < min_responses then 'Not enough data'
    when nps < at_risk_below or nps - previous_nps <= -at_risk_drop then 'At Risk'
    when nps >= opportunity_from and (previous_nps is null or nps >= previous_nps) then 'Opportunity'
    else 'Neutral' end;
